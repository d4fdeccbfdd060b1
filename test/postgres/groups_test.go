package postgres_test

// The db-init groups of a catalog, run the way the kubelet runs them:
// every group's rendered Job (its container's command under busybox sh,
// as the pod's numeric UID without a passwd entry, with the container's
// own environment and exactly the files its ConfigMap volume mounts)
// against a new, empty PostgreSQL 15, which is what the generated server
// starts as: it runs no init scripts of its own, whatever the catalog.

import (
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"

	"github.com/novagen/novagen/catalog"
	"github.com/novagen/novagen/catalog/load"
	"github.com/novagen/novagen/generators/dbinit"
	"github.com/novagen/novagen/internal/testtool"
	"github.com/novagen/novagen/naming"
)

// groupRun is one rendered pod that runs db-init SQL: a group's Job or
// password-sync CronJob.
type groupRun struct {
	name  string
	pod   corev1.PodSpec
	files map[string]string // what its ConfigMap volume mounts, by file name
}

// groupRuns are the Jobs and the CronJobs dbinit renders for cat.
func groupRuns(t *testing.T, cat *catalog.Catalog) (jobs, cronJobs []groupRun) {
	t.Helper()
	objs, err := dbinit.Generate(cat)
	require.NoError(t, err)
	configMaps := map[string]map[string]string{}
	for _, o := range objs {
		if cm, ok := o.(*corev1.ConfigMap); ok {
			configMaps[cm.Name] = cm.Data
		}
	}
	mounted := func(pod corev1.PodSpec) map[string]string {
		files := map[string]string{}
		for _, v := range pod.Volumes {
			if v.ConfigMap == nil {
				continue
			}
			data, ok := configMaps[v.ConfigMap.Name]
			require.True(t, ok, "ConfigMap %s is rendered", v.ConfigMap.Name)
			if len(v.ConfigMap.Items) == 0 {
				maps.Copy(files, data)
			}
			for _, it := range v.ConfigMap.Items {
				files[it.Path] = data[it.Key]
			}
		}
		return files
	}
	for _, o := range objs {
		switch o := o.(type) {
		case *batchv1.Job:
			jobs = append(jobs, groupRun{o.Name, o.Spec.Template.Spec, mounted(o.Spec.Template.Spec)})
		case *batchv1.CronJob:
			spec := o.Spec.JobTemplate.Spec.Template.Spec
			cronJobs = append(cronJobs, groupRun{o.Name, spec, mounted(spec)})
		}
	}
	return jobs, cronJobs
}

// run runs the pod's db-init container as the pod's UID against srv:
// the mounted files in a directory of their own, the container's
// environment with the Secrets' values (the admin's from srv, each
// login's from pw) and PGHOST/PGPORT pointed at srv.
func (g groupRun) run(t *testing.T, srv *server, cat *catalog.Catalog, pw func(role string) string) result {
	t.Helper()
	dir := testtool.SharedDir(t)
	for name, text := range g.files {
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644))
	}
	roleOf := map[string]string{} // Secret -> role
	for _, l := range cat.Logins() {
		roleOf[l.Secret] = l.Role
	}
	c := g.pod.Containers[0]
	env := []string{"PATH=" + os.Getenv("PATH")}
	for _, e := range c.Env {
		v := e.Value
		switch {
		case e.Name == "PGHOST":
			v = srv.host
		case e.Name == "PGPORT":
			v = srv.port
		case e.Name == "SQL_DIR":
			v = dir
		case e.ValueFrom != nil && e.ValueFrom.SecretKeyRef.Name == naming.AdminSecret:
			v = map[string]string{naming.KeyUsername: srv.admin, naming.KeyPassword: srv.pass}[e.ValueFrom.SecretKeyRef.Key]
		case e.ValueFrom != nil:
			role, ok := roleOf[e.ValueFrom.SecretKeyRef.Name]
			require.True(t, ok, "%s: %s reads Secret %s, no login's", g.name, e.Name, e.ValueFrom.SecretKeyRef.Name)
			require.Equal(t, naming.PasswordEnv(role), e.Name)
			v = pw(role)
		}
		env = append(env, e.Name+"="+v)
	}
	uid := *g.pod.SecurityContext.RunAsUser
	requireUnlisted(t, uid)
	out, errOut, code := testtool.AsUID(t, uid, c.Command[2], nil, env)
	r := result{stdout: out, stderr: errOut}
	if code != 0 {
		r.err = assert.AnError
	}
	return r
}

// passwordVars are the login password variables of a pod's container.
func (g groupRun) passwordVars() []string {
	var out []string
	for _, e := range g.pod.Containers[0].Env {
		if strings.HasPrefix(e.Name, "NOVA_PG_PASSWORD_") {
			out = append(out, e.Name)
		}
	}
	return out
}

// TestJobsInitialiseANewServer: the rendered db-init Jobs on a new,
// empty server (the image's initdb and admin user, nothing else), for
// the staging catalog (one group) and a partitioned one (a group per
// partition with databases, the ownerless read-only database in the
// infrastructure group), the groups in reverse order (they do not depend
// on each other): every database, role and grant; a second run of every
// group changes nothing; each group's pods hold the passwords of its own
// logins only, and its password-sync CronJob sets rotated passwords of
// its logins.
func TestJobsInitialiseANewServer(t *testing.T) {
	base := connect(t)
	for _, tc := range []struct {
		name, path string
		groups     int
	}{
		{"staging", "../../services.yaml", 1},
		{"partitioned", "../../test/catalogs/partitioned-postgres.yaml", 4},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cat, err := load.Load(tc.path)
			require.NoError(t, err)
			jobsInitialiseANewServer(t, base, cat, tc.groups)
		})
	}
}

func jobsInitialiseANewServer(t *testing.T, base *server, cat *catalog.Catalog, groups int) {
	jobs, cronJobs := groupRuns(t, cat)
	require.Len(t, jobs, groups)
	require.Len(t, cronJobs, len(jobs))

	// Every login's password is in exactly one group's pods: its own.
	var vars []string
	for _, j := range jobs {
		vars = append(vars, j.passwordVars()...)
	}
	var want []string
	for _, l := range cat.Logins() {
		want = append(want, naming.PasswordEnv(l.Role))
	}
	slices.Sort(vars)
	slices.Sort(want)
	assert.Equal(t, want, vars, "each login's password in one group's Job")

	c := newCluster(t, base)
	c.start()
	f := newFixture(t, c.server(), cat)
	f.legacyBefore(t)
	runAll := func(what string) {
		t.Helper()
		for _, j := range slices.Backward(jobs) {
			r := j.run(t, f.srv, cat, password)
			require.NoError(t, r.err, "%s, %s:\n%s", what, j.name, r)
			f.assertNoPasswords(t, r)
			t.Logf("%s, %s (%d logins): %s", what, j.name, len(j.passwordVars()), progress(r.stdout))
		}
	}
	runAll("first run")
	f.legacyAfter(t)

	before := f.snapshot(t)
	runAll("second run")
	assert.Equal(t, before, f.snapshot(t), "the second run of the groups changed the server")

	f.checkRoleAttributes(t)
	f.checkExtensions(t)
	f.checkAccessMatrix(t)
	f.checkReadOnly(t)
	f.checkDatabaseURLs(t)

	// Password rotation, group by group: each CronJob runs its mounted
	// script with its logins' new passwords.
	rotated := func(role string) string { return "rotated " + password(role) }
	for _, cj := range cronJobs {
		assert.Equal(t, []string{dbinit.ScriptRoles}, slices.Sorted(maps.Keys(cj.files)), "%s runs the roles script only", cj.name)
		r := cj.run(t, f.srv, cat, rotated)
		require.NoError(t, r.err, "%s:\n%s", cj.name, r)
		f.assertNoPasswords(t, r)
	}
	for _, l := range f.logins {
		now := f.srv.as(l.Role, rotated(l.Role), l.Database, "SELECT current_user")
		require.NoError(t, now.err, "%s with its rotated password:\n%s", l.Role, now)
	}
	t.Logf("%d groups: %d databases, %d roles; idempotent; every group's password sync rotated its logins' passwords",
		len(jobs), len(f.dbs), len(f.logins))
}
