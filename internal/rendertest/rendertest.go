// Package rendertest renders catalogs for tests the way `novagen render`
// does (every generator, then every transformer), failing the test on any
// error, so tests over rendered output share one fixture path.
package rendertest

import (
	"os"
	"path/filepath"
	"testing"

	"sigs.k8s.io/kustomize/kyaml/yaml"

	"github.com/novagen/novagen/catalog"
	"github.com/novagen/novagen/generators"
	"github.com/novagen/novagen/pipeline"
)

// Catalog renders a loaded catalog.
func Catalog(t testing.TB, cat *catalog.Catalog) []*yaml.RNode {
	t.Helper()
	nodes, err := pipeline.Run(cat, pipeline.Options{Registry: generators.Default()}, nil)
	if err != nil {
		t.Fatal(err)
	}
	return nodes
}

// File loads and renders the catalog at path.
func File(t testing.TB, path string) []*yaml.RNode {
	t.Helper()
	cat, err := pipeline.Loader(generators.Default()).Load(path)
	if err != nil {
		t.Fatal(err)
	}
	return Catalog(t, cat)
}

// Text parses and renders a catalog's text as if it were services.yaml at
// the repository's root (its protos resolve there); it returns the
// catalog too.
func Text(t testing.TB, text string) (*catalog.Catalog, []*yaml.RNode) {
	t.Helper()
	root, err := os.OpenRoot(repoRoot(t))
	if err != nil {
		t.Fatal(err)
	}
	defer root.Close()
	cat, err := pipeline.Loader(generators.Default()).ParseIn(root, "services.yaml", []byte(text), "")
	if err != nil {
		t.Fatal(err)
	}
	return cat, Catalog(t, cat)
}

// repoRoot is the nearest directory above the test's with a go.mod.
func repoRoot(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod above the test's directory")
		}
		dir = parent
	}
}
