package render

import (
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"sigs.k8s.io/kustomize/kyaml/kio"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// TestParseLines: Parse reads what kio.FromBytes reads, with each node's
// line counted from the start of the stream.
func TestParseLines(t *testing.T) {
	cases := []struct {
		name  string
		in    string
		lines []int // of each node's name value
	}{
		{"one document", "kind: A\nmetadata:\n  name: a\n", []int{3}},
		{"after a leading separator", "---\nkind: A\nmetadata:\n  name: a\n", []int{4}},
		{"three documents", "kind: A\nmetadata: {name: a}\n---\n# b\n\nkind: B\nmetadata:\n  name: b\n--- # c\nkind: C\nmetadata: {name: c}\n", []int{2, 8, 11}},
		{"empty documents skipped", "---\n---\nkind: A\nmetadata: {name: a}\n---\n\n---\nkind: B\nmetadata: {name: b}\n", []int{4, 9}},
		{"CRLF", "kind: A\r\nmetadata: {name: a}\r\n---\r\nkind: B\r\nmetadata: {name: b}\r\n", []int{2, 5}},
		{"a List unwrapped", "kind: List\nitems:\n- kind: A\n  metadata: {name: a}\n- kind: B\n  metadata: {name: b}\n", []int{4, 6}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			nodes, err := Parse([]byte(tc.in))
			if err != nil {
				t.Fatal(err)
			}
			var lines []int
			for _, n := range nodes {
				name, err := n.Pipe(yaml.Lookup("metadata", "name"))
				if err != nil || name == nil {
					t.Fatalf("no metadata.name in %s (%v)", n.MustString(), err)
				}
				lines = append(lines, name.YNode().Line)
			}
			if !slices.Equal(lines, tc.lines) {
				t.Errorf("lines %v, want %v", lines, tc.lines)
			}
			sameAsKio(t, []byte(tc.in), nodes)
		})
	}
}

// TestParseAsKio: the golden renders read the same through Parse and
// kio.FromBytes; a bad separator is a located error.
func TestParseAsKio(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("..", "golden", "examples", "*.yaml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no golden examples (%v)", err)
	}
	for _, f := range files {
		data, nodes := parseFile(t, f)
		sameAsKio(t, data, nodes)
	}
	if _, err := Parse([]byte("a: 1\n--- b\nc: 2\n")); err == nil || !strings.Contains(err.Error(), "<input>:3:") {
		t.Errorf("a bad separator: %v", err)
	}
}

// parseFile reads and parses the file f.
func parseFile(t *testing.T, f string) ([]byte, []*yaml.RNode) {
	t.Helper()
	data, err := os.ReadFile(f)
	if err != nil {
		t.Fatal(err)
	}
	nodes, err := Parse(data)
	if err != nil {
		t.Fatalf("%s: %v", f, err)
	}
	return data, nodes
}

// sameAsKio checks that nodes hold what kio.FromBytes(in) reads (the
// values: a comment between documents may be kept with either).
func sameAsKio(t *testing.T, in []byte, nodes []*yaml.RNode) {
	t.Helper()
	want, err := kio.FromBytes(in)
	if err != nil {
		t.Fatal(err)
	}
	if len(nodes) != len(want) {
		t.Fatalf("Parse read %d objects, kio.FromBytes %d", len(nodes), len(want))
	}
	for i := range nodes {
		g, gerr := nodes[i].Map()
		w, werr := want[i].Map()
		if gerr != nil || werr != nil || !reflect.DeepEqual(g, w) {
			t.Errorf("object %d: Parse read\n%s\nkio.FromBytes\n%s", i, nodes[i].MustString(), want[i].MustString())
		}
	}
}
