package fns

import (
	"bytes"
	_ "embed"
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
