package postgres_test

// These tests run the wait-for init containers the way the kubelet runs
// them: their command and environment exactly as rendered, under busybox
// sh (the shell of both the busybox and the postgres:*-alpine images), as
// the pod's numeric UID, which has no /etc/passwd entry (setpriv, so the
// test must run as root), against the real PostgreSQL 15 that run.sh
// started and real TCP listeners. Only the address is changed: WAIT_HOST
// and WAIT_PORT point at the loopback servers.

import (
	"fmt"
	"os"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/kustomize/kyaml/yaml"
	sigsyaml "sigs.k8s.io/yaml"

	"github.com/novagen/novagen/catalog"
	"github.com/novagen/novagen/catalog/load"
	"github.com/novagen/novagen/generators"
	"github.com/novagen/novagen/generators/scripts"
	"github.com/novagen/novagen/internal/testtool"
	"github.com/novagen/novagen/naming"
	"github.com/novagen/novagen/pipeline"
)

// waitContainer is one rendered wait-for container and the UID its pod
// runs it as.
type waitContainer struct {
	where string // Kind/name/container
	uid   int64
	c     corev1.Container
}

// podSpecPaths says where each rendered kind keeps its pod spec.
var podSpecPaths = map[string][]string{
	"Deployment":  {"spec", "template", "spec"},
	"StatefulSet": {"spec", "template", "spec"},
	"Job":         {"spec", "template", "spec"},
}

// renderedWaits renders cat as `novagen render` does and returns every
// wait-for init container of every pod template.
func renderedWaits(t *testing.T, cat *catalog.Catalog) []waitContainer {
	t.Helper()
	nodes, err := pipeline.Run(cat, pipeline.Options{Registry: generators.Default()}, nil)
	require.NoError(t, err)
	var out []waitContainer
	for _, n := range nodes {
		path, ok := podSpecPaths[n.GetKind()]
		if !ok {
			continue
		}
		specNode, err := n.Pipe(yaml.Lookup(path...))
		require.NoError(t, err)
		var spec corev1.PodSpec
		require.NoError(t, sigsyaml.UnmarshalStrict([]byte(specNode.MustString()), &spec))
		for _, c := range spec.InitContainers {
			if !strings.HasPrefix(c.Name, naming.WaitContainerPrefix) {
				continue
			}
			uid := spec.SecurityContext.RunAsUser
			if c.SecurityContext != nil && c.SecurityContext.RunAsUser != nil {
				uid = c.SecurityContext.RunAsUser
			}
			require.NotNil(t, uid, "%s/%s has no runAsUser", n.GetName(), c.Name)
			out = append(out, waitContainer{where: n.GetKind() + "/" + n.GetName() + "/" + c.Name, uid: *uid, c: c})
		}
	}
	require.NotEmpty(t, out, "the render has no wait-for containers")
	return out
}

// runner runs wait scripts as an unlisted UID with the images' tools.
type runner struct {
	busybox        string
	pgPath, ncPath string // PATH of the postgres and the busybox image
}

func newRunner(t *testing.T) *runner {
	t.Helper()
	if os.Geteuid() != 0 {
		msg := "running a script as the pod's UID needs root (setpriv)"
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	busybox := testtool.Require(t, "busybox")
	pgIsReady := testtool.Require(t, "pg_isready")
	testtool.Require(t, "setpriv")
	r := &runner{busybox: busybox}
	r.pgPath = filepath.Dir(pgIsReady) + ":" + filepath.Dir(busybox)
	r.ncPath = testtool.NCDir(t) + ":" + filepath.Dir(busybox)
	return r
}

// run executes the container's command as uid, with its env (WAIT_HOST
// and WAIT_PORT replaced by port on 127.0.0.1), and PATH only.
func (r *runner) run(t *testing.T, w waitContainer, port int) (int, string, string) {
	t.Helper()
	c := w.c
	if len(c.Command) != 3 || c.Command[0] != "/bin/sh" || c.Command[1] != "-c" {
		t.Fatalf("%s: command is %q, want [/bin/sh -c SCRIPT]", w.where, c.Command)
	}
	path := r.ncPath
	if strings.Contains(c.Image, "postgres") {
		path = r.pgPath
	}
	env := []string{"PATH=" + path}
	for _, e := range c.Env {
		require.Nil(t, e.ValueFrom, "%s: a wait container reads no Secret", w.where)
		switch e.Name {
		case scripts.EnvHost:
			e.Value = "127.0.0.1"
		case scripts.EnvPort:
			e.Value = strconv.Itoa(port)
		}
		env = append(env, e.Name+"="+e.Value)
	}
	stdout, stderr, code := testtool.AsUID(t, w.uid, c.Command[2], nil, env)
	return code, stdout, stderr
}

// requireUnlisted fails unless uid has no passwd entry: the point of the
// test is the pod's situation, where it has none.
func requireUnlisted(t *testing.T, uid int64) {
	t.Helper()
	if u, err := user.LookupId(strconv.FormatInt(uid, 10)); err == nil {
		t.Fatalf("UID %d is %q in /etc/passwd here; the test needs a UID without an entry, as in the pod", uid, u.Username)
	}
}

// TestEveryWaitSucceedsAsThePodUID: every wait-for container the staging
// catalog renders succeeds as its pod's UID against a live server.
func TestEveryWaitSucceedsAsThePodUID(t *testing.T) {
	srv := connect(t)
	r := newRunner(t)
	cat, err := load.Load("../../services.yaml")
	require.NoError(t, err)
	pgPort, err := strconv.Atoi(srv.port)
	require.NoError(t, err)
	tcpPort := testtool.FreePort(t)
	require.NoError(t, testtool.Listen(t, tcpPort))

	waits := renderedWaits(t, cat)
	pg := 0
	for _, w := range waits {
		requireUnlisted(t, w.uid)
		port := tcpPort
		if strings.HasSuffix(w.c.Name, "-postgres") {
			port, pg = pgPort, pg+1
		}
		code, stdout, stderr := r.run(t, w, port)
		if code != 0 || !strings.Contains(stdout, "is ready (try 1/") {
			t.Errorf("%s as UID %d: exit %d\nstdout:\n%s\nstderr:\n%s", w.where, w.uid, code, stdout, stderr)
		}
	}
	require.NotZero(t, pg, "no wait-for-postgres among the waits")
	t.Logf("%d wait-for containers ready as their pods' UIDs (%d against PostgreSQL %s:%s)", len(waits), pg, srv.host, srv.port)
}

// TestWaitForPostgresWithoutAUserFails shows why the wait container names
// a user: without PGUSER, libpq looks the UID up in /etc/passwd and
// gives up before connecting, so the wait never ends well.
func TestWaitForPostgresWithoutAUserFails(t *testing.T) {
	srv := connect(t)
	r := newRunner(t)
	pgPort, _ := strconv.Atoi(srv.port)
	w := waitFor(t, "postgres", 1, pgPort)
	var env []corev1.EnvVar
	for _, e := range w.c.Env {
		if e.Name != "PGUSER" {
			env = append(env, e)
		}
	}
	require.Len(t, env, len(w.c.Env)-1, "the generated container sets PGUSER")
	w.c.Env = env
	code, _, stderr := r.run(t, w, pgPort)
	if code == 0 {
		t.Fatal("pg_isready without a user succeeded as an unlisted UID; this test no longer shows why PGUSER is set")
	}
	require.Contains(t, stderr, "not ready after 1 tries")
}

// waitCatalog has one service waiting for redis and postgres, both on
// 127.0.0.1 at the given port.
const waitCatalog = `apiVersion: catalog.nova.dev/v1alpha1
kind: ServiceCatalog
metadata: {name: wait}
spec:
  namespace: wait
  defaults:
    image: {registry: registry.example/wait, tag: "1.0.0"}
    wait: {retries: %d, interval: 1s}
  infrastructure:
    postgres: {port: %d}
    redis: {port: %d}
  services:
    - name: app
      dependsOn: [redis, postgres]
`

// waitFor returns app's rendered wait-for-<dep> container.
func waitFor(t *testing.T, dep string, retries, port int) waitContainer {
	t.Helper()
	cat, err := load.Parse("wait.yaml", fmt.Appendf(nil, waitCatalog, retries, port, port))
	require.NoError(t, err)
	for _, w := range renderedWaits(t, cat) {
		if w.c.Name == naming.WaitContainer(dep) && strings.HasPrefix(w.where, "Deployment/app/") {
			return w
		}
	}
	t.Fatalf("no wait container for %s", dep)
	return waitContainer{}
}

func TestWaitForTCPSucceedsOnceThePortOpens(t *testing.T) {
	connect(t)
	r := newRunner(t)
	port := testtool.FreePort(t)
	w := waitFor(t, "redis", 10, port)

	start := time.Now()
	opened := make(chan error, 1)
	time.AfterFunc(2*time.Second, func() { opened <- testtool.Listen(t, port) })
	code, stdout, stderr := r.run(t, w, port)
	if err := <-opened; err != nil {
		t.Fatal(err)
	}
	if code != 0 {
		t.Fatalf("exit %d, want 0\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	if elapsed := time.Since(start); elapsed < 2*time.Second {
		t.Errorf("ready after %v, before the port opened", elapsed)
	}
	for _, want := range []string{"wait-for-redis: 127.0.0.1:" + fmt.Sprint(port) + " not ready (try 1/10), retrying in 1s", "is ready (try "} {
		if !strings.Contains(stdout, want) {
			t.Errorf("stdout lacks %q:\n%s", want, stdout)
		}
	}
}

func TestWaitsGiveUp(t *testing.T) {
	connect(t)
	r := newRunner(t)
	for _, dep := range []string{"redis", "postgres"} {
		t.Run(dep, func(t *testing.T) {
			port := testtool.FreePort(t) // nothing listens
			code, stdout, stderr := r.run(t, waitFor(t, dep, 2, port), port)
			msg := fmt.Sprintf("wait-for-%s: 127.0.0.1:%d not ready after 2 tries, giving up", dep, port)
			if code != 1 {
				t.Errorf("exit %d, want 1", code)
			}
			if !strings.Contains(stderr, msg) {
				t.Errorf("stderr lacks %q:\n%s", msg, stderr)
			}
			// A missing program also fails every try; make sure it ran.
			if strings.Contains(stderr, "not found") {
				t.Errorf("the check program did not run:\n%s", stderr)
			}
			if !strings.Contains(stdout, "not ready (try 1/2), retrying in 1s") {
				t.Errorf("stdout lacks the first retry:\n%s", stdout)
			}
		})
	}
}
