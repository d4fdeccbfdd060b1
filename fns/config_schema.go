package fns

import (
	"bytes"
	_ "embed"
	"slices"

	"github.com/novagen/novagen/generators"
	"github.com/novagen/novagen/internal/schemadoc"
)

//go:embed config.schema.json
var configSchema []byte

// ConfigSchemaID is the $id of the function config's JSON Schema: a
// name, not a location (no site serves it; novagen schema --config
// prints it).
const ConfigSchemaID = "urn:novagen:schema:novagen-config:v1alpha1"

// ConfigSchema returns the JSON Schema of the function config (Config).
// readConfig's strict decode is what the function applies; tests keep the
// two equivalent (config_schema_test.go).
func ConfigSchema() []byte { return bytes.Clone(configSchema) }

// ConfigSchemaOf is ConfigSchema for a program whose registry is reg:
// spec.generators and spec.transformers name its generators and
// transformers. For novagen's own registry it is ConfigSchema, byte for
// byte; for another, re-encoded (schemadoc.Edit).
func ConfigSchemaOf(reg *generators.Registry) ([]byte, error) {
	lists := map[string][]any{"generators": nil, "transformers": nil}
	for _, g := range reg.All() {
		lists["generators"] = append(lists["generators"], g.Name)
	}
	for _, t := range reg.Transformers() {
		lists["transformers"] = append(lists["transformers"], t.Name)
	}
	same := true
	doc, err := schemadoc.Edit(configSchema, func(doc map[string]any) error {
		spec := doc["properties"].(map[string]any)["spec"].(map[string]any)["properties"].(map[string]any)
		for field, names := range lists {
			items := spec[field].(map[string]any)["items"].(map[string]any)
			same = same && slices.Equal(items["enum"].([]any), names)
			items["enum"] = names
		}
		return nil
	})
	if same {
		return ConfigSchema(), nil
	}
	return doc, err
}
