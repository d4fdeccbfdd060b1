package output

import (
	"bytes"
	"os/exec"
	"slices"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"

	"github.com/novagen/novagen/internal/testtool"
)

// shells are the interpreters whose `-c SCRIPT` we check as POSIX sh.
var shells = []string{"sh", "/bin/sh", "ash", "/bin/ash"}

// script returns the shell script a container runs, if it runs one:
// command [sh, -c, SCRIPT] or command [sh] with args [-c, SCRIPT], or
// [<dir>/busybox, sh, -c, SCRIPT] (a shell brought into an image without
// one).
func script(c corev1.Container) (string, bool) {
	argv := append(slices.Clone(c.Command), c.Args...)
	if len(argv) >= 4 && strings.HasSuffix(argv[0], "/busybox") && argv[1] == "sh" {
		argv = argv[1:]
	}
	if len(argv) >= 3 && slices.Contains(shells, argv[0]) && argv[1] == "-c" {
		return argv[2], true
	}
	return "", false
}

// shellcheck returns its findings on script; none means clean. Every
// severity counts, style included.
func shellcheck(t *testing.T, bin, script string) string {
	t.Helper()
	cmd := exec.Command(bin, "--shell=sh", "--format=gcc", "-")
	cmd.Stdin = strings.NewReader(script)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil && out.Len() == 0 {
		t.Fatalf("shellcheck: %v", err)
	}
	return out.String()
}

// TestScriptsPassShellcheck checks every distinct script in every
// container (init containers included) of the rendered output.
func TestScriptsPassShellcheck(t *testing.T) {
	bin := testtool.Require(t, "shellcheck")
	where := map[string][]string{} // script -> containers that run it
	var order []string
	for _, p := range renderedPods(t) {
		for _, c := range p.Containers() {
			if s, ok := script(c); ok {
				if _, seen := where[s]; !seen {
					order = append(order, s)
				}
				where[s] = append(where[s], p.where+"/"+c.Name)
			}
		}
	}
	if len(order) == 0 {
		t.Fatal("no shell scripts in the render: the wait-for init containers at least should be there")
	}
	for _, s := range order {
		if findings := shellcheck(t, bin, s); findings != "" {
			t.Errorf("script of %s:\n%s\n%s", strings.Join(where[s], ", "), findings, s)
		}
	}
	t.Logf("%d distinct scripts checked", len(order))
}

// TestShellcheckCatchesProblems proves the check can fail.
func TestShellcheckCatchesProblems(t *testing.T) {
	bin := testtool.Require(t, "shellcheck")
	if got := shellcheck(t, bin, "echo $1\n"); !strings.Contains(got, "SC2086") {
		t.Fatalf("an unquoted expansion must be reported, got %q", got)
	}
	if _, ok := script(corev1.Container{Command: []string{"/bin/sh"}, Args: []string{"-c", "true"}}); !ok {
		t.Fatal("command [sh] with args [-c, SCRIPT] is a script too")
	}
	if _, ok := script(corev1.Container{Command: []string{"/shell/busybox", "sh", "-c", "true"}}); !ok {
		t.Fatal("command [/shell/busybox, sh, -c, SCRIPT] is a script too")
	}
}
