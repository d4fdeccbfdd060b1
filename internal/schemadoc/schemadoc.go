// Package schemadoc reads novagen's own JSON Schemas (the catalog's and
// the function config's) as documentation: a field's type, description,
// default and constraints, and its sub-fields, with $refs followed and
// allOf branches merged. It backs novagen explain and the tests that keep
// every field described; it is not a validator (the catalog loader,
// catalog/load, validates).
package schemadoc

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
)

// maxDepth bounds $ref chains and nesting: the schemas are ours and not
// recursive, but a loop must not hang explain.
const maxDepth = 32

// Doc is one parsed schema document.
type Doc struct {
	root map[string]any
}

// Parse reads a JSON Schema document.
func Parse(data []byte) (*Doc, error) {
	var root map[string]any
	if err := json.Unmarshal(data, &root); err != nil {
		return nil, fmt.Errorf("schema: %w", err)
	}
	return &Doc{root: root}, nil
}

// Node is one schema with its $ref followed and its allOf branches'
// properties merged in; the keywords written beside a $ref (description,
// default) win over the target's.
type Node struct {
	doc *Doc
	s   map[string]any
}

// Root is the document's top-level schema.
func (d *Doc) Root() Node { return d.node(d.root) }

func (d *Doc) node(s any) Node { return Node{doc: d, s: d.resolve(s, 0)} }

// resolve follows s's $ref and merges its allOf properties.
func (d *Doc) resolve(s any, depth int) map[string]any {
	m, ok := s.(map[string]any)
	if !ok || depth > maxDepth {
		return map[string]any{} // true, false or too deep: nothing to tell
	}
	out := map[string]any{}
	if ref, ok := m["$ref"].(string); ok {
		maps.Copy(out, d.resolve(d.pointer(ref), depth+1))
	}
	for k, v := range m {
		if k != "$ref" && k != "allOf" {
			out[k] = v
		}
	}
	branches, _ := m["allOf"].([]any)
	for _, b := range branches {
		mergeBranch(out, d.resolve(b, depth+1))
	}
	return out
}

// mergeBranch adds an allOf branch's properties and required fields to
// out; a property out declares only as true (allowed, described in the
// branch) takes the branch's schema.
func mergeBranch(out, branch map[string]any) {
	props := maps.Clone(asMap(out["properties"]))
	if props == nil {
		props = map[string]any{}
	}
	for name, p := range asMap(branch["properties"]) {
		if own, ok := props[name]; !ok || own == true {
			props[name] = p
		}
	}
	out["properties"] = props
	req, _ := out["required"].([]any)
	extra, _ := branch["required"].([]any)
	out["required"] = append(slices.Clone(req), extra...)
	for _, k := range []string{"type", "description"} {
		if _, ok := out[k]; !ok && branch[k] != nil {
			out[k] = branch[k]
		}
	}
}

// pointer finds a local reference (#/definitions/x); anything else is
// empty.
func (d *Doc) pointer(ref string) any {
	rest, ok := strings.CutPrefix(ref, "#/")
	if !ok {
		return nil
	}
	var cur any = d.root
	for _, p := range strings.Split(rest, "/") {
		p = strings.NewReplacer("~1", "/", "~0", "~").Replace(p)
		cur = asMap(cur)[p]
	}
	return cur
}

func asMap(v any) map[string]any {
	m, _ := v.(map[string]any)
	return m
}

// Keyword is one keyword of the schema as written (after resolving).
func (n Node) Keyword(k string) (any, bool) {
	v, ok := n.s[k]
	return v, ok
}

// Description is the field's description, "" if none.
func (n Node) Description() string {
	s, _ := n.s["description"].(string)
	return s
}

// Default is the default the schema states, if any.
func (n Node) Default() (any, bool) {
	v, ok := n.s["default"]
	return v, ok
}

// Elem is the schema of an array's items or of a map's values.
func (n Node) Elem() (Node, bool) {
	if it, ok := n.s["items"].(map[string]any); ok {
		return n.doc.node(it), true
	}
	if n.IsMap() {
		return n.doc.node(n.s["additionalProperties"]), true
	}
	return Node{}, false
}

// IsArray says whether the field is a list.
func (n Node) IsArray() bool {
	_, ok := n.s["items"].(map[string]any)
	return ok || n.s["type"] == "array"
}

// IsMap says whether the field is a map of free keys (additionalProperties
// a schema, no named properties).
func (n Node) IsMap() bool {
	_, ok := n.s["additionalProperties"].(map[string]any)
	return ok && len(asMap(n.s["properties"])) == 0
}

// Type is the field's type as a reader writes it: string, integer,
// boolean, object, []T for a list, map[string]T for a map.
func (n Node) Type() string {
	switch {
	case n.IsArray():
		if e, ok := n.Elem(); ok {
			return "[]" + e.Type()
		}
		return "[]any"
	case n.IsMap():
		e, _ := n.Elem()
		return "map[string]" + e.Type()
	}
	if t, ok := n.s["type"].(string); ok {
		return t
	}
	if c, ok := n.s["const"]; ok {
		return jsonType(c)
	}
	if e, ok := n.s["enum"].([]any); ok && len(e) > 0 {
		return jsonType(e[0])
	}
	if len(asMap(n.s["properties"])) > 0 {
		return "object"
	}
	return "any"
}

func jsonType(v any) string {
	switch v.(type) {
	case string:
		return "string"
	case bool:
		return "boolean"
	case float64:
		return "number"
	}
	return "any"
}

// Field is a named sub-field of an object.
type Field struct {
	Name     string
	Required bool
	Node     Node
}

// Fields are the object's named sub-fields, sorted by name; a list's or
// map's are its elements'.
func (n Node) Fields() []Field {
	obj := n
	for range maxDepth {
		e, ok := obj.Elem()
		if !ok {
			break
		}
		obj = e
	}
	props := asMap(obj.s["properties"])
	req, _ := obj.s["required"].([]any)
	var out []Field
	for _, name := range slices.Sorted(maps.Keys(props)) {
		out = append(out, Field{Name: name, Required: slices.Contains(req, any(name)), Node: obj.doc.node(props[name])})
	}
	return out
}

// Child is the sub-field name of the object (through lists).
func (n Node) Child(name string) (Node, bool) {
	for _, f := range n.Fields() {
		if f.Name == name {
			return f.Node, true
		}
	}
	return Node{}, false
}

// Constraints are the field's validation rules in words: allowed values,
// bounds, lengths, pattern, format.
func (n Node) Constraints() []string {
	var out []string
	if c, ok := n.s["const"]; ok {
		out = append(out, "always "+format(c))
	}
	if e, ok := n.s["enum"].([]any); ok {
		out = append(out, "one of: "+formatList(e))
	}
	out = appendBound(out, n.s, "minimum", "maximum", "")
	out = appendBound(out, n.s, "minLength", "maxLength", " characters")
	out = appendBound(out, n.s, "minItems", "maxItems", " items")
	out = appendBound(out, n.s, "minProperties", "maxProperties", " keys")
	if n.s["uniqueItems"] == true {
		out = append(out, "no item twice")
	}
	if p, ok := n.s["pattern"].(string); ok {
		out = append(out, "pattern "+p)
	}
	if f, ok := n.s["format"].(string); ok {
		out = append(out, "format "+f)
	}
	if req, ok := n.s["required"].([]any); ok && len(req) > 0 {
		out = append(out, "requires "+formatList(req))
	}
	return out
}

// appendBound words a min/max pair as one constraint.
func appendBound(out []string, s map[string]any, lo, hi, unit string) []string {
	l, hasL := s[lo]
	h, hasH := s[hi]
	switch {
	case hasL && hasH:
		return append(out, format(l)+" to "+format(h)+plural(unit, h))
	case hasL:
		return append(out, "at least "+format(l)+plural(unit, l))
	case hasH:
		return append(out, "at most "+format(h)+plural(unit, h))
	}
	return out
}

// plural is unit (" characters") for n, singular for 1.
func plural(unit string, n any) string {
	if n == 1.0 {
		return strings.TrimSuffix(unit, "s")
	}
	return unit
}

func formatList(vs []any) string {
	var s []string
	for _, v := range vs {
		s = append(s, format(v))
	}
	return strings.Join(s, ", ")
}

// Format writes a schema value (a default, an enum member) as YAML's
// flow style would: strings bare, lists as [a, b], maps as {k: v} in key
// order.
func Format(v any) string { return format(v) }

func format(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	case []any:
		return "[" + formatList(v) + "]"
	case map[string]any:
		var parts []string
		for _, k := range slices.Sorted(maps.Keys(v)) {
			parts = append(parts, k+": "+format(v[k]))
		}
		return "{" + strings.Join(parts, ", ") + "}"
	}
	b, _ := json.Marshal(v)
	return string(b)
}
