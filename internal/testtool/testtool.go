// Package testtool finds the real programs tests run against (busybox,
// shellcheck, psql...). Locally a missing program skips the test; in CI
// (CI=true) it fails it, so a green CI run never hides a test that
// silently did not run.
package testtool

import (
	"os"
	"os/exec"
	"testing"
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
