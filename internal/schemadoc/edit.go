package schemadoc

import (
	"bytes"
	"encoding/json"
)

// Edit decodes the JSON document data (numbers kept as written), lets
// edit change it, and encodes it again, indented by two spaces, keys in
// order, '<' and '>' as written (descriptions say <name>): how a program
// shows a schema with its own additions (novagen schema, explain).
func Edit(data []byte, edit func(doc map[string]any) error) ([]byte, error) {
	var doc map[string]any
	if err := DecodeJSON(data, &doc); err != nil {
		return nil, err
	}
	if err := edit(doc); err != nil {
		return nil, err
	}
	var out bytes.Buffer
	enc := json.NewEncoder(&out)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	err := enc.Encode(doc)
	return out.Bytes(), err
}

// DecodeJSON decodes a JSON document keeping its numbers as written.
func DecodeJSON(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	return dec.Decode(v)
}
