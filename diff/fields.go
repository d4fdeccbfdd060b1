package diff

import (
	"fmt"
	"strconv"
	"strings"

	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// fieldDiff returns the field paths at which a and b differ, in document
// order: a field or list item on one side only is reported once, marked
// (added) or (removed), not its subtree; an added list item's index is
// the new list's, a removed one's the old list's. A changed scalar shows
// its old and new values (path: old → new), cut short, unless hide says
// the path's values are secret: then it shows (changed).
// Lists whose items all have a name (containers, env, ports, volumes)
// are compared by name (containers[name=app]), others by index.
func fieldDiff(a, b *yaml.Node, hide func(path string) bool) []string {
	d := differ{hide: hide}
	d.walk(a, b, "")
	return d.out
}

// differ collects the differences of one object.
type differ struct {
	out  []string
	hide func(path string) bool
}

func (d *differ) walk(a, b *yaml.Node, path string) {
	a, b = deref(a), deref(b)
	if a.Kind != b.Kind {
		d.out = append(d.out, display(path))
		return
	}
	switch a.Kind {
	case yaml.MappingNode:
		am, bm := fields(a), fields(b)
		for _, k := range keysInOrder(a, b) {
			av, inA := am[k]
			bv, inB := bm[k]
			d.oneSide(join(path, k), inA, inB, func(p string) { d.walk(av, bv, p) })
		}
	case yaml.SequenceNode:
		d.sequence(a, b, path)
	default:
		if a.Value != b.Value || a.Tag != b.Tag && a.Tag != "" && b.Tag != "" {
			d.out = append(d.out, display(path)+": "+d.values(path, a, b))
		}
	}
}

func (d *differ) sequence(a, b *yaml.Node, path string) {
	an, aok := byName(a)
	bn, bok := byName(b)
	if aok && bok {
		for _, k := range namesInOrder(a, b) {
			av, inA := an[k]
			bv, inB := bn[k]
			d.oneSide(path+"[name="+k+"]", inA, inB, func(p string) { d.walk(av, bv, p) })
		}
		return
	}
	if len(a.Content) == len(b.Content) {
		for i := range a.Content {
			d.walk(a.Content[i], b.Content[i], path+"["+strconv.Itoa(i)+"]")
		}
		return
	}
	// Items came or went: report those on one side only (at their
	// index on that side), not every item after them as shifted.
	for _, i := range unmatched(a, b) {
		d.out = append(d.out, path+"["+strconv.Itoa(i)+"] (removed)")
	}
	for _, i := range unmatched(b, a) {
		d.out = append(d.out, path+"["+strconv.Itoa(i)+"] (added)")
	}
}

// values is "old → new" for a changed scalar, or (changed) when its
// values are secret or differ only past what short shows.
func (d *differ) values(path string, a, b *yaml.Node) string {
	if d.hide != nil && d.hide(path) {
		return "(changed)"
	}
	// Same text, other type ("1" and 1): quoting the string shows which.
	same := a.Value == b.Value
	old, new := short(a, same), short(b, same)
	if old == new {
		// They differ past the cut (a long or multi-line value): showing
		// the same text twice would say nothing.
		return "(changed)"
	}
	return old + " → " + new
}

// maxValue is how many characters of a value a path shows: enough to
// recognise it, short enough to keep one change on one line.
const maxValue = 60

// short is n's value on one line, at most maxValue characters, with …
// where it was cut; an empty string, or a string whose type is what
// changed, quoted. The report escapes it.
func short(n *yaml.Node, quote bool) string {
	v := n.Value
	if n.Tag == "!!str" && (quote || v == "") {
		v = strconv.Quote(v)
	}
	line, multi := v, false
	if i := strings.IndexAny(v, "\r\n"); i >= 0 {
		line, multi = v[:i], true
	}
	if r := []rune(line); len(r) > maxValue {
		return string(r[:maxValue-1]) + "…"
	}
	if multi {
		return line + "…"
	}
	return line
}

// oneSide reports path as added or removed when it is on one side only,
// else calls both.
func (d *differ) oneSide(path string, inA, inB bool, both func(string)) {
	switch {
	case inA && inB:
		both(path)
	case inA:
		d.out = append(d.out, path+" (removed)")
	default:
		d.out = append(d.out, path+" (added)")
	}
}

func display(path string) string {
	if path == "" {
		return "."
	}
	return path
}

func deref(n *yaml.Node) *yaml.Node {
	if n.Kind == yaml.DocumentNode && len(n.Content) == 1 {
		return n.Content[0]
	}
	if n.Kind == yaml.AliasNode && n.Alias != nil {
		return n.Alias
	}
	return n
}

// join appends key to path; a key with a dot or slash (an annotation)
// is bracketed so the path stays readable.
func join(path, key string) string {
	if strings.ContainsAny(key, "./") {
		return path + "[" + key + "]"
	}
	if path == "" {
		return key
	}
	return path + "." + key
}

func fields(m *yaml.Node) map[string]*yaml.Node {
	out := map[string]*yaml.Node{}
	for i := 0; i+1 < len(m.Content); i += 2 {
		out[m.Content[i].Value] = m.Content[i+1]
	}
	return out
}

// keysInOrder: a's keys, then b's that a lacks.
func keysInOrder(a, b *yaml.Node) []string {
	var keys []string
	seen := map[string]bool{}
	for _, m := range []*yaml.Node{a, b} {
		for i := 0; i < len(m.Content); i += 2 {
			if k := m.Content[i].Value; !seen[k] {
				seen[k] = true
				keys = append(keys, k)
			}
		}
	}
	return keys
}

// byName indexes a list whose items are all maps with a distinct name.
func byName(s *yaml.Node) (map[string]*yaml.Node, bool) {
	out := map[string]*yaml.Node{}
	for _, item := range s.Content {
		item = deref(item)
		if item.Kind != yaml.MappingNode {
			return nil, false
		}
		name, ok := fields(item)["name"]
		if !ok || name.Kind != yaml.ScalarNode {
			return nil, false
		}
		if _, dup := out[name.Value]; dup {
			return nil, false
		}
		out[name.Value] = item
	}
	return out, len(out) > 0
}

func namesInOrder(a, b *yaml.Node) []string {
	var names []string
	seen := map[string]bool{}
	for _, s := range []*yaml.Node{a, b} {
		for _, item := range s.Content {
			if k := fields(deref(item))["name"].Value; !seen[k] {
				seen[k] = true
				names = append(names, k)
			}
		}
	}
	return names
}

// unmatched returns the indexes of a's items that b lacks, counting
// repeated items.
func unmatched(a, b *yaml.Node) []int {
	left := map[string]int{}
	for _, item := range b.Content {
		left[encode(item)]++
	}
	var out []int
	for i, item := range a.Content {
		k := encode(item)
		if left[k] > 0 {
			left[k]--
			continue
		}
		out = append(out, i)
	}
	return out
}

// encode is a node's YAML text, to compare items by content.
func encode(n *yaml.Node) string {
	s, err := yaml.String(n)
	if err != nil {
		return fmt.Sprint(n)
	}
	return s
}
