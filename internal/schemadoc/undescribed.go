package schemadoc

import (
	"fmt"
	"maps"
	"slices"
	"strings"
)

// Undescribed lists (as JSON pointers, sorted) the places of the schema
// as written that do not say what they are: every property, items,
// additionalProperties, definition and allOf/anyOf/oneOf branch needs a
// description. An items, additionalProperties or branch that only names
// a described definition is described by it; a property needs its own
// words (a definition says what a value looks like, not what the field
// does). A property declared as true (allowed, its schema in an allOf
// branch) is described by that branch.
func (d *Doc) Undescribed() []string {
	u := undescribed{doc: d, defs: asMap(d.root["definitions"])}
	u.walk(d.root, "", false)
	for _, name := range slices.Sorted(maps.Keys(u.defs)) {
		u.walk(u.defs[name], "/definitions/"+name, true)
	}
	slices.Sort(u.missing)
	return u.missing
}

type undescribed struct {
	doc     *Doc
	defs    map[string]any
	missing []string
}

func described(s map[string]any) bool {
	d, _ := s["description"].(string)
	return strings.TrimSpace(d) != ""
}

func (u *undescribed) walk(s any, ptr string, ownWords bool) {
	m, ok := s.(map[string]any)
	if !ok {
		return
	}
	if ptr != "" && !described(m) {
		ref, _ := m["$ref"].(string)
		target := asMap(u.defs[strings.TrimPrefix(ref, "#/definitions/")])
		if ownWords || target == nil || !described(target) {
			u.missing = append(u.missing, ptr)
		}
	}
	props := asMap(m["properties"])
	for _, name := range slices.Sorted(maps.Keys(props)) {
		p := ptr + "/properties/" + name
		if props[name] == true {
			if !u.placeholderDescribed(ptr, name) {
				u.missing = append(u.missing, p+" (true, and no allOf branch describes it)")
			}
			continue
		}
		u.walk(props[name], p, true)
	}
	for _, k := range []string{"items", "additionalProperties"} {
		u.walk(m[k], ptr+"/"+k, false)
	}
	for _, k := range []string{"allOf", "anyOf", "oneOf"} {
		branches, _ := m[k].([]any)
		for i, b := range branches {
			u.walk(b, fmt.Sprintf("%s/%s/%d", ptr, k, i), false)
		}
	}
}

// placeholderDescribed says whether property name of the object at ptr
// is described once the object's allOf branches are merged.
func (u *undescribed) placeholderDescribed(ptr, name string) bool {
	n, ok := u.nodeAt(ptr)
	if !ok {
		return false
	}
	f, ok := n.Child(name)
	return ok && f.Description() != ""
}

// nodeAt resolves a pointer made of definitions and properties steps.
func (u *undescribed) nodeAt(ptr string) (Node, bool) {
	parts := strings.Split(strings.TrimPrefix(ptr, "/"), "/")
	n, i := u.doc.Root(), 0
	if len(parts) >= 2 && parts[0] == "definitions" {
		var ok bool
		if n, ok = u.doc.Definition(parts[1]); !ok {
			return Node{}, false
		}
		i = 2
	}
	for ; i+1 < len(parts) && parts[0] != ""; i += 2 {
		if parts[i] != "properties" {
			return Node{}, false
		}
		var ok bool
		if n, ok = n.Child(parts[i+1]); !ok {
			return Node{}, false
		}
	}
	return n, true
}
