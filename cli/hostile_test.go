package cli

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Hostile input, through the built binary, as an attacker (or Argo CD's
// repo-server) runs it: every case fails cleanly — exit status 1, nothing
// on stdout, a message on stderr, no panic — in under a second of CPU
// time and under 100 MB of resident memory (the process's own peak,
// from rusage). CPU time, not wall time: a loaded machine stretches the
// wall clock, not the work; a case that hangs is killed at 20 s and fails.
const (
	hostileTime   = time.Second
	hostileMemory = 100 << 20
)

// TestMain doubles as the meter of a hostile case's memory: run with
// measureEnv set, this test binary runs its arguments as a command and
// writes the command's peak resident memory to the file measureEnv names.
// A process started from the test process itself would report the test
// process's peak instead of its own (Linux keeps the larger across
// vfork and exec); one started from this small process reports its own.
func TestMain(m *testing.M) {
	if out := os.Getenv(measureEnv); out != "" {
		os.Exit(measure(out, os.Args[1:]))
	}
	code := m.Run()
	if binaryDir != "" {
		os.RemoveAll(binaryDir)
	}
	os.Exit(code)
}

const measureEnv = "NOVAGEN_TEST_MEASURE"

func measure(out string, args []string) int {
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	cmd.Env = slices.DeleteFunc(os.Environ(), func(e string) bool { return strings.HasPrefix(e, measureEnv+"=") })
	err := cmd.Run()
	if cmd.ProcessState == nil {
		fmt.Fprintln(os.Stderr, "measure:", err)
		return 125
	}
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		os.WriteFile(out, []byte(strconv.FormatInt(ru.Maxrss*1024, 10)), 0o644) //nolint:errcheck // the test sees no file
	}
	return cmd.ProcessState.ExitCode()
}

var (
	binaryOnce sync.Once
	binaryDir  string // removed by TestMain
	binaryPath string
	binaryErr  error
)

// novagenBinary builds cmd/novagen once per test run, as users do (make
// build: the commit stamped, without the race detector, whose memory
// would say nothing of the real binary's); the hostile cases and
// TestBuiltVersion share it.
func novagenBinary(t *testing.T) string {
	t.Helper()
	binaryOnce.Do(func() {
		binaryDir, binaryErr = os.MkdirTemp("", "novagen-cli-test-")
		if binaryErr != nil {
			return
		}
		binaryPath = filepath.Join(binaryDir, "novagen")
		build := exec.Command("make", "-s", "build", "NOVAGEN_BIN="+binaryPath)
		build.Dir = ".."
		if out, err := build.CombinedOutput(); err != nil {
			binaryErr = fmt.Errorf("make build: %w\n%s", err, out)
		}
	})
	require.NoError(t, binaryErr)
	return binaryPath
}

// hostileCase is one attack: the command, its stdin (a file to open, or
// bytes) and what stderr must say.
type hostileCase struct {
	name      string
	args      []string
	stdin     []byte
	stdinFile string
	dir       func(t *testing.T) string // working directory; "" the package's
	env       []string
	stderr    string // exact, with DIR for the working directory; or a substring if prefixed with "~"
	stdout    bool   // the function protocol: a ResourceList with Results, no items
}

// nestedAliases is a few hundred bytes that expand into billions of
// nodes: each level a list of nine aliases of the one before.
func nestedAliases(top string) []byte {
	var b strings.Builder
	b.WriteString("a0: &a0 [x, x, x, x, x, x, x, x, x]\n")
	for i := 1; i <= 9; i++ {
		p := "*a" + string(rune('0'+i-1))
		b.WriteString("a" + string(rune('0'+i)) + ": &a" + string(rune('0'+i)) + " [" + strings.Repeat(p+", ", 8) + p + "]\n")
	}
	return []byte(top + strings.ReplaceAll("\n"+b.String(), "\n", "\n  ")[1:])
}

func TestHostileInput(t *testing.T) {
	bin := novagenBinary(t)
	bomb := nestedAliases("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: bomb}\ndata:\n")
	catalogBomb, err := os.ReadFile(filepath.Join(corpusDir, "alias-bomb.yaml"))
	require.NoError(t, err)
	resourceList := func(catalog string) []byte {
		return []byte("apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems: []\nfunctionConfig:\n" +
			"  apiVersion: novagen.nova.dev/v1alpha1\n  kind: NovaGen\n  metadata: {name: nova}\n  spec: {catalog: " + catalog + "}\n")
	}
	outsideMsg := func(p string) string {
		return `novagen: spec.catalog "` + p + `" is outside the repository: the function reads catalogs only from inside it (set NOVAGEN_CATALOG_ROOT to allow a wider directory)` + "\n"
	}
	repo := func(t *testing.T) string {
		dir := t.TempDir()
		require.NoError(t, os.Mkdir(filepath.Join(dir, ".git"), 0o755))
		return dir
	}
	tests := []hostileCase{
		{name: "check: nested aliases in a ConfigMap", args: []string{"check"}, stdin: bomb,
			stderr: "<stdin>:14:12: alias *a8 expands the input beyond its limit (YAML aliases may add at most as many nodes as the input has, and at least 10000): write the values out, or use fewer nested aliases\n"},
		{name: "check: the catalog alias bomb", args: []string{"check"}, stdin: catalogBomb, stderr: "~<stdin>:"},
		{name: "check: /dev/zero", args: []string{"check", "-f", "/dev/zero"},
			stderr: "/dev/zero:1:1: control character U+0000: manifests must be text (UTF-8)\n"},
		{name: "check: /dev/zero on stdin", args: []string{"check"}, stdinFile: "/dev/zero",
			stderr: "<stdin>:1:1: control character U+0000: manifests must be text (UTF-8)\n"},
		{name: "check: two kinds in one object", args: []string{"check"},
			stdin:  []byte("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\nkind: Secret\nstringData: {password: hunter2}\n"),
			stderr: "<stdin>:4:1: key \"kind\" appears twice in one mapping (first at line 2)\n"},
		{name: "check: nesting", args: []string{"check"}, stdin: []byte("a: " + strings.Repeat("[", 5000) + strings.Repeat("]", 5000) + "\n"),
			stderr: "<stdin>:1:1002: values nest deeper than 1000 levels\n"},
		{name: "check: a directory", args: []string{"check", "-f", "."}, stderr: ".: cannot read manifests: it is a directory\n"},
		{name: "fn: /dev/zero", args: []string{"fn"}, stdinFile: "/dev/zero",
			stderr: "<stdin>:1:1: control character U+0000: the function's input must be text (UTF-8)\n"},
		{name: "fn: nested aliases in an item", args: []string{"fn"},
			stdin:  append([]byte("apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems:\n- "), bytes.ReplaceAll(bomb, []byte("\n"), []byte("\n  "))...),
			stderr: "~alias *a8 expands the input beyond its limit"},
		{name: "fn: a catalog outside the repository", args: []string{"fn"}, stdin: resourceList("/etc/hostname"), dir: repo,
			stderr: outsideMsg("/etc/hostname"), stdout: true},
		{name: "fn: an absent catalog outside the repository", args: []string{"fn"}, stdin: resourceList("/etc/no-such-file"), dir: repo,
			stderr: outsideMsg("/etc/no-such-file"), stdout: true},
		{name: "fn: dot-dot out of the repository", args: []string{"fn"}, stdin: resourceList("../../../../../../../../etc/shadow"), dir: repo,
			stderr: outsideMsg("../../../../../../../../etc/shadow"), stdout: true},
		{name: "fn: a file that is not a catalog, in a wider root", args: []string{"fn"}, stdin: resourceList("/etc/passwd"), dir: repo,
			env: []string{"NOVAGEN_CATALOG_ROOT=/"}, stdout: true,
			stderr: "/etc/passwd:1:1: not a ServiceCatalog: expected apiVersion catalog.nova.dev/v1alpha1 and kind ServiceCatalog, found a string\n"},
		{name: "validate: /dev/zero", args: []string{"validate", "-f", "/dev/zero"},
			stderr: "/dev/zero:1:1: control character U+0000: catalog must be text (UTF-8)\n"},
		{name: "validate: an ESC in a message", args: []string{"validate", "-f", "-"}, stdin: []byte("apiVersion: catalog.nova.dev/v1alpha1\nkind: ServiceCatalog\nmetadata: {name: \"\\e[31mred\"}\n"),
			stderr: "~\\x1b[31mred"},
		{name: "validate: an ESC in a file name", args: []string{"validate", "-f", "absent\x1b[31m.yaml"},
			stderr: "absent\\x1b[31m.yaml: cannot read catalog: no such file or directory\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			runHostile(t, bin, tt)
		})
	}
}

// runHostile runs one case and judges it.
func runHostile(t *testing.T, bin string, tt hostileCase) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*hostileTime)
	defer cancel()
	peak := filepath.Join(t.TempDir(), "peak")
	cmd := exec.CommandContext(ctx, os.Args[0], append([]string{bin}, tt.args...)...)
	if tt.dir != nil {
		cmd.Dir = tt.dir(t)
	}
	cmd.Env = append(os.Environ(), measureEnv+"="+peak, "NOVAGEN_CATALOG_ROOT=")
	// A case that hangs is killed with the meter, its whole process group.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = time.Second
	cmd.Env = append(cmd.Env, tt.env...)
	switch {
	case tt.stdinFile != "":
		f, err := os.Open(tt.stdinFile)
		if err != nil {
			t.Skipf("%s: %v", tt.stdinFile, err)
		}
		defer f.Close()
		cmd.Stdin = f
	default:
		cmd.Stdin = bytes.NewReader(tt.stdin)
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	start := time.Now()
	err := cmd.Run()
	elapsed := time.Since(start)
	require.Error(t, err, "must fail; stdout:\n%.2000s", stdout.String())
	require.NotNil(t, cmd.ProcessState)
	assert.Equal(t, 1, cmd.ProcessState.ExitCode(), "exit status; stderr:\n%s", stderr.String())
	if tt.stdout {
		assert.Contains(t, stdout.String(), "results:", "a failed function returns its Results")
		assert.Contains(t, stdout.String(), "items: []", "and no items")
	} else {
		assert.Empty(t, stdout.String(), "nothing on stdout")
	}
	got := stderr.String()
	if want, ok := strings.CutPrefix(tt.stderr, "~"); ok {
		assert.Contains(t, got, want)
	} else {
		assert.Equal(t, tt.stderr, got)
	}
	assert.NotContains(t, got, "panic")
	assert.NotContains(t, got, "goroutine ")
	assert.NotContains(t, got, "\x1b", "no raw control character reaches the terminal")
	// The meter's rusage includes the command it waited for.
	cpu := cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
	assert.Less(t, cpu, hostileTime, "used %s of CPU", cpu)
	b, err := os.ReadFile(peak)
	require.NoError(t, err, "the meter wrote no peak")
	rss, err := strconv.ParseInt(string(b), 10, 64)
	require.NoError(t, err)
	t.Logf("%s in %s (CPU %s), peak resident memory %d MiB", strings.Join(tt.args, " "), elapsed.Round(time.Millisecond), cpu.Round(time.Millisecond), rss>>20)
	assert.Less(t, rss, int64(hostileMemory), "peak resident memory %d MiB", rss>>20)
}

// TestValidateEscapesTheFileName: the ok line names the file as given,
// escaped: a name is input too.
func TestValidateEscapesTheFileName(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("..", "fns", "testdata", "catalog.yaml"))
	require.NoError(t, err)
	file := filepath.Join(t.TempDir(), "a\x1b[2Jb.yaml")
	require.NoError(t, os.WriteFile(file, data, 0o644))
	r := runGuarded(t, strings.NewReader(""), "validate", "-f", file)
	require.Equal(t, 0, r.code, r.stderr)
	assert.True(t, strings.HasPrefix(r.stdout, filepath.Dir(file)+`/a\x1b[2Jb.yaml: ok: `), r.stdout)
}
