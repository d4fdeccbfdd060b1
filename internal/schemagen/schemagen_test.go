package schemagen

import (
	"bytes"
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/novagen/novagen/catalog"
	"github.com/novagen/novagen/catalog/load"
)

// checkedIn is the schema the loader embeds.
const checkedIn = "../../catalog/load/services.schema.json"

// TestSchemaIsCurrent: the checked-in schema is what the types declare
// now; the types and the schema cannot drift apart.
func TestSchemaIsCurrent(t *testing.T) {
	want, err := Generate()
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(checkedIn)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("%s is not what the Go types of package catalog declare: run make generate (and review the diff)", checkedIn)
	}
	if !bytes.Equal(load.JSONSchema(), want) {
		t.Fatal("the schema the loader embeds differs from the generated one: run make generate")
	}
}

// TestGenerateIsStable: two runs write the same bytes (no map order).
func TestGenerateIsStable(t *testing.T) {
	a, err := Generate()
	if err != nil {
		t.Fatal(err)
	}
	for range 5 {
		b, err := Generate()
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(a, b) {
			t.Fatal("Generate is not deterministic")
		}
	}
}

// catalogFields calls fn with every field of every struct type a catalog
// reaches (through pointers, lists, maps and embedding), once per type,
// and returns those types.
func catalogFields(fn func(typ reflect.Type, f reflect.StructField)) map[reflect.Type]bool {
	reached := map[reflect.Type]bool{}
	var walk func(reflect.Type)
	walk = func(typ reflect.Type) {
		for typ.Kind() == reflect.Pointer || typ.Kind() == reflect.Slice || typ.Kind() == reflect.Map {
			typ = typ.Elem()
		}
		if typ.Kind() != reflect.Struct || typ == durationType || reached[typ] {
			return
		}
		reached[typ] = true
		for i := range typ.NumField() {
			f := typ.Field(i)
			if _, ok := jsonName(f); ok || f.Anonymous {
				fn(typ, f)
				walk(f.Type)
			}
		}
	}
	walk(reflect.TypeFor[catalog.Catalog]())
	return reached
}

// TestEveryTypeIsUsed: each entry of the types table is a type the
// catalog reaches; a stale entry would describe nothing.
func TestEveryTypeIsUsed(t *testing.T) {
	reached := catalogFields(func(reflect.Type, reflect.StructField) {})
	for typ := range types {
		if !reached[typ] {
			t.Errorf("types names %s, which no catalog field holds", typ)
		}
	}
}

// TestEveryFieldIsDescribed: every json field of the catalog's types has
// a doc tag, the schema's description of it (schema's
// TestSchemaDescribesEveryField checks the rest of the document).
func TestEveryFieldIsDescribed(t *testing.T) {
	catalogFields(func(typ reflect.Type, f reflect.StructField) {
		if !f.Anonymous && strings.TrimSpace(f.Tag.Get("doc")) == "" {
			t.Errorf("%s.%s has no doc tag", typ.Name(), f.Name)
		}
	})
}

// TestTagErrors: a tag the generator cannot read fails it, naming the
// keyword or value.
func TestTagErrors(t *testing.T) {
	_, err := parseKeywords("minimum=1;maximun=3")
	if err == nil || !strings.Contains(err.Error(), `unknown keyword "maximun"`) {
		t.Errorf("misspelt keyword: %v", err)
	}
	_, err = parseKeywords("minimum=1;minimum=2")
	if err == nil || !strings.Contains(err.Error(), `"minimum" twice`) {
		t.Errorf("repeated keyword: %v", err)
	}
	_, err = defaultValue("three", reflect.TypeFor[int]())
	if err == nil || !strings.Contains(err.Error(), `default "three" is no int`) {
		t.Errorf("default of the wrong type: %v", err)
	}
	b, err := defaultValue("{requests: {cpu: '1'}}", reflect.TypeFor[catalog.Resources]())
	if err != nil || string(b) != `{"requests":{"cpu":"1"}}` {
		t.Errorf("object default: %s, %v", b, err)
	}
}

// TestOptionalFieldsAreOmitted: a field the schema does not require is
// left out when zero (omitempty; omitzero for a struct value, which
// omitempty never leaves out), so a catalog written through these types
// (synth) states only what it sets, as the schema reads it.
func TestOptionalFieldsAreOmitted(t *testing.T) {
	catalogFields(func(typ reflect.Type, f reflect.StructField) {
		if f.Anonymous || strings.Contains(f.Tag.Get("schema"), "required") {
			return
		}
		_, opts, _ := strings.Cut(f.Tag.Get("json"), ",")
		want := "omitempty"
		if f.Type.Kind() == reflect.Struct {
			want = "omitzero"
		}
		if opts != want {
			t.Errorf("%s.%s: json tag %q, want option %s", typ.Name(), f.Name, f.Tag.Get("json"), want)
		}
	})
}
