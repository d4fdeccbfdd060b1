// Package testtool finds the real programs tests run against (busybox,
// shellcheck, psql...). Locally a missing program skips the test; in CI
// (CI=true) it fails it, so a green CI run never hides a test that
// silently did not run.
package testtool

import (
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
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

// CatalogFiles reads every catalog of the repository below root: its
// services.yaml, every testdata/**/catalog.yaml, test/catalogs and the
// error corpus (most of which does not load, but its near misses are good
// fuzz seeds).
func CatalogFiles(t testing.TB, root string) [][]byte {
	t.Helper()
	paths := []string{filepath.Join(root, "services.yaml")}
	for _, glob := range []string{"schema/testdata/errors/*.yaml", "test/catalogs/*.yaml"} {
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
