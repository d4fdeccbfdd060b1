package schemadoc

import (
	"slices"
	"strings"
	"testing"
)

const sample = `{
  "type": "object",
  "properties": {
    "a": {"$ref": "#/definitions/comp", "description": "A, with its own words.", "default": "x"},
    "b": {"$ref": "#/definitions/comp"},
    "list": {"type": "array", "description": "A list.", "items": {"$ref": "#/definitions/comp"}},
    "bare": {"type": "array", "description": "Bare items.", "items": {"type": "string"}},
    "ext": {
      "description": "Extends comp.",
      "allOf": [{"$ref": "#/definitions/comp"}],
      "properties": {"port": true, "ghost": true, "own": {"type": "integer", "minimum": 1, "maximum": 9, "description": "Own."}},
      "additionalProperties": false
    },
    "m": {"type": "object", "description": "A map.", "additionalProperties": {"$ref": "#/definitions/comp"}},
    "alt": {"description": "Either.", "oneOf": [{"$ref": "#/$defs/newer"}, {"type": "string"}], "anyOf": [{"type": "string", "description": "A string."}]}
  },
  "$defs": {"newer": {"type": "object", "patternProperties": {"^x-": {"type": "string"}}}},
  "definitions": {
    "comp": {"type": "object", "description": "A component.", "properties": {"port": {"type": "integer", "description": "The port."}}},
    "plain": {"type": "string"}
  }
}`

func TestUndescribed(t *testing.T) {
	doc, err := Parse([]byte(sample))
	if err != nil {
		t.Fatal(err)
	}
	got := doc.Undescribed()
	want := []string{
		"/$defs/newer",
		"/$defs/newer/patternProperties/^x-",
		"/definitions/plain",
		"/properties/alt/oneOf/0", // names an undescribed definition
		"/properties/alt/oneOf/1",
		"/properties/b", // a $ref property needs its own words
		"/properties/bare/items",
		"/properties/ext/properties/ghost (true, and no allOf branch describes it)",
	}
	if !slices.Equal(got, want) {
		t.Errorf("Undescribed() =\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestLookup(t *testing.T) {
	doc, err := Parse([]byte(sample))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ path, canon, typ, desc string }{
		{"", "", "object", ""},
		{"a", "a", "object", "A, with its own words."},
		{"list", "list[]", "[]object", "A list."},
		{"list[].port", "list[].port", "integer", "The port."},
		{"list[3].port", "list[].port", "integer", "The port."},
		{"list.port", "list[].port", "integer", "The port."},
		{"ext.port", "ext.port", "integer", "The port."}, // from the allOf branch
		{"ext.own", "ext.own", "integer", "Own."},
		{"m", "m", "map[string]object", "A map."},
		{"m.anykey.port", "m.anykey.port", "integer", "The port."},
	} {
		n, canon, err := doc.Lookup(tc.path)
		if err != nil {
			t.Errorf("Lookup(%q): %v", tc.path, err)
			continue
		}
		if canon != tc.canon || n.Type() != tc.typ || n.Description() != tc.desc {
			t.Errorf("Lookup(%q) = %q %s %q, want %q %s %q", tc.path, canon, n.Type(), n.Description(), tc.canon, tc.typ, tc.desc)
		}
	}
	_, _, err = doc.Lookup("ext.nope")
	want := `"nope" is not a field of ext; valid fields: ghost, own, port`
	if err == nil || err.Error() != want {
		t.Errorf("Lookup(ext.nope) error %v, want %s", err, want)
	}
	_, _, err = doc.Lookup(strings.Repeat("x", 1000))
	if err == nil || len(err.Error()) > 200 {
		t.Errorf("a long segment is echoed whole: %v", err)
	}
	if _, _, err := doc.Lookup("a.port.deeper"); err == nil || !strings.Contains(err.Error(), "a.port has no fields") {
		t.Errorf("Lookup(a.port.deeper) error %v", err)
	}
	n, _, _ := doc.Lookup("ext.own")
	if c := n.Constraints(); !slices.Equal(c, []string{"1 to 9"}) {
		t.Errorf("constraints %q", c)
	}
	n, _, _ = doc.Lookup("a")
	if d, ok := n.Default(); !ok || d != "x" {
		t.Errorf("default %v %v", d, ok)
	}
}
