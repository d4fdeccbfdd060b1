package postgres_test

// The validation Job's PostgreSQL check (generator deployment-validation)
// run as the kubelet runs its init container: its script under busybox
// sh, as the pod's numeric UID without a passwd entry, with the
// container's environment (the admin Secret's values, the host and port
// pointed at the test server), then the Job's report over its results.

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"

	"github.com/novagen/novagen/catalog"
	"github.com/novagen/novagen/catalog/load"
	"github.com/novagen/novagen/generators/validation"
	"github.com/novagen/novagen/internal/testtool"
)

// validationPod is the validation Job's pod of cat.
func validationPod(t *testing.T, cat *catalog.Catalog) corev1.PodSpec {
	t.Helper()
	objs, err := validation.Generate(cat)
	require.NoError(t, err)
	for _, o := range objs {
		if j, ok := o.(*batchv1.Job); ok {
			return j.Spec.Template.Spec
		}
	}
	t.Fatal("no Job")
	return corev1.PodSpec{}
}

func container(t *testing.T, cs []corev1.Container, name string) corev1.Container {
	t.Helper()
	for _, c := range cs {
		if c.Name == name {
			return c
		}
	}
	t.Fatalf("no container %s", name)
	return corev1.Container{}
}

// containerEnv is c's environment with Secret values from secrets
// (variable -> value), overrides applied, and PATH and REPORT_DIR for
// this machine.
func containerEnv(t *testing.T, c corev1.Container, secrets, overrides map[string]string, reportDir string) []string {
	t.Helper()
	env := []string{"PATH=" + os.Getenv("PATH")}
	for _, e := range c.Env {
		v := e.Value
		if e.ValueFrom != nil {
			s, ok := secrets[e.Name]
			require.True(t, ok, "a value for %s (from Secret %s)", e.Name, e.ValueFrom.SecretKeyRef.Name)
			v = s
		}
		if o, ok := overrides[e.Name]; ok {
			v = o
		}
		if e.Name == "REPORT_DIR" {
			v = reportDir
		}
		env = append(env, e.Name+"="+v)
	}
	return env
}

// TestValidationPostgresCheck: on the staging catalog, once db-init has
// run, every database passes and the report exits 0; a catalog with a
// database the server lacks gets a FAIL line and a failing report; a
// server that refuses the login or does not listen is a FAIL, never a
// failed container.
func TestValidationPostgresCheck(t *testing.T) {
	srv := connect(t)
	cat, err := load.Load("../../services.yaml")
	require.NoError(t, err)
	f := newFixture(t, srv, cat)
	r := f.runJob(f.passwordEnv(""))
	require.NoError(t, r.err, "db-init:\n%s", r)

	pod := validationPod(t, cat)
	uid := *pod.SecurityContext.RunAsUser
	requireUnlisted(t, uid)
	check := container(t, pod.InitContainers, validation.CheckPostgres)
	report := container(t, pod.Containers, "report")
	admin := map[string]string{"PGUSER": srv.admin, "PGPASSWORD": srv.pass}
	at := map[string]string{"PGHOST": srv.host, "PGPORT": srv.port}

	runCheck := func(t *testing.T, c corev1.Container, secrets, overrides map[string]string) (string, string) {
		t.Helper()
		dir := testtool.SharedDir(t)
		out, errOut, code := testtool.AsUID(t, uid, c.Command[2], nil, containerEnv(t, c, secrets, overrides, dir))
		assert.Zero(t, code, "a check never fails its container:\n%s%s", out, errOut)
		assert.NotContains(t, out+errOut, srv.pass)
		b, err := os.ReadFile(filepath.Join(dir, validation.CheckPostgres))
		require.NoError(t, err)
		assert.Equal(t, string(b), out)
		// The report over this check alone.
		rep, repErr, repCode := testtool.AsUID(t, uid, report.Command[2], nil,
			containerEnv(t, report, nil, map[string]string{"VALIDATION_CHECKS": validation.CheckPostgres}, dir))
		assert.Empty(t, repErr)
		t.Logf("report (exit %d):\n%s", repCode, rep)
		return out, rep
	}

	t.Run("staging", func(t *testing.T) {
		out, rep := runCheck(t, check, admin, at)
		lines := strings.Split(strings.TrimSpace(out), "\n")
		require.Len(t, lines, 1+len(cat.Spec.Databases), out)
		assert.Regexp(t, `^PASS postgres at `+srv.host+`:`+srv.port+` answers \(PostgreSQL 15\.`, lines[0])
		for i, d := range cat.Databases() {
			assert.Equal(t, "PASS database "+d.Name+" exists", lines[i+1])
		}
		assert.Contains(t, rep, "validation passed")
		assert.Contains(t, rep, "checks: "+strconv.Itoa(len(lines))+" passed, 0 failed, 0 warnings")
	})

	t.Run("a database missing", func(t *testing.T) {
		text, err := os.ReadFile("../../services.yaml")
		require.NoError(t, err)
		more := strings.Replace(string(text), "\n  databases:\n", "\n  databases:\n    - name: nova_not_created\n", 1)
		dir := t.TempDir()
		testtool.CopyDir(t, "../../protos", filepath.Join(dir, "protos")) // spec.contracts' files
		path := filepath.Join(dir, "services.yaml")
		require.NoError(t, os.WriteFile(path, []byte(more), 0o644))
		wider, err := load.Load(path)
		require.NoError(t, err)
		c := container(t, validationPod(t, wider).InitContainers, validation.CheckPostgres)
		out, rep := runCheck(t, c, admin, at)
		assert.Contains(t, out, "FAIL database nova_not_created is missing\n")
		assert.Equal(t, 1, strings.Count(out, "FAIL"), out)
		assert.Contains(t, rep, "1 failed")
		assert.Contains(t, rep, "validation failed")
	})

	t.Run("wrong password", func(t *testing.T) {
		out, rep := runCheck(t, check, map[string]string{"PGUSER": srv.admin, "PGPASSWORD": "not-the-password"}, at)
		assert.Regexp(t, `^FAIL postgres at \S+: .*password authentication failed for user "`+srv.admin+`"\n$`, out)
		assert.Contains(t, rep, "validation failed")
	})

	t.Run("nothing listening", func(t *testing.T) {
		out, _ := runCheck(t, check, admin, map[string]string{"PGHOST": "127.0.0.1", "PGPORT": "1"})
		assert.Regexp(t, `^FAIL postgres at 127\.0\.0\.1:1: .*(refused|could not connect)`, out)
	})
}
