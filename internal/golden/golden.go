// Package golden compares test output with files under version control.
// Run with UPDATE_GOLDEN=1 (make golden) to rewrite them; then read the
// diff before committing: a golden file is only as good as that review.
package golden

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/pmezard/go-difflib/difflib"
)

// Updating reports whether golden files are being rewritten.
func Updating() bool { return os.Getenv("UPDATE_GOLDEN") == "1" }

// Assert fails with a unified diff when got differs from the file at
// path, or rewrites the file when updating.
func Assert(t testing.TB, path string, got []byte) {
	t.Helper()
	if Updating() {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run `make golden` to create it)", err)
	}
	if string(want) == string(got) {
		return
	}
	t.Errorf("output differs from %s (run `make golden` to accept, then review the diff):\n%s", path, Diff(path, want, "got", got))
}

// Diff is a unified diff of two texts, for readable test failures.
func Diff(nameA string, a []byte, nameB string, b []byte) string {
	diff, _ := difflib.GetUnifiedDiffString(difflib.UnifiedDiff{
		A: difflib.SplitLines(string(a)), B: difflib.SplitLines(string(b)),
		FromFile: nameA, ToFile: nameB, Context: 3,
	})
	return diff
}
