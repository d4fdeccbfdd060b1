package schemagen

import (
	"bytes"
	"encoding/json"
	"maps"
	"slices"
)

// node is one schema object; it writes its keywords in keywordOrder, the
// order a reader expects (what it is, what it says, its limits, its parts).
type node map[string]any

var keywordOrder = []string{
	"$schema", "$id", "title", "$ref", "type", "const", "enum", "description", "default",
	"format", "pattern", "not", "minLength", "maxLength", "minimum", "maximum",
	"minItems", "maxItems", "uniqueItems", "maxProperties", "propertyNames", "allOf",
	"required", "additionalProperties", "properties", "items", "definitions",
}

func rank(k string) int {
	if i := slices.Index(keywordOrder, k); i >= 0 {
		return i
	}
	return len(keywordOrder) // unknown keywords last, by name
}

func (n node) MarshalJSON() ([]byte, error) {
	ks := slices.SortedFunc(maps.Keys(n), func(a, b string) int {
		if ra, rb := rank(a), rank(b); ra != rb {
			return ra - rb
		}
		return compare(a, b)
	})
	p := &props{}
	for _, k := range ks {
		p.add(k, n[k])
	}
	return p.MarshalJSON()
}

func compare(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// props is an object written in the order its keys were added.
type props struct {
	keys []string
	vals []any
}

func (p *props) add(k string, v any) { p.keys, p.vals = append(p.keys, k), append(p.vals, v) }

func (p *props) MarshalJSON() ([]byte, error) {
	var buf bytes.Buffer
	buf.WriteByte('{')
	for i, k := range p.keys {
		if i > 0 {
			buf.WriteByte(',')
		}
		kb, err := marshal(k)
		if err != nil {
			return nil, err
		}
		vb, err := marshal(p.vals[i])
		if err != nil {
			return nil, err
		}
		buf.Write(kb)
		buf.WriteByte(':')
		buf.Write(vb)
	}
	buf.WriteByte('}')
	return buf.Bytes(), nil
}

// marshal encodes without HTML escaping (the encoder's setting does not
// reach a Marshaler's own calls).
func marshal(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// sortedProps writes a map by key.
func sortedProps(m map[string]any) *props {
	p := &props{}
	for _, k := range slices.Sorted(maps.Keys(m)) {
		p.add(k, m[k])
	}
	return p
}

// toNode turns decoded JSON schema objects into nodes, so they are
// written in keyword order too.
func toNode(v any) any {
	switch x := v.(type) {
	case map[string]any:
		n := node{}
		for k, e := range x {
			n[k] = toNode(e)
		}
		return n
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = toNode(e)
		}
		return out
	}
	return v
}

func keys(m map[string]string) []string { return slices.Sorted(maps.Keys(m)) }
