package output

import (
	"maps"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"sigs.k8s.io/kustomize/kyaml/yaml"

	"github.com/novagen/novagen/catalog"
	"github.com/novagen/novagen/catalog/load"
	"github.com/novagen/novagen/internal/k8snames"
	"github.com/novagen/novagen/internal/rendertest"
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
	cat  *catalog.Catalog
}

// loadTestCatalogs loads every test catalog and a synthetic one of 300
// services (novagen synth), the shape a large team's catalog has.
func loadTestCatalogs(t *testing.T) []namedCatalog {
	t.Helper()
	var out []namedCatalog
	for _, path := range testCatalogs(t) {
		cat, err := load.Load(path)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, namedCatalog{strings.TrimPrefix(path, "../../"), cat})
	}
	data, err := synth.Catalog(synth.Options{Services: 300, Seed: 7})
	if err != nil {
		t.Fatal(err)
	}
	cat, err := load.Parse("synth-300.yaml", data)
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

// TestLongestNamesAreTheLongest: the longest-names catalogs of
// test/catalogs are at the limit: one character more on any of their
// names (and on the major API version) is a load error, so the render
// above really checks the longest names the loader lets through.
func TestLongestNamesAreTheLongest(t *testing.T) {
	tests := []struct {
		path string
		more map[string]string // other values at their limit, grown
	}{
		{"../catalogs/longest-names.yaml", nil},
		{"../catalogs/longest-names-contracts.yaml", map[string]string{"version: 1234567.0.0": "version: 12345678.0.0"}},
	}
	for _, tt := range tests {
		t.Run(filepath.Base(tt.path), func(t *testing.T) {
			data, err := os.ReadFile(tt.path)
			if err != nil {
				t.Fatal(err)
			}
			if err := parseIn(t, tt.path, data); err != nil {
				t.Fatal(err)
			}
			grown := maps.Clone(tt.more)
			if grown == nil {
				grown = map[string]string{}
			}
			// Every name the catalog builds at its limit ends in "xz";
			// each is grown by one character in turn.
			for _, f := range strings.FieldsFunc(string(data), func(r rune) bool { return strings.ContainsRune(" \n,[]{}:", r) }) {
				if strings.HasSuffix(f, "xz") {
					grown[f] = strings.TrimSuffix(f, "z") + "xz"
				}
			}
			if len(grown) < 2 {
				t.Fatalf("found only %d values at their limit: %v", len(grown), grown)
			}
			for from, to := range grown {
				if err := parseIn(t, tt.path, []byte(strings.ReplaceAll(string(data), from, to))); err == nil {
					t.Errorf("%q grown to %q still loads: it is not at its limit", from, to)
				}
			}
			t.Logf("%d values at their limit", len(grown))
		})
	}
}

// parseIn loads a catalog's text as if it were the file at path: its
// relative paths (proto files) resolve beside it.
func parseIn(t *testing.T, path string, data []byte) error {
	t.Helper()
	root, err := os.OpenRoot(filepath.Dir(path))
	if err != nil {
		t.Fatal(err)
	}
	defer root.Close()
	_, err = load.ParseIn(root, path, data, "")
	return err
}
