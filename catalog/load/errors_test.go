package load

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/novagen/novagen/generators"
	"github.com/novagen/novagen/internal/golden"
)

// TestErrorCorpus loads every bad catalog in testdata/errors and compares
// the complete error report with the .err file beside it: the exact text
// a user sees, FILE:LINE:COL included.
func TestErrorCorpus(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "errors", "*.yaml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no error corpus: %v", err)
	}
	for _, f := range files {
		t.Run(strings.TrimSuffix(filepath.Base(f), ".yaml"), func(t *testing.T) {
			// As novagen validate: the catalog with the generators'
			// checks, then every environment.
			cat, err := Options{Checks: generators.Default().Checks()}.Load(f)
			if err == nil {
				err = CheckEnvironments(cat)
			}
			if err == nil {
				t.Fatalf("%s loaded without error: %+v", f, cat.Spec.Services)
			}
			golden.Assert(t, strings.TrimSuffix(f, ".yaml")+".err", []byte(err.Error()+"\n"))
			for _, line := range strings.Split(err.Error(), "\n") {
				if !strings.HasPrefix(line, f+":") {
					t.Errorf("error line does not start with %s:LINE:COL: %q", f, line)
				}
			}
		})
	}
}

func TestLoadMissingFile(t *testing.T) {
	_, err := Load(filepath.Join(t.TempDir(), "nope.yaml"))
	if err == nil || !strings.Contains(err.Error(), "nope.yaml: cannot read catalog") {
		t.Fatalf("got %v", err)
	}
}

func TestStagingCatalogLoads(t *testing.T) {
	path := filepath.Join("..", "..", "services.yaml")
	if _, err := os.Stat(path); err != nil {
		t.Fatal(err)
	}
	cat, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(cat.Spec.Services) == 0 || cat.Graph() == nil {
		t.Fatal("staging catalog has no services or no graph")
	}
}
