package load

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// quotaSchema is an extension's schema, as a downstream generator
// supplies it.
const quotaSchema = `{
  "type": "object",
  "additionalProperties": false,
  "required": ["cpu"],
  "properties": {
    "cpu": {"type": "string", "pattern": "^[0-9]+m?$"},
    "pods": {"type": "integer", "minimum": 1}
  }
}`

// smallCatalog is a catalog of one service, its lines 1 to 7, which
// the catalogs below go on.
const smallCatalog = `apiVersion: catalog.nova.dev/v1alpha1
kind: ServiceCatalog
metadata: {name: t}
spec:
  namespace: t
  defaults: {image: {registry: registry.example/t, tag: "1.0.0"}}
  services: [{name: a}]
`

// extensionCatalog has a team-quota section, and a production overlay
// changing it.
const extensionCatalog = smallCatalog + `  extensions:
    team-quota:
      cpu: "4"
      pods: 10
  environments:
    production:
      extensions:
        team-quota: {pods: 40}
`

var quota = Options{Extensions: map[string][]byte{"team-quota": []byte(quotaSchema)}}

// problems are the located messages of a load that failed.
func problems(t *testing.T, err error) []string {
	t.Helper()
	var errs Errors
	require.True(t, errors.As(err, &errs), "want located errors, got %v", err)
	var out []string
	for _, e := range errs {
		out = append(out, e.Error())
	}
	return out
}

// A registered extension's section loads as JSON for its generator to
// decode, and an environment's overlay merges into it like into the rest.
func TestExtensionSection(t *testing.T) {
	cat, err := quota.ParseEnv("c.yaml", []byte(extensionCatalog), "")
	require.NoError(t, err)
	assert.JSONEq(t, `{"cpu": "4", "pods": 10}`, string(cat.Spec.Extensions["team-quota"]))

	prod, err := quota.ParseEnv("c.yaml", []byte(extensionCatalog), "production")
	require.NoError(t, err)
	var got struct {
		CPU  string `json:"cpu"`
		Pods int    `json:"pods"`
	}
	require.NoError(t, json.Unmarshal(prod.Spec.Extensions["team-quota"], &got))
	assert.Equal(t, "4", got.CPU)
	assert.Equal(t, 40, got.Pods)
	require.NoError(t, CheckEnvironments(cat), "the environments load with the options the catalog was loaded with")
}

// A section no registered extension claims is an error at its key,
// naming those there are; with none registered, every section is.
func TestUnknownExtension(t *testing.T) {
	_, err := Parse("c.yaml", []byte(extensionCatalog))
	assert.Equal(t, []string{`c.yaml:9:5: spec.extensions: no extension "team-quota": this novagen has no extensions (a program that adds a generator reading spec.extensions registers it)`}, problems(t, err))

	other := Options{Extensions: map[string][]byte{"mongo-users": []byte(`{}`), "backups": []byte(`{}`)}}
	_, err = other.ParseEnv("c.yaml", []byte(extensionCatalog), "")
	assert.Equal(t, []string{`c.yaml:9:5: spec.extensions: no extension "team-quota": expected one of backups, mongo-users`}, problems(t, err))
}

// The extension's schema judges its section in the catalog's own words
// and positions: in the catalog as written, and in an environment (at
// the overlay's line).
func TestExtensionSchemaErrors(t *testing.T) {
	bad := smallCatalog + `  extensions:
    team-quota:
      cpu: lots
      pods: 0
      color: blue
`
	cat, err := quota.ParseEnv("c.yaml", []byte(bad), "")
	assert.Nil(t, cat)
	assert.Equal(t, []string{
		`c.yaml:10:12: spec.extensions.team-quota.cpu: "lots": does not match pattern '^[0-9]+m?$'`,
		`c.yaml:11:13: spec.extensions.team-quota.pods: 0 is out of range: it must be at least 1`,
		`c.yaml:12:7: spec.extensions.team-quota: unknown field "color"`,
	}, problems(t, err))

	fixed := []byte(smallCatalog + `  extensions:
    team-quota: {cpu: "4"}
  environments:
    production:
      extensions:
        team-quota: {pods: zero}
`)
	cat, err = quota.ParseEnv("c.yaml", fixed, "")
	require.NoError(t, err)
	assert.Equal(t, []string{
		`c.yaml:13:28: environment production: spec.extensions.team-quota.pods: "zero": expected integer, but got string`,
	}, problems(t, CheckEnvironments(cat)))
}

// A program's broken schema is reported, not a panic.
func TestBrokenExtensionSchema(t *testing.T) {
	broken := Options{Extensions: map[string][]byte{"team-quota": []byte(`{"type": `)}}
	_, err := broken.ParseEnv("c.yaml", []byte(extensionCatalog), "")
	msgs := problems(t, err)
	require.Len(t, msgs, 1)
	assert.Contains(t, msgs[0], `c.yaml:8:3: spec.extensions: extension "team-quota": its JSON Schema does not parse`)
}

// The program's schema describes its extensions' sections where editors
// and novagen explain look, and still validates what the loader accepts;
// without extensions it is the embedded one, byte for byte.
func TestOptionsJSONSchema(t *testing.T) {
	plain, err := Options{}.JSONSchema()
	require.NoError(t, err)
	assert.Equal(t, JSONSchema(), plain)

	doc, err := quota.JSONSchema()
	require.NoError(t, err)
	var parsed map[string]any
	require.NoError(t, json.Unmarshal(doc, &parsed))
	ext := parsed["definitions"].(map[string]any)["extensions"].(map[string]any)
	assert.Equal(t, false, ext["additionalProperties"])
	section := ext["properties"].(map[string]any)["team-quota"].(map[string]any)
	assert.Equal(t, []any{"cpu"}, section["required"])
	assert.NotContains(t, string(doc), `\u003c`, "descriptions keep their <name>")

	var instance any
	require.NoError(t, json.Unmarshal([]byte(`{"apiVersion": "catalog.nova.dev/v1alpha1", "kind": "ServiceCatalog", "metadata": {"name": "t"}, "spec": {"namespace": "t", "services": [{"name": "a"}], "extensions": {"team-quota": {"cpu": "4"}}}}`), &instance))
	require.NoError(t, ValidateDocument("urn:test", doc, instance))
	instance.(map[string]any)["spec"].(map[string]any)["extensions"] = map[string]any{"team-quota": map[string]any{"cpu": "lots"}}
	assert.Error(t, ValidateDocument("urn:test", doc, instance))

	_, err = Options{Extensions: map[string][]byte{"x": []byte("[")}}.JSONSchema()
	assert.ErrorContains(t, err, `extension "x": its JSON Schema`)
}
