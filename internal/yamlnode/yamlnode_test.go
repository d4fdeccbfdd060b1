package yamlnode_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"sigs.k8s.io/kustomize/kyaml/yaml"
	sigsyaml "sigs.k8s.io/yaml"

	"github.com/novagen/novagen/catalog"
	"github.com/novagen/novagen/catalog/load"
	"github.com/novagen/novagen/generators"
	"github.com/novagen/novagen/internal/golden"
	"github.com/novagen/novagen/internal/yamlnode"
	"github.com/novagen/novagen/render"
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

// toNodeCorpus is every object every generator makes from every test
// catalog and a synthetic one, and values that need care.
func toNodeCorpus(t *testing.T) []any {
	t.Helper()
	paths, err := filepath.Glob("../../generators/*/testdata/*/catalog.yaml")
	if err != nil {
		t.Fatal(err)
	}
	paths = append(paths, "../../services.yaml", "../../test/catalogs/longest-names.yaml")
	var cats []*catalog.Catalog
	for _, p := range paths {
		cat, err := load.Load(p)
		if err != nil {
			t.Fatal(err)
		}
		cats = append(cats, cat)
	}
	data, err := synth.Catalog(synth.Options{Services: 200, Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	cat, err := load.Parse("synth.yaml", data)
	if err != nil {
		t.Fatal(err)
	}
	cats = append(cats, cat)

	var values []any
	for _, cat := range cats {
		objs, err := generators.Generate(cat, generators.Default().All())
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
		"float64": 0.25, "whole": 3.0, "tiny": 1e-9, "huge": 1e21, "negzero": math.Copysign(0, -1), "maxint": math.MaxInt64,
		"escapes": "<tag> & \"quoted\" \\ \t \b \f \u2028 \x01 \xff", "nested": []any{[]any{}, []any{map[string]any{"b": 1, "a": []any{nil}}}},
	}
	values = append(values, tricky)
	if len(values) < 500 {
		t.Fatalf("only %d values", len(values))
	}
	return values
}

// TestToNodeMatchesPrintAndParse: for every value of the corpus ToNode
// writes exactly the bytes printing and parsing wrote.
func TestToNodeMatchesPrintAndParse(t *testing.T) {
	values := toNodeCorpus(t)
	for _, v := range values {
		want := write(t, printAndParse(t, v).YNode())
		n, err := yamlnode.ToNode(v)
		if err != nil {
			t.Fatal(err)
		}
		if got := write(t, n); !bytes.Equal(want, got) {
			t.Errorf("ToNode differs from print and parse:\n%s", golden.Diff("print and parse", want, "ToNode", got))
		}
	}
	t.Logf("%d objects compared", len(values))
}

// TestToNodeMatchesDecode: for every value of the corpus ToNode builds
// the very tree (kinds, tags, styles, values, key order) the generic JSON
// decode it replaces built.
func TestToNodeMatchesDecode(t *testing.T) {
	for _, v := range toNodeCorpus(t) {
		sameTreeAsDecode(t, v)
	}
}

// FuzzToNode: any keys, strings and numbers make the tree the generic
// decode makes.
func FuzzToNode(f *testing.F) {
	f.Add("key", "value", int64(1), 1.5)
	f.Add("01-x", "a\nb", int64(-1), 1e21)
	f.Add("<&>", "\"\\\u2028\xff", int64(math.MinInt64), math.SmallestNonzeroFloat64)
	f.Fuzz(func(t *testing.T, k, s string, i int64, x float64) {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return // json.Marshal refuses them
		}
		sameTreeAsDecode(t, map[string]any{
			k: s, s: k, "i": i, "x": x, "list": []any{s, i, x, nil, true, []any{}, map[string]any{k: []any{s}}},
			k + "1": map[string]any{}, k + "10": x, k + "9": i,
		})
	})
}

func sameTreeAsDecode(t *testing.T, v any) {
	t.Helper()
	got, err := yamlnode.ToNode(v)
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var data any
	if err := dec.Decode(&data); err != nil {
		t.Fatal(err)
	}
	if path := treeDiff(decodedNode(data), got, "$"); path != "" {
		t.Fatalf("ToNode differs from the generic decode at %s (JSON %s)", path, b)
	}
}

// decodedNode is how ToNode built nodes from a generic decode (with
// UseNumber) before it read the JSON itself.
func decodedNode(v any) *yaml.Node {
	switch x := v.(type) {
	case map[string]any:
		n := &yaml.Node{Kind: yaml.MappingNode, Tag: yaml.NodeTagMap}
		if len(x) == 0 {
			n.Style = yaml.FlowStyle
		}
		keys := slices.Sorted(maps.Keys(x))
		slices.SortStableFunc(keys, yamlnode.NaturalCompare)
		for _, k := range keys {
			n.Content = append(n.Content, decodedNode(k), decodedNode(x[k]))
		}
		return n
	case []any:
		n := &yaml.Node{Kind: yaml.SequenceNode, Tag: yaml.NodeTagSeq}
		if len(x) == 0 {
			n.Style = yaml.FlowStyle
		}
		for _, item := range x {
			n.Content = append(n.Content, decodedNode(item))
		}
		return n
	case string:
		n := &yaml.Node{Kind: yaml.ScalarNode, Tag: yaml.NodeTagString, Value: x}
		switch {
		case strings.Contains(x, "\n"):
			n.Style = yaml.LiteralStyle
		case yamlnode.NeedsQuotes(x):
			n.Style = yaml.DoubleQuotedStyle
		}
		return n
	case json.Number:
		if i, err := x.Int64(); err == nil {
			return &yaml.Node{Kind: yaml.ScalarNode, Tag: yaml.NodeTagInt, Value: strconv.FormatInt(i, 10)}
		}
		f, _ := x.Float64()
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: yaml.NodeTagFloat, Value: strconv.FormatFloat(f, 'g', -1, 64)}
	case bool:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: yaml.NodeTagBool, Value: strconv.FormatBool(x)}
	default: // nil
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: yaml.NodeTagNull, Value: "null"}
	}
}

// treeDiff is the path of the first difference between two trees, or "".
func treeDiff(want, got *yaml.Node, path string) string {
	if want.Kind != got.Kind || want.Tag != got.Tag || want.Style != got.Style || want.Value != got.Value || len(want.Content) != len(got.Content) {
		return fmt.Sprintf("%s: want %v %s %v %q (%d children), got %v %s %v %q (%d children)", path,
			want.Kind, want.Tag, want.Style, want.Value, len(want.Content), got.Kind, got.Tag, got.Style, got.Value, len(got.Content))
	}
	for i := range want.Content {
		if d := treeDiff(want.Content[i], got.Content[i], fmt.Sprintf("%s[%d]", path, i)); d != "" {
			return d
		}
	}
	return ""
}
