package schemadoc

import (
	"fmt"
	"maps"
	"slices"
	"strings"
)

// Undescribed lists (as JSON pointers, sorted) the places of the schema
// as written that do not say what they are: every property, items,
// additionalProperties, patternProperties, definition ($defs too) and
// allOf/anyOf/oneOf branch needs a description. An items, additionalProperties or branch that only names
// a described definition is described by it; a property needs its own
// words (a definition says what a value looks like, not what the field
// does). A property declared as true (allowed, its schema in an allOf
// branch) is described by that branch.
func (d *Doc) Undescribed() []string {
	u := undescribed{doc: d, defs: map[string]any{}}
	for _, k := range []string{"definitions", "$defs"} {
		for name, def := range asMap(d.root[k]) {
			u.defs["#/"+k+"/"+name] = def
		}
	}
	u.walk(d.root, "", false)
	for _, ref := range slices.Sorted(maps.Keys(u.defs)) {
		u.walk(u.defs[ref], strings.TrimPrefix(ref, "#"), true)
	}
	slices.Sort(u.missing)
	return u.missing
}

type undescribed struct {
	doc     *Doc
	defs    map[string]any // by reference: #/definitions/x, #/$defs/x
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
		target := asMap(u.defs[ref])
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
	patterns := asMap(m["patternProperties"])
	for _, p := range slices.Sorted(maps.Keys(patterns)) {
		u.walk(patterns[p], ptr+"/patternProperties/"+p, true)
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
	if len(parts) >= 2 && (parts[0] == "definitions" || parts[0] == "$defs") {
		def, ok := u.defs["#/"+parts[0]+"/"+parts[1]]
		if !ok {
			return Node{}, false
		}
		n, i = u.doc.node(def), 2
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
