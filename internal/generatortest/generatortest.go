// Package generatortest runs the golden test every generator shares.
package generatortest

import (
	"path/filepath"
	"testing"

	"sigs.k8s.io/kustomize/kyaml/yaml"

	"github.com/novagen/novagen/generators/kube"
	"github.com/novagen/novagen/internal/golden"
	"github.com/novagen/novagen/render"
	"github.com/novagen/novagen/schema"
)

// GeneratorCases is the table-driven golden test every generator shares:
// each testdata/<case>/catalog.yaml is loaded, gen runs on it and the
// rendered output must equal testdata/<case>/expected.yaml.
func GeneratorCases(t *testing.T, gen func(*schema.Catalog) ([]kube.Object, error)) {
	t.Helper()
	catalogs, err := filepath.Glob(filepath.Join("testdata", "*", "catalog.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if len(catalogs) == 0 {
		t.Fatal("no testdata/<case>/catalog.yaml: a generator needs at least one golden case")
	}
	for _, path := range catalogs {
		dir := filepath.Dir(path)
		t.Run(filepath.Base(dir), func(t *testing.T) {
			cat, err := schema.Load(path)
			if err != nil {
				t.Fatal(err)
			}
			out, err := render.Bytes(Nodes(t, gen, cat))
			if err != nil {
				t.Fatal(err)
			}
			golden.Assert(t, filepath.Join(dir, "expected.yaml"), out)
		})
	}
}

// Nodes runs gen on cat and returns its objects as sorted nodes, failing
// the test on any error.
func Nodes(t testing.TB, gen func(*schema.Catalog) ([]kube.Object, error), cat *schema.Catalog) []*yaml.RNode {
	t.Helper()
	objs, err := gen(cat)
	if err != nil {
		t.Fatal(err)
	}
	nodes, err := render.Nodes(objs)
	if err != nil {
		t.Fatal(err)
	}
	return nodes
}
