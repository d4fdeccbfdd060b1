package output

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"sigs.k8s.io/kustomize/kyaml/yaml"

	"github.com/novagen/novagen/internal/k8snames"
	"github.com/novagen/novagen/internal/rendertest"
	"github.com/novagen/novagen/schema"
	"github.com/novagen/novagen/synth"
)

// testCatalogs are every catalog of the repository that loads: the
// staging one, the generators' golden cases, the function's, and the
// catalogs of test/catalogs (the longest names among them).
func testCatalogs(t *testing.T) []string {
	t.Helper()
	var out []string
	for _, pattern := range []string{
		"../../services.yaml",
		"../../generators/*/testdata/*/catalog.yaml",
		"../../fns/testdata/catalog.yaml",
		"../catalogs/*.yaml",
	} {
		m, err := filepath.Glob(pattern)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, m...)
	}
	if len(out) < 15 {
		t.Fatalf("found only %d catalogs: %v", len(out), out)
	}
	return out
}

// namedCatalog is a loaded test catalog and where it came from.
type namedCatalog struct {
	name string
	cat  *schema.Catalog
}

// loadTestCatalogs loads every test catalog and a synthetic one of 300
// services (novagen synth), the shape a large team's catalog has.
func loadTestCatalogs(t *testing.T) []namedCatalog {
	t.Helper()
	var out []namedCatalog
	for _, path := range testCatalogs(t) {
		cat, err := schema.Load(path)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, namedCatalog{strings.TrimPrefix(path, "../../"), cat})
	}
	data, err := synth.Catalog(synth.Options{Services: 300, Seed: 7})
	if err != nil {
		t.Fatal(err)
	}
	cat, err := schema.Parse("synth-300.yaml", data)
	if err != nil {
		t.Fatal(err)
	}
	return append(out, namedCatalog{"synth-300", cat})
}

// render runs the whole pipeline on the catalog, as `novagen render` does.
func (c namedCatalog) render(t *testing.T) []*yaml.RNode {
	t.Helper()
	return rendertest.Catalog(t, c.cat)
}

// TestNamesAndLabelsValid renders every test catalog and checks every name
// and label against the rules the API server applies, with
// k8s.io/apimachinery's own validation functions.
func TestNamesAndLabelsValid(t *testing.T) {
	for _, c := range loadTestCatalogs(t) {
		t.Run(c.name, func(t *testing.T) {
			for _, n := range c.render(t) {
				for _, p := range k8snames.Problems(n) {
					t.Errorf("%s %s: %s", n.GetKind(), n.GetName(), p)
				}
			}
		})
	}
}

// TestLongestNamesAreTheLongest: test/catalogs/longest-names.yaml is at
// the limit: one character more on any of its names is a load error, so
// the render above really checks the longest names the loader lets
// through.
func TestLongestNamesAreTheLongest(t *testing.T) {
	const path = "../catalogs/longest-names.yaml"
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := schema.Parse(path, data); err != nil {
		t.Fatal(err)
	}
	// Every name the catalog builds at its limit ends in "xz"; each is
	// grown by one character in turn.
	var names []string
	for _, f := range strings.FieldsFunc(string(data), func(r rune) bool { return strings.ContainsRune(" \n,[]{}:", r) }) {
		if strings.HasSuffix(f, "xz") && !slices.Contains(names, f) {
			names = append(names, f)
		}
	}
	if len(names) < 10 {
		t.Fatalf("found only %d names at their limit: %v", len(names), names)
	}
	for _, name := range names {
		longer := strings.TrimSuffix(name, "z") + "xz"
		grown := strings.ReplaceAll(string(data), name, longer)
		if _, err := schema.Parse(path, []byte(grown)); err == nil {
			t.Errorf("%q (%d) grown to %d characters still loads: it is not at its limit", name, len(name), len(longer))
		}
	}
	t.Logf("%d names at their limit", len(names))
}
