package guard

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// Manifests parses multi-document YAML (rendered manifests) into one node
// per object (Documents), each of which must have an object's shape
// (Objects).
func Manifests(name string, data []byte) ([]*yaml.RNode, error) {
	nodes, err := Documents(name, data)
	if err != nil {
		return nil, err
	}
	return nodes, Objects(name, nodes...)
}

// Documents parses multi-document YAML into one node per document, within
// the limits: every document is checked (Check) before its aliases are
// expanded, and a single List (kubectl get -o yaml) is unwrapped into its
// items. Lines and columns are the stream's (kio's reader starts them
// again in every document).
func Documents(name string, data []byte) ([]*yaml.RNode, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var docs []*yaml.Node
	for {
		doc := &yaml.Node{}
		err := dec.Decode(doc)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, YAMLError(name, err)
		}
		docs = append(docs, doc)
	}
	if err := Check(name, docs...); err != nil {
		return nil, err
	}
	var out []*yaml.RNode
	for _, doc := range docs {
		n := yaml.NewRNode(doc)
		if yaml.IsMissingOrNull(n) || yaml.IsYNodeEmptyDoc(doc) {
			continue
		}
		if !anchored(doc) {
			out = append(out, n)
			continue // DeAnchor copies and merges even when there is nothing to expand
		}
		if err := n.DeAnchor(); err != nil {
			return nil, Errors{{Pos: Pos{File: name, Line: doc.Line, Column: doc.Column}, Message: "invalid YAML: " + err.Error()}}
		}
		out = append(out, n)
	}
	if len(out) == 1 && out[0].YNode().Kind == yaml.MappingNode && out[0].GetKind() == "List" {
		if items := out[0].Field("items"); items != nil && items.Value.YNode().Kind == yaml.SequenceNode {
			var list []*yaml.RNode
			for _, item := range items.Value.Content() {
				list = append(list, yaml.NewRNode(item))
			}
			return list, nil
		}
	}
	return out, nil
}

// yamlLine finds the line go-yaml's messages name.
var yamlLine = regexp.MustCompile(`yaml: line (\d+): (.*)$`)

// YAMLError is a parser's error, located: "yaml: line 3: did not find
// expected key" becomes "NAME:3:1: invalid YAML: did not find expected
// key". The message is the parser's own (it never quotes more than a
// character of the input).
func YAMLError(name string, err error) error {
	msg := err.Error()
	if m := yamlLine.FindStringSubmatch(msg); m != nil {
		line, _ := strconv.Atoi(m[1])
		return Errors{{Pos: Pos{File: name, Line: line, Column: 1}, Message: "invalid YAML: " + m[2]}}
	}
	if i := strings.Index(msg, "yaml: "); i >= 0 {
		msg = msg[i+len("yaml: "):]
	}
	return Errors{{Pos: Pos{File: name}, Message: "invalid YAML: " + msg}}
}

// Check applies the structural limits to parsed documents: nesting at
// most MaxDepth (aliases expanded), aliases adding at most as many nodes
// as the documents hold (and at least MinAliasBudget), no alias inside
// the value it names, and no key twice in a mapping (two kinds in one
// object, say, of which a reader would see one and the API server
// another). Its cost is linear in what is written: expansion is counted,
// never performed.
func Check(name string, docs ...*yaml.Node) error {
	c := &checker{name: name, size: map[*yaml.Node]int{}, height: map[*yaml.Node]int{}, active: map[*yaml.Node]bool{}}
	written, expanded := 0, 0
	for _, d := range docs {
		if d == nil {
			continue
		}
		c.walk(d, 1)
		if len(c.errs) > 0 {
			return c.errs.Sorted()
		}
		written += countWritten(d)
		expanded = saturatingAdd(expanded, c.size[d])
	}
	if budget := max(MinAliasBudget, written); expanded-written > budget {
		at := c.largestAlias
		return Errors{{Pos: Pos{File: name, Line: at.Line, Column: at.Column}, Message: fmt.Sprintf(
			"alias *%s expands the input beyond its limit (YAML aliases may add at most as many nodes as the input has, and at least %d): write the values out, or use fewer nested aliases", at.Value, MinAliasBudget)}}
	}
	return nil
}

// expansionCap keeps counted sizes from overflowing: far past any budget.
const expansionCap = 1 << 50

func saturatingAdd(a, b int) int { return min(a+b, expansionCap) }

type checker struct {
	name   string
	size   map[*yaml.Node]int // nodes a value holds, aliases expanded
	height map[*yaml.Node]int // levels a value nests, aliases expanded
	active map[*yaml.Node]bool
	// largestAlias adds the most nodes: where a refusal points.
	largestAlias *yaml.Node
	errs         Errors
}

func (c *checker) errorAt(n *yaml.Node, format string, args ...any) {
	c.errs = append(c.errs, Error{Pos: Pos{File: c.name, Line: n.Line, Column: n.Column}, Message: fmt.Sprintf(format, args...)})
}

// walk checks n, written at depth, and records its expanded size and
// height. It stops at the first problem: one is enough to refuse.
func (c *checker) walk(n *yaml.Node, depth int) {
	if len(c.errs) > 0 {
		return
	}
	if _, done := c.size[n]; done {
		return // an alias's value, seen before
	}
	if depth > MaxDepth {
		c.errorAt(n, "values nest deeper than %d levels", MaxDepth)
		return
	}
	c.active[n] = true
	defer delete(c.active, n)
	size, height := 1, 1
	if n.Kind == yaml.AliasNode {
		if n.Alias == nil || c.active[n.Alias] {
			c.errorAt(n, "alias *%s refers to a value that contains it", Escape(n.Value))
			return
		}
		c.walk(n.Alias, depth)
		size, height = c.size[n.Alias], c.height[n.Alias]
		if depth+height-1 > MaxDepth {
			c.errorAt(n, "values nest deeper than %d levels", MaxDepth)
			return
		}
		if c.largestAlias == nil || size > c.size[c.largestAlias] {
			c.largestAlias = n
		}
	}
	if n.Kind == yaml.MappingNode {
		c.duplicateKeys(n)
	}
	for _, k := range n.Content {
		c.walk(k, depth+1)
		size = saturatingAdd(size, c.size[k])
		height = max(height, c.height[k]+1)
	}
	c.size[n], c.height[n] = size, height
}

// duplicateKeys refuses a mapping that sets a key twice.
func (c *checker) duplicateKeys(n *yaml.Node) {
	first := map[string]*yaml.Node{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k := n.Content[i]
		if k.Kind != yaml.ScalarNode || k.ShortTag() == "!!merge" {
			continue
		}
		if f, ok := first[k.Value]; ok {
			c.errorAt(k, "key %s appears twice in one mapping (first at line %d)", Quote(k.Value), f.Line)
			continue
		}
		first[k.Value] = k
	}
}

// anchored says n or a value below it defines an anchor, is an alias or
// a merge key: what DeAnchor resolves.
func anchored(n *yaml.Node) bool {
	if n.Anchor != "" || n.Kind == yaml.AliasNode || n.Value == "<<" && n.ShortTag() == "!!merge" {
		return true
	}
	return slices.ContainsFunc(n.Content, anchored)
}

// countWritten counts the nodes as written, aliases not followed.
func countWritten(n *yaml.Node) int {
	c := 1
	for _, k := range n.Content {
		c += countWritten(k)
	}
	return c
}

// Objects refuses documents that are not shaped like Kubernetes objects
// where kyaml's accessors (GetKind, GetName, GetLabels...) assume the
// shape and would panic: the document a mapping; apiVersion and kind
// text; metadata a mapping whose name, namespace and generateName are
// text and whose labels and annotations map text to text. What is absent
// is not its business: whoever needs a field says so.
func Objects(name string, docs ...*yaml.RNode) error {
	var errs Errors
	bad := func(n *yaml.Node, format string, args ...any) {
		errs = append(errs, Error{Pos: Pos{File: name, Line: n.Line, Column: n.Column}, Message: fmt.Sprintf(format, args...)})
	}
	for _, d := range docs {
		n := d.YNode()
		if n.Kind != yaml.MappingNode {
			bad(n, "expected an object (a mapping), found %s", nodeKind(n))
			continue
		}
		for _, f := range []string{"apiVersion", "kind"} {
			if v := field(n, f); v != nil && !isText(v) {
				bad(v, "%s: expected text, found %s", f, nodeKind(v))
			}
		}
		meta := field(n, "metadata")
		if meta == nil {
			continue
		}
		if meta.Kind != yaml.MappingNode {
			bad(meta, "metadata: expected a mapping, found %s", nodeKind(meta))
			continue
		}
		for _, f := range []string{"name", "namespace", "generateName"} {
			if v := field(meta, f); v != nil && !isText(v) {
				bad(v, "metadata.%s: expected text, found %s", f, nodeKind(v))
			}
		}
		for _, f := range []string{"labels", "annotations"} {
			m := field(meta, f)
			if m == nil || m.Kind == yaml.ScalarNode && m.ShortTag() == "!!null" {
				continue
			}
			if m.Kind != yaml.MappingNode {
				bad(m, "metadata.%s: expected a mapping, found %s", f, nodeKind(m))
				continue
			}
			for i := 0; i+1 < len(m.Content); i += 2 {
				if k, v := m.Content[i], m.Content[i+1]; !isText(k) || !isText(v) {
					bad(k, "metadata.%s: expected text keys and values", f)
					break
				}
			}
		}
	}
	if len(errs) > 0 {
		return errs.Sorted()
	}
	return nil
}

// field is the value of key in mapping m, or nil.
func field(m *yaml.Node, key string) *yaml.Node {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Kind == yaml.ScalarNode && m.Content[i].Value == key {
			return m.Content[i+1]
		}
	}
	return nil
}

// isText: a scalar, which the API server reads as a string (a number or
// a boolean in a label is quoted by kyaml, not a crash).
func isText(n *yaml.Node) bool { return n.Kind == yaml.ScalarNode }

// nodeKind names a node's kind for messages.
func nodeKind(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.AliasNode:
		return "an alias"
	case yaml.DocumentNode:
		return "a document"
	}
	if n.ShortTag() == "!!null" {
		return "nothing (null)"
	}
	return "a scalar"
}
