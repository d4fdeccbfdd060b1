// Package testtool finds the real programs tests run against (busybox,
// shellcheck, psql...). Locally a missing program skips the test; in CI
// (CI=true) it fails it, so a green CI run never hides a test that
// silently did not run.
package testtool

import (
	"bytes"
	"context"
	"fmt"
	"io/fs"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Require returns the path of program name or skips/fails the test.
func Require(t testing.TB, name string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err == nil {
		return path
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s is required in CI but not on PATH (.ci/run installs it)", name)
	}
	t.Skipf("%s not on PATH; install it to run this test", name)
	return ""
}

// CatalogFiles reads every catalog of the repository below root: its
// services.yaml, every testdata/**/catalog.yaml, test/catalogs and the
// error corpus (most of which does not load, but its near misses are good
// fuzz seeds).
func CatalogFiles(t testing.TB, root string) [][]byte {
	t.Helper()
	paths := []string{filepath.Join(root, "services.yaml")}
	for _, glob := range []string{"catalog/load/testdata/errors/*.yaml", "test/catalogs/*.yaml"} {
		more, err := filepath.Glob(filepath.Join(root, glob))
		if err != nil {
			t.Fatal(err)
		}
		paths = append(paths, more...)
	}
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && path != root && strings.HasPrefix(d.Name(), ".") {
			return filepath.SkipDir // .git and the like
		}
		if d.Name() == "catalog.yaml" && strings.Contains(filepath.ToSlash(path), "/testdata/") {
			paths = append(paths, path)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	out := make([][]byte, 0, len(paths))
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, b)
	}
	return out
}

// AsUID runs script under busybox sh (the shell of the images that run
// our scripts) with args after $0, exactly env (nothing inherited), and
// returns its stdout, stderr and exit code. As root it runs as uid with
// no supplementary groups (setpriv), the situation of a pod whose
// numeric UID has no passwd entry; as any other user it runs as that
// user and says so. It fails the test if the script runs over a minute.
func AsUID(t testing.TB, uid int64, script string, args, env []string) (stdout, stderr string, code int) {
	t.Helper()
	busybox := Require(t, "busybox")
	argv := append([]string{busybox, "sh", "-c", script, "script"}, args...)
	if os.Geteuid() == 0 {
		if u, err := user.LookupId(strconv.FormatInt(uid, 10)); err == nil {
			t.Fatalf("UID %d is %q in /etc/passwd here; the test needs a UID without an entry, as in the pod", uid, u.Username)
		}
		id := strconv.FormatInt(uid, 10)
		argv = append([]string{Require(t, "setpriv"), "--reuid=" + id, "--regid=" + id, "--clear-groups", "--"}, argv...)
	} else {
		t.Logf("not root: running as UID %d, not %d", os.Geteuid(), uid)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Env = env
	cmd.Dir = "/"
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	if ctx.Err() != nil {
		t.Fatalf("script still running after a minute:\n%s%s", out.String(), errb.String())
	}
	if err != nil && cmd.ProcessState == nil {
		t.Fatal(err)
	}
	return out.String(), errb.String(), cmd.ProcessState.ExitCode()
}

// SharedDir is a temporary directory every UID may read, write and
// enter (fake programs and what they record), removed after the test;
// t.TempDir's parent is its owner's alone.
func SharedDir(t testing.TB) string {
	t.Helper()
	return tempDir(t, "novagen-", 0o777)
}

// tempDir is a new directory in /tmp with mode, removed after the test.
func tempDir(t testing.TB, pattern string, mode os.FileMode) string {
	t.Helper()
	dir, err := os.MkdirTemp("", pattern)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, mode); err != nil {
		t.Fatal(err)
	}
	return dir
}

// CopyDir copies the regular files below src into dst (created), for
// tests that need a catalog's files (its protos) beside a copy of it.
func CopyDir(t testing.TB, src, dst string) {
	t.Helper()
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, p)
		if err != nil {
			return err
		}
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		if !d.Type().IsRegular() {
			return nil
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(target, data, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// FreePort is a TCP port on 127.0.0.1 that nothing listened on a moment
// ago.
func FreePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// Listen accepts (and closes) connections on 127.0.0.1:port until the
// test ends.
func Listen(t testing.TB, port int) error {
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

// NCDir returns a directory, which every UID may enter, whose nc
// understands `nc -z -w`, as the nc of the busybox image does. Debian's
// busybox (1.35) is built without CONFIG_NC_110_COMPAT, so its nc
// rejects -z; then the nc on PATH (netcat-openbsd) stands in, and the
// test says so. Without either the test is skipped (failed in CI).
func NCDir(t testing.TB) string {
	t.Helper()
	busybox := Require(t, "busybox")
	// The unprivileged UID must reach the nc link: a directory of its own
	// in /tmp, not inside t.TempDir (whose parent only root may enter).
	dir := tempDir(t, "novagen-nc-", 0o755)
	link := filepath.Join(dir, "nc")
	candidates := []string{busybox}
	if nc, err := exec.LookPath("nc"); err == nil {
		candidates = append(candidates, nc)
	}
	open, closed := FreePort(t), FreePort(t)
	if err := Listen(t, open); err != nil {
		t.Fatal(err)
	}
	// Probe through the same shell the scripts run in: busybox-static
	// runs its own nc applet whatever PATH says.
	works := func(port int) bool {
		cmd := exec.Command(busybox, "sh", "-c", `exec nc -z -w 1 127.0.0.1 "$1"`, "sh", strconv.Itoa(port))
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
			return dir
		}
	}
	msg := "neither busybox nc nor an nc on PATH supports -z -w (Debian's busybox lacks it: apt-get install netcat-openbsd)"
	if os.Getenv("CI") == "true" {
		t.Fatal(msg)
	}
	t.Skip(msg)
	return ""
}

// Deps maps each package of patterns to its dependency closure (go
// list's .Deps: every package its non-test files import, directly or
// not), for the tests that hold the architecture's arrows. It needs the
// go command (skipped without it, failed in CI).
func Deps(t testing.TB, patterns ...string) map[string][]string {
	t.Helper()
	goTool := Require(t, "go")
	args := append([]string{"list", "-f", `{{.ImportPath}} {{join .Deps " "}}`}, patterns...)
	list, err := exec.Command(goTool, args...).Output()
	if err != nil {
		var stderr []byte
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = ee.Stderr
		}
		t.Fatalf("go list %v: %v\n%s", patterns, err, stderr)
	}
	out := map[string][]string{}
	for _, line := range strings.Split(strings.TrimSpace(string(list)), "\n") {
		f := strings.Fields(line)
		out[f[0]] = f[1:]
	}
	return out
}

// OwnModule says whether the example in dir is a Go module of its own: a
// program built from novagen plus generators of its own
// (examples/custom-generator), whose catalog novagen's binary refuses.
// The tests that run every example with novagen's own binary leave it to
// make custom-generator-e2e, which builds and checks it.
func OwnModule(dir string) bool {
	_, err := os.Stat(filepath.Join(dir, "go.mod"))
	return err == nil
}
