package load

// Extensions: the sections of the catalog a program's own generators
// read, spec.extensions.<name>, each checked against the JSON Schema its
// generator supplies (Options.Extensions).

import (
	"bytes"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/novagen/novagen/internal/schemadoc"
)

// extensionsPointer is where the sections lie in the catalog.
const extensionsPointer = "/spec/extensions"

// checkExtensions checks spec.extensions of the converted catalog
// (instance, its environment merged): every key a registered extension,
// every section as that extension's schema says.
func (o Options) checkExtensions(instance any, pos *positions) Errors {
	sections, _ := rawValueAt(instance, extensionsPointer).(map[string]any)
	var errs Errors
	var claimed []string
	for _, name := range slices.Sorted(maps.Keys(sections)) {
		if _, ok := o.Extensions[name]; !ok {
			errs = append(errs, Error{Pos: pos.key(extensionsPointer + "/" + escapePointer(name)),
				Message: fmt.Sprintf("spec.extensions: no extension %s: %s", quoteShort(name), o.knownExtensions())})
			continue
		}
		claimed = append(claimed, name)
	}
	if len(claimed) == 0 {
		return errs
	}
	s, err := o.compileExtensions(claimed)
	if err != nil {
		return append(errs, Error{Pos: pos.key(extensionsPointer), Message: "spec.extensions: " + err.Error()})
	}
	return append(errs, validateAgainst(s, instance, pos).errs...)
}

// knownExtensions says which extensions this program has, for an error.
func (o Options) knownExtensions() string {
	if len(o.Extensions) == 0 {
		return "this novagen has no extensions (a program that adds a generator reading spec.extensions registers it)"
	}
	return "expected one of " + strings.Join(slices.Sorted(maps.Keys(o.Extensions)), ", ")
}

// extensionURL names an extension's schema: a name, not a location.
func extensionURL(name string) string { return "urn:novagen:extension:" + name }

// compileExtensions is one schema of the whole catalog that checks each
// named section against its extension's schema, so that the findings'
// locations are the catalog's (spec.extensions.<name>.field).
func (o Options) compileExtensions(names []string) (*jsonschema.Schema, error) {
	c := newCompiler()
	sections := map[string]any{}
	for _, name := range names {
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(o.Extensions[name]))
		if err != nil {
			return nil, fmt.Errorf("extension %q: its JSON Schema does not parse: %v", name, err)
		}
		if err := c.AddResource(extensionURL(name), doc); err != nil {
			return nil, fmt.Errorf("extension %q: its JSON Schema: %v", name, err)
		}
		sections[name] = map[string]any{"$ref": extensionURL(name)}
	}
	whole := map[string]any{"properties": map[string]any{"spec": map[string]any{"properties": map[string]any{"extensions": map[string]any{"properties": sections}}}}}
	const url = "urn:novagen:extensions"
	if err := c.AddResource(url, whole); err != nil {
		return nil, err
	}
	s, err := c.Compile(url)
	if err != nil {
		return nil, fmt.Errorf("an extension's JSON Schema does not compile: %v", err)
	}
	return s, nil
}

// JSONSchema is the catalog's JSON Schema for this program (novagen
// schema, explain, editors): the extensions' schemas as the properties
// of spec.extensions, which then takes no other key. Without extensions
// it is the embedded document as it is; with them, re-encoded (keys in
// order). An extension's schema is embedded without its $schema and $id:
// one that refers to its own definitions ($ref "#/...") is only checked
// by the loader, not described here.
func (o Options) JSONSchema() ([]byte, error) {
	if len(o.Extensions) == 0 {
		return JSONSchema(), nil
	}
	return schemadoc.Edit(schemaJSON, func(doc map[string]any) error {
		sections := map[string]any{}
		for name, data := range o.Extensions {
			var s map[string]any
			if err := schemadoc.DecodeJSON(data, &s); err != nil {
				return fmt.Errorf("extension %q: its JSON Schema: %v", name, err)
			}
			delete(s, "$schema")
			delete(s, "$id")
			sections[name] = s
		}
		ext := doc["definitions"].(map[string]any)["extensions"].(map[string]any)
		ext["properties"], ext["additionalProperties"] = sections, false
		return nil
	})
}
