package diff

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/gonvenience/ytbx"
	"github.com/homeport/dyff/pkg/dyff"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// fieldDiff returns the field paths at which a and b differ, in document
// order. The comparison is dyff's (homeport/dyff): lists whose items all
// carry an identifier (name, as containers, env, ports and volumes do;
// dyff also knows id and key) are matched by it, so a reordered or
// inserted container is not a change to every later one; other lists by
// content. This function only words dyff's findings: a field or list item
// on one side only is reported once, marked (added) or (removed), not its
// subtree (an unnamed list item at its index on that side); a changed
// scalar shows its old and new values (path: old → new), cut short,
// unless hide says the path's values are secret: then it shows (changed);
// a list whose items are not named and only moved is (order changed).
func fieldDiff(a, b *yaml.Node, hide func(path string) bool) []string {
	a, b = deref(a), deref(b)
	report, err := dyff.CompareInputFiles(
		ytbx.InputFile{Documents: []*yaml.Node{a}},
		ytbx.InputFile{Documents: []*yaml.Node{b}},
	)
	if err != nil {
		// dyff refuses nothing the YAML parser accepts; should it, say
		// the object changed rather than nothing.
		return []string{fmt.Sprintf(". (changed; not compared field by field: %v)", err)}
	}
	d := differ{hide: hide}
	for _, change := range report.Diffs {
		path := pathString(change.Path)
		for _, detail := range change.Details {
			d.detail(path, detail, a, b, change.Path)
		}
	}
	return d.out
}

// differ collects the differences of one object.
type differ struct {
	out  []string
	hide func(path string) bool
}

// detail words one of dyff's findings at path.
func (d *differ) detail(path string, det dyff.Detail, a, b *yaml.Node, at *ytbx.Path) {
	switch det.Kind {
	case dyff.MODIFICATION:
		from, to := deref(det.From), deref(det.To)
		if from.Kind == yaml.ScalarNode && to.Kind == yaml.ScalarNode {
			d.out = append(d.out, display(path)+": "+d.values(path, from, to))
			return
		}
		d.out = append(d.out, display(path)) // a map became a list, say
	case dyff.ADDITION:
		d.entries(path, det.To, lookup(b, at), identifier(lookup(a, at), lookup(b, at)), "(added)")
	case dyff.REMOVAL:
		d.entries(path, det.From, lookup(a, at), identifier(lookup(a, at), lookup(b, at)), "(removed)")
	case dyff.ORDERCHANGE:
		// Named items are matched by name: their order says nothing
		// (kubectl apply merges them by name too). Other lists' order can
		// matter (args).
		if identifier(lookup(a, at), lookup(b, at)) == "" {
			d.out = append(d.out, display(path)+" (order changed)")
		}
	}
}

// entries reports each map entry or list item of part, what is on one
// side only of parent (the map or list at path on that side; its items
// identified by key, if any).
func (d *differ) entries(path string, part, parent *yaml.Node, key, mark string) {
	part = deref(part)
	switch part.Kind {
	case yaml.MappingNode:
		for i := 0; i+1 < len(part.Content); i += 2 {
			d.out = append(d.out, join(path, part.Content[i].Value)+" "+mark)
		}
	case yaml.SequenceNode:
		for _, item := range part.Content {
			d.out = append(d.out, path+itemKey(item, parent, key)+" "+mark)
		}
	default:
		d.out = append(d.out, display(path)+" "+mark)
	}
}

// itemKey is how a path names an item of list: [key=x] in a list whose
// items are identified by key, else [i], its index there.
func itemKey(item, list *yaml.Node, key string) string {
	if key != "" {
		return "[" + key + "=" + fields(deref(item))[key].Value + "]"
	}
	if list != nil {
		for i, it := range list.Content {
			if it == item {
				return "[" + strconv.Itoa(i) + "]"
			}
		}
		for i, it := range list.Content { // dyff copied the item
			if encode(it) == encode(item) {
				return "[" + strconv.Itoa(i) + "]"
			}
		}
	}
	return "[?]"
}

// pathString is dyff's path in the report's notation:
// spec.containers[name=app].image, metadata.annotations[x.io/y], l[0].
func pathString(p *ytbx.Path) string {
	if p == nil {
		return ""
	}
	var s string
	for _, e := range p.PathElements {
		switch {
		case e.Key != "":
			s += "[" + e.Key + "=" + e.Name + "]"
		case e.Idx >= 0:
			s += "[" + strconv.Itoa(e.Idx) + "]"
		default:
			s = join(s, e.Name)
		}
	}
	return s
}

// lookup is the node at path p in root, or nil.
func lookup(root *yaml.Node, p *ytbx.Path) *yaml.Node {
	n := deref(root)
	if p == nil {
		return n
	}
	for _, e := range p.PathElements {
		switch {
		case n == nil:
			return nil
		case e.Key != "":
			n = keyedItem(n, e.Key, e.Name)
		case e.Idx >= 0:
			if n.Kind != yaml.SequenceNode || e.Idx >= len(n.Content) {
				return nil
			}
			n = deref(n.Content[e.Idx])
		default:
			if n.Kind != yaml.MappingNode {
				return nil
			}
			n = deref(fields(n)[e.Name])
		}
	}
	return n
}

// keyedItem is the item of list whose key field is name.
func keyedItem(list *yaml.Node, key, name string) *yaml.Node {
	if list.Kind != yaml.SequenceNode {
		return nil
	}
	for _, item := range list.Content {
		item = deref(item)
		if v, ok := fields(item)[key]; ok && v.Value == name {
			return item
		}
	}
	return nil
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

func display(path string) string {
	if path == "" {
		return "."
	}
	return path
}

func deref(n *yaml.Node) *yaml.Node {
	if n == nil {
		return nil
	}
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
	if m == nil {
		return out
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		out[m.Content[i].Value] = m.Content[i+1]
	}
	return out
}

// identifier is the field dyff matches the items of lists a and b by
// (its standard candidates, in its order: a field every item of both
// lists has, with a distinct value in each), or "" when it compares them
// by content.
func identifier(a, b *yaml.Node) string {
	for _, key := range []string{"name", "key", "id"} {
		if distinct(a, key) && distinct(b, key) {
			return key
		}
	}
	return ""
}

// distinct reports whether every item of list is a map with a distinct
// scalar value for key.
func distinct(list *yaml.Node, key string) bool {
	if list == nil || list.Kind != yaml.SequenceNode {
		return false
	}
	seen := map[string]bool{}
	for _, item := range list.Content {
		v, ok := fields(deref(item))[key]
		if !ok || v.Kind != yaml.ScalarNode || seen[v.Value] {
			return false
		}
		seen[v.Value] = true
	}
	return true
}

// encode is a node's YAML text, to compare items by content.
func encode(n *yaml.Node) string {
	s, err := yaml.String(n)
	if err != nil {
		return fmt.Sprint(n)
	}
	return s
}
