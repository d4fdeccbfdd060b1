package schemadoc

import (
	"fmt"
	"strings"
)

// maxShown is how much of a path segment an error repeats.
const maxShown = 64

// PathError is a path that leaves the schema: Segment is not a field of
// the object at Parent, whose fields are Valid.
type PathError struct {
	Parent  string // the canonical path walked so far; "" is the root
	Segment string
	Valid   []string
	Hint    string // a likely meant field, if any
}

func (e *PathError) Error() string {
	where := e.Parent
	if where == "" {
		where = "the top level"
	}
	seg := e.Segment
	if r := []rune(seg); len(r) > maxShown {
		seg = string(r[:maxShown]) + "…" // a hostile path is not echoed whole
	}
	if len(e.Valid) == 0 {
		return fmt.Sprintf("%s has no fields: %q is not one", where, seg)
	}
	hint := ""
	if e.Hint != "" {
		hint = fmt.Sprintf(" (did you mean %q?)", e.Hint)
	}
	return fmt.Sprintf("%q is not a field of %s%s; valid fields: %s", seg, where, hint, strings.Join(e.Valid, ", "))
}

// Lookup finds the field at path: field names separated by dots, a list's
// name optionally followed by [] or [N] (services, services[] and
// services[0] are the same), any key for a map's entry
// (environments.production). It returns the field and its canonical path
// (lists as name[]). "" is the root.
func (d *Doc) Lookup(path string) (Node, string, error) {
	n, canon := d.Root(), ""
	if path == "" {
		return n, canon, nil
	}
	for _, seg := range strings.Split(path, ".") {
		name := trimIndex(seg)
		next, ok := n.Child(name)
		switch {
		case ok:
		case n.IsMap() && name != "":
			next, _ = n.Elem()
		default:
			return Node{}, canon, &PathError{Parent: canon, Segment: seg, Valid: fieldNames(n)}
		}
		canon = join(canon, name)
		if next.IsArray() {
			canon += "[]"
		}
		n = next
	}
	return n, canon, nil
}

// trimIndex drops a list index: services[0] and services[] are services.
func trimIndex(seg string) string {
	if i := strings.IndexByte(seg, '['); i >= 0 && strings.HasSuffix(seg, "]") {
		return seg[:i]
	}
	return seg
}

func join(parent, name string) string {
	if parent == "" {
		return name
	}
	return parent + "." + name
}

func fieldNames(n Node) []string {
	var out []string
	for _, f := range n.Fields() {
		out = append(out, f.Name)
	}
	return out
}

// Walk calls fn for every field under n, depth first in name order, with
// its canonical path below prefix; a map's entries are under <name>.
func (n Node) Walk(prefix string, fn func(path string, f Field, depth int)) {
	n.walk(prefix, 0, fn)
}

func (n Node) walk(prefix string, depth int, fn func(string, Field, int)) {
	if depth > maxDepth {
		return
	}
	if n.IsMap() {
		prefix = join(prefix, "<name>")
	}
	for _, f := range n.Fields() {
		p := join(prefix, f.Name)
		if f.Node.IsArray() {
			p += "[]"
		}
		fn(p, f, depth)
		f.Node.walk(p, depth+1, fn)
	}
}
