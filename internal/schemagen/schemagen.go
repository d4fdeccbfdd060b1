// Package schemagen writes the catalog's JSON Schema (services.schema.json)
// from the Go types the loader decodes into (package catalog), so the shape
// of a catalog is declared once: on the types.
//
// What a field is comes from its struct tags, beside its json tag:
//
//	doc:"…"      the field's description
//	elemdoc:"…"  the description of a list's items or a map's values
//	schema:"…"   keywords, separated by ';': required (the field must be
//	             written), ref=NAME (a format of formats.go, or labels),
//	             enum=A|B, const=V, pattern=RE, format=F, default=V,
//	             minimum/maximum/minLength/maxLength/minItems/maxItems/
//	             maxProperties=N, uniqueItems=true; keys.ref=NAME names
//	             a map's key format, elem.KEYWORD=V applies to the items
//	             or values.
//
// A default is written as the field's Go type reads it: strings and
// durations as they stand, anything else as YAML (flow style), decoded
// into the field's type and encoded back, so a default that does not fit
// its field fails the generator. What a type is (its definitions entry and
// description, and two shapes tags cannot say) is the types table of
// types.go; the named string formats (dnsLabel, port, duration...) are
// formats.go. The output is byte-stable: properties in field order,
// definitions by name, keywords in a fixed order.
package schemagen

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"strconv"
	"strings"

	sigsyaml "sigs.k8s.io/yaml"

	"github.com/novagen/novagen/catalog"
)

// Generate returns services.schema.json as the Go types declare it.
func Generate() ([]byte, error) {
	g := &gen{defs: map[string]any{}, done: map[reflect.Type]bool{}}
	if err := g.formats(); err != nil {
		return nil, err
	}
	root, err := g.object(reflect.TypeFor[catalog.Catalog]())
	if err != nil {
		return nil, err
	}
	for k, v := range rootKeywords {
		root[k] = v
	}
	root["definitions"] = sortedProps(g.defs)
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false) // descriptions say <service>, not \u003cservice\u003e
	enc.SetIndent("", "  ")
	if err := enc.Encode(root); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

var durationType = reflect.TypeFor[catalog.Duration]()

type gen struct {
	defs map[string]any        // definitions by name
	done map[reflect.Type]bool // struct types already defined
}

// formats adds the named formats of formats.go to the definitions.
func (g *gen) formats() error {
	for name, text := range formats {
		var v map[string]any
		if err := json.Unmarshal([]byte(text), &v); err != nil {
			return fmt.Errorf("format %s: %w", name, err)
		}
		g.defs[name] = toNode(v)
	}
	return nil
}

// define adds struct type t to the definitions (once) and returns its $ref.
func (g *gen) define(t reflect.Type) (string, error) {
	f := types[t]
	if !g.done[t] {
		g.done[t] = true
		n, err := g.object(t)
		if err != nil {
			return "", err
		}
		n["description"] = f.doc
		g.defs[f.def] = n
	}
	return "#/definitions/" + f.def, nil
}

// object is the schema of struct type t: its json fields in order, those
// of an embedded struct through allOf.
func (g *gen) object(t reflect.Type) (node, error) {
	n := node{}
	f := types[t]
	ps := &props{}
	var required []any
	embeds := false
	for i := range t.NumField() {
		field := t.Field(i)
		if field.Anonymous {
			// An embedded base (Component): its definition, and its
			// fields allowed here too (additionalProperties sees only
			// this object's properties).
			ref, err := g.define(field.Type)
			if err != nil {
				return nil, err
			}
			n["allOf"] = []any{node{"$ref": ref}}
			for _, name := range jsonFields(field.Type) {
				ps.add(name, true)
			}
			embeds = true
			continue
		}
		name, ok := jsonName(field)
		if !ok {
			continue
		}
		s, req, err := g.field(field)
		if err != nil {
			return nil, fmt.Errorf("%s.%s: %w", t.Name(), field.Name, err)
		}
		if req {
			required = append(required, name)
		}
		ps.add(name, s)
	}
	if !embeds && !f.untyped {
		n["type"] = "object"
	}
	if !f.open {
		n["additionalProperties"] = false
	}
	if len(required) > 0 {
		n["required"] = required
	}
	n["properties"] = ps
	return n, nil
}

// field is the schema of one struct field, and whether it is required.
func (g *gen) field(f reflect.StructField) (node, bool, error) {
	kw, err := parseKeywords(f.Tag.Get("schema"))
	if err != nil {
		return nil, false, err
	}
	_, req := kw["required"]
	delete(kw, "required")
	n, err := g.value(f.Type, kw, f.Tag.Get("doc"), f.Tag.Get("elemdoc"))
	return n, req, err
}

// value is the schema of a value of type t with keywords kw (elem.X for
// its items or values) and description doc (elemdoc: its items').
func (g *gen) value(t reflect.Type, kw map[string]string, doc, elemdoc string) (node, error) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	elem := map[string]string{}
	for k, v := range kw {
		if e, ok := strings.CutPrefix(k, "elem."); ok {
			elem[e] = v
			delete(kw, k)
		}
	}
	n := node{}
	_, enum := kw["enum"]
	_, constant := kw["const"]
	switch ref, hasRef := kw["ref"]; {
	case hasRef:
		n["$ref"] = "#/definitions/" + ref
	case t.Kind() == reflect.Struct && t != durationType && types[t].def != "":
		r, err := g.define(t)
		if err != nil {
			return nil, err
		}
		n["$ref"] = r
	case t.Kind() == reflect.Struct && t != durationType:
		o, err := g.object(t)
		if err != nil {
			return nil, err
		}
		n = o
	case enum || constant:
		// the values say the type
	case t.Kind() == reflect.Slice || t.Kind() == reflect.Map:
		items, err := g.value(t.Elem(), elem, elemdoc, "")
		if err != nil {
			return nil, err
		}
		if t.Kind() == reflect.Slice {
			n["type"], n["items"] = "array", items
		} else {
			n["type"], n["additionalProperties"] = "object", items
		}
		elem = nil
	default:
		typ, ok := scalarTypes[t.Kind()]
		if !ok {
			return nil, fmt.Errorf("no JSON Schema type for %s (give it a ref)", t)
		}
		n["type"] = typ
	}
	if len(elem) > 0 {
		return nil, fmt.Errorf("elem.%v: no items or values to apply to", keys(elem))
	}
	delete(kw, "ref")
	if doc != "" {
		n["description"] = doc
	}
	for k, v := range kw {
		val, err := keywordValue(k, v, t)
		if err != nil {
			return nil, err
		}
		if k == "keys.ref" {
			k, val = "propertyNames", node{"$ref": "#/definitions/" + v}
		}
		n[k] = val
	}
	return n, nil
}

var scalarTypes = map[reflect.Kind]string{
	reflect.String: "string", reflect.Bool: "boolean",
	reflect.Int: "integer", reflect.Int32: "integer", reflect.Int64: "integer",
}

// keywordKinds are the keywords a tag may give, by how their value reads.
var keywordKinds = map[string]string{
	"ref": "string", "keys.ref": "string", "const": "string", "pattern": "string", "format": "string",
	"enum": "enum", "default": "default", "uniqueItems": "bool",
	"minimum": "int", "maximum": "int", "minLength": "int", "maxLength": "int",
	"minItems": "int", "maxItems": "int", "maxProperties": "int",
}

// parseKeywords reads a schema tag: keywords separated by ';', each
// KEY=VALUE (required alone).
func parseKeywords(tag string) (map[string]string, error) {
	kw := map[string]string{}
	if tag == "" {
		return kw, nil
	}
	for _, part := range strings.Split(tag, ";") {
		k, v, _ := strings.Cut(part, "=")
		base := strings.TrimPrefix(k, "elem.")
		if _, ok := keywordKinds[base]; !ok && k != "required" {
			return nil, fmt.Errorf("schema tag: unknown keyword %q", k)
		}
		if _, dup := kw[k]; dup {
			return nil, fmt.Errorf("schema tag: %q twice", k)
		}
		kw[k] = v
	}
	return kw, nil
}

// keywordValue is the JSON value of keyword k written v on a field of type t.
func keywordValue(k, v string, t reflect.Type) (any, error) {
	switch keywordKinds[k] {
	case "int":
		return strconv.ParseInt(v, 10, 64)
	case "bool":
		return strconv.ParseBool(v)
	case "enum":
		var out []any
		for _, e := range strings.Split(v, "|") {
			out = append(out, e)
		}
		return out, nil
	case "default":
		return defaultValue(v, t)
	}
	return v, nil
}

// defaultValue reads a default as a value of the field's type: a string
// or duration as written, anything else as YAML decoded into the type.
func defaultValue(v string, t reflect.Type) (json.RawMessage, error) {
	if t.Kind() == reflect.String || t == durationType {
		return json.Marshal(v)
	}
	p := reflect.New(t)
	if err := sigsyaml.UnmarshalStrict([]byte(v), p.Interface()); err != nil {
		return nil, fmt.Errorf("default %q is no %s: %w", v, t, err)
	}
	return json.Marshal(p.Elem().Interface())
}

// jsonName is a field's name in the catalog; false for fields it has not.
func jsonName(f reflect.StructField) (string, bool) {
	if !f.IsExported() {
		return "", false
	}
	name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
	if name == "-" || name == "" {
		return "", false
	}
	return name, true
}

// jsonFields are the catalog names of struct t's fields, in order.
func jsonFields(t reflect.Type) []string {
	var out []string
	for i := range t.NumField() {
		if name, ok := jsonName(t.Field(i)); ok {
			out = append(out, name)
		}
	}
	return out
}
