package initcontainers

// These tests run the wait scripts for real: the command and env of the
// init container the transformer generates, in busybox sh (the shell of
// both the busybox and the postgres:*-alpine images), against loopback
// ports.

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/kustomize/kyaml/yaml"
	sigsyaml "sigs.k8s.io/yaml"

	"github.com/novagen/novagen/generators/kube"
	"github.com/novagen/novagen/generators/workloads"
	"github.com/novagen/novagen/internal/generatortest"
	"github.com/novagen/novagen/internal/testtool"
	"github.com/novagen/novagen/schema"
)

// waitCatalog has one service waiting for redis and postgres, both on
// 127.0.0.1 at the given ports.
const waitCatalog = `apiVersion: catalog.nova.dev/v1alpha1
kind: ServiceCatalog
metadata: {name: wait}
spec:
  namespace: wait
  defaults:
    image: {registry: registry.example/wait, tag: "1.0.0"}
    wait: {retries: %d, interval: 1s}
  infrastructure:
    postgres: {host: 127.0.0.1, port: %d}
    redis: {host: 127.0.0.1, port: %d}
  services:
    - name: app
      dependsOn: [redis, postgres]
`

// generatedWait returns the wait-for-<dep> init container that the
// workloads generator and this transformer produce for app.
func generatedWait(t *testing.T, dep string, retries, port int) corev1.Container {
	t.Helper()
	cat, err := schema.Parse("wait.yaml", fmt.Appendf(nil, waitCatalog, retries, port, port))
	if err != nil {
		t.Fatal(err)
	}
	nodes, err := Transform(cat, generatortest.Nodes(t, workloads.Generate, cat))
	if err != nil {
		t.Fatal(err)
	}
	c, err := nodes[0].Pipe(yaml.Lookup("spec", "template", "spec", "initContainers", "[name="+kube.WaitContainerName(dep)+"]"))
	if err != nil || c == nil {
		t.Fatalf("no wait container for %s (%v)", dep, err)
	}
	var out corev1.Container
	if err := sigsyaml.UnmarshalStrict([]byte(c.MustString()), &out); err != nil {
		t.Fatal(err)
	}
	return out
}

// run executes the container's command with busybox as /bin/sh, its env
// and PATH only, and returns the exit code, stdout and stderr.
func run(t *testing.T, busybox, path string, c corev1.Container) (int, string, string) {
	t.Helper()
	if len(c.Command) != 3 || c.Command[0] != "/bin/sh" || c.Command[1] != "-c" {
		t.Fatalf("command is %q, want [/bin/sh -c SCRIPT]", c.Command)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, busybox, "sh", "-c", c.Command[2])
	cmd.Env = []string{"PATH=" + path}
	for _, e := range c.Env {
		cmd.Env = append(cmd.Env, e.Name+"="+e.Value)
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	if ctx.Err() != nil {
		t.Fatalf("script still running after 60s: %s%s", stdout.String(), stderr.String())
	}
	if err != nil && cmd.ProcessState == nil {
		t.Fatal(err)
	}
	return cmd.ProcessState.ExitCode(), stdout.String(), stderr.String()
}

func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// listen accepts (and closes) connections on port until the test ends.
func listen(t *testing.T, port int) error {
	l, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", port))
	if err != nil {
		return err
	}
	t.Cleanup(func() { l.Close() })
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			c.Close()
		}
	}()
	return nil
}

// ncPath returns a PATH whose nc understands `nc -z -w`, as the nc of the
// busybox image does. Debian's busybox (both busybox and busybox-static,
// 1.35) is built without CONFIG_NC_110_COMPAT, so its nc rejects -z;
// then the nc on PATH (netcat-openbsd) stands in, and the test says so.
func ncPath(t *testing.T, busybox string) string {
	t.Helper()
	dir := t.TempDir()
	link := filepath.Join(dir, "nc")
	candidates := []string{busybox}
	if nc, err := exec.LookPath("nc"); err == nil {
		candidates = append(candidates, nc)
	}
	open, closed := freePort(t), freePort(t)
	if err := listen(t, open); err != nil {
		t.Fatal(err)
	}
	// Probe through the same shell the scripts run in: busybox-static
	// runs its own nc applet whatever PATH says.
	works := func(port int) bool {
		cmd := exec.Command(busybox, "sh", "-c", `exec nc -z -w 1 127.0.0.1 "$1"`, "sh", fmt.Sprint(port))
		cmd.Env = []string{"PATH=" + dir}
		return cmd.Run() == nil
	}
	for _, bin := range candidates {
		os.Remove(link)
		if err := os.Symlink(bin, link); err != nil {
			t.Fatal(err)
		}
		if works(open) && !works(closed) {
			t.Logf("nc -z -w: %s", bin)
			return dir + ":" + filepath.Dir(busybox)
		}
	}
	msg := "neither busybox nc nor an nc on PATH supports -z -w (Debian's busybox lacks it: apt-get install netcat-openbsd)"
	if os.Getenv("CI") == "true" {
		t.Fatal(msg)
	}
	t.Skip(msg)
	return ""
}

func TestWaitForTCPSucceedsOnceThePortOpens(t *testing.T) {
	busybox := testtool.Require(t, "busybox")
	path := ncPath(t, busybox)
	port := freePort(t)
	c := generatedWait(t, "redis", 10, port)

	start := time.Now()
	opened := make(chan error, 1)
	time.AfterFunc(2*time.Second, func() { opened <- listen(t, port) })
	code, stdout, stderr := run(t, busybox, path, c)
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

func TestWaitForTCPGivesUp(t *testing.T) {
	busybox := testtool.Require(t, "busybox")
	path := ncPath(t, busybox)
	port := freePort(t)
	code, stdout, stderr := run(t, busybox, path, generatedWait(t, "redis", 2, port))
	wantGiveUp(t, code, stdout, stderr, fmt.Sprintf("wait-for-redis: 127.0.0.1:%d not ready after 2 tries, giving up", port))
}

// TestWaitForPostgresGivesUp runs the pg_isready script against a port
// with nothing listening, with Debian's pg_isready.
func TestWaitForPostgresGivesUp(t *testing.T) {
	busybox := testtool.Require(t, "busybox")
	pgIsReady := testtool.Require(t, "pg_isready")
	port := freePort(t)
	path := filepath.Dir(pgIsReady) + ":" + filepath.Dir(busybox)
	code, stdout, stderr := run(t, busybox, path, generatedWait(t, "postgres", 2, port))
	wantGiveUp(t, code, stdout, stderr, fmt.Sprintf("wait-for-postgres: 127.0.0.1:%d not ready after 2 tries, giving up", port))
}

func wantGiveUp(t *testing.T, code int, stdout, stderr, msg string) {
	t.Helper()
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
}
