package render_test

import (
	"bytes"
	"path/filepath"
	"testing"

	"sigs.k8s.io/kustomize/kyaml/yaml"
	sigsyaml "sigs.k8s.io/yaml"

	"github.com/novagen/novagen/generators"
	"github.com/novagen/novagen/internal/golden"
	"github.com/novagen/novagen/render"
	"github.com/novagen/novagen/schema"
	"github.com/novagen/novagen/synth"
)

// printAndParse is what ToNode replaces: print with sigs.k8s.io/yaml,
// parse with kyaml.
func printAndParse(t *testing.T, v any) *yaml.RNode {
	t.Helper()
	b, err := sigsyaml.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	n, err := yaml.Parse(string(b))
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func write(t *testing.T, n *yaml.Node) []byte {
	t.Helper()
	out, err := render.Bytes([]*yaml.RNode{yaml.NewRNode(n)})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestToNodeMatchesPrintAndParse: for every object every generator makes
// from every test catalog and a synthetic one, and for strings that need
// care, ToNode writes exactly the bytes printing and parsing wrote.
func TestToNodeMatchesPrintAndParse(t *testing.T) {
	paths, err := filepath.Glob("../generators/*/testdata/*/catalog.yaml")
	if err != nil {
		t.Fatal(err)
	}
	paths = append(paths, "../services.yaml", "../test/catalogs/longest-names.yaml")
	var cats []*schema.Catalog
	for _, p := range paths {
		cat, err := schema.Load(p)
		if err != nil {
			t.Fatal(err)
		}
		cats = append(cats, cat)
	}
	data, err := synth.Catalog(synth.Options{Services: 200, Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	cat, err := schema.Parse("synth.yaml", data)
	if err != nil {
		t.Fatal(err)
	}
	cats = append(cats, cat)

	var values []any
	for _, cat := range cats {
		objs, err := generators.Generate(cat, generators.All())
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range objs {
			values = append(values, o)
		}
	}
	tricky := map[string]any{
		"empty": "", "yes": "yes", "on": "On", "no": "N", "null": "null", "tilde": "~",
		"int": "5432", "octal": "0755", "hex": "0x1F", "float": "1.5", "exp": "1e3", "inf": ".inf",
		"base60": "1:30", "date": "2001-12-14", "template": "{{ .password }}", "colon": "a: b",
		"hash": "# not a comment", "dash": "- item", "star": "*alias", "amp": "&anchor",
		"quote": "it's", "dquote": `say "hi"`, "lines": "a\nb\n", "trailing": "a \nb", "lead": " a",
		"unicode": "é ✓", "percent": "%TAG", "at": "@x", "bang": "!tag", "pipe": "|x", "brace": "{x}",
		// Natural order, as the YAML encoders sort keys. (It is not
		// transitive for keys like 1-x, 01-x, 0a, where the encoders' own
		// order depends on Go's map order; ToNode's is fixed.)
		"keys": map[string]any{"a10": 1, "a9": 2, "a": 3, "A": 4, "_x": 6, "01-x": 7, "b2c": 8, "b10c": 9, "x-1": 10},
		"list": []any{}, "map": map[string]any{}, "nil": nil, "bool": true, "neg": -3, "big": 1 << 40,
	}
	values = append(values, tricky)
	if len(values) < 500 {
		t.Fatalf("only %d values", len(values))
	}
	for _, v := range values {
		want := write(t, printAndParse(t, v).YNode())
		n, err := render.ToNode(v)
		if err != nil {
			t.Fatal(err)
		}
		if got := write(t, n); !bytes.Equal(want, got) {
			t.Errorf("ToNode differs from print and parse:\n%s", golden.Diff("print and parse", want, "ToNode", got))
		}
	}
	t.Logf("%d objects compared", len(values))
}
