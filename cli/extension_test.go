package cli

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"

	"github.com/novagen/novagen/catalog"
	"github.com/novagen/novagen/catalog/load"
	"github.com/novagen/novagen/generators"
	"github.com/novagen/novagen/generators/kube"
	"github.com/novagen/novagen/generators/syncwaves"
)

// greeting is a program's own generator: a ConfigMap from its section,
// spec.extensions.greeting.
var greeting = generators.Generator{
	Name:        "greeting",
	Description: "a ConfigMap saying hello",
	Phase:       syncwaves.PhaseServices,
	Extension:   []byte(`{"type": "object", "additionalProperties": false, "required": ["text"], "properties": {"text": {"type": "string", "minLength": 1}}}`),
	Generate: func(cat *catalog.Catalog) ([]kube.Object, error) {
		var section struct{ Text string }
		if err := json.Unmarshal(cat.Spec.Extensions["greeting"], &section); err != nil {
			return nil, err
		}
		return []kube.Object{&corev1.ConfigMap{
			TypeMeta:   kube.TypeMeta("v1", "ConfigMap"),
			ObjectMeta: kube.Meta(cat, "greeting", "greeting", "greeting"),
			Data:       map[string]string{"text": section.Text},
		}}, nil
	},
}

// greetingCatalog uses the greeting extension; text is its value.
func greetingCatalog(text string) string {
	return `apiVersion: catalog.nova.dev/v1alpha1
kind: ServiceCatalog
metadata: {name: t}
spec:
  namespace: t
  defaults: {image: {registry: registry.example/t, tag: "1.0.0"}}
  services: [{name: a}]
  extensions:
    greeting: {text: ` + text + `}
`
}

// runWith runs novagen with reg on a catalog given on standard input.
func runWith(reg *generators.Registry, stdin string, args ...string) (int, string, string) {
	var out, errOut bytes.Buffer
	code := Run(reg, args, strings.NewReader(stdin), &out, &errOut)
	return code, out.String(), errOut.String()
}

// A program's registry reaches every command: its generator renders and
// is listed, its section is checked by its schema at the section's line,
// and novagen's own registry refuses the section it does not know.
func TestProgramRegistry(t *testing.T) {
	reg := novagen.With(greeting)

	code, stdout, stderr := runWith(reg, greetingCatalog("hello"), "render", "-f", "-", "-g", "greeting")
	require.Equal(t, 0, code, stderr)
	assert.Contains(t, stdout, "kind: ConfigMap")
	assert.Contains(t, stdout, "text: hello")

	code, stdout, _ = runWith(reg, "", "render", "--help")
	require.Equal(t, 0, code)
	assert.Contains(t, stdout, "network-policies, greeting")

	code, _, stderr = runWith(reg, greetingCatalog(`""`), "validate", "-f", "-")
	assert.Equal(t, 1, code)
	assert.Equal(t, "<stdin>:9:22: spec.extensions.greeting.text: \"\": length must be >= 1, but got 0\n", stderr)

	code, _, stderr = runWith(novagen, greetingCatalog("hello"), "validate", "-f", "-")
	assert.Equal(t, 1, code)
	assert.Equal(t, "<stdin>:9:5: spec.extensions: no extension \"greeting\": this novagen has no extensions (a program that adds a generator reading spec.extensions registers it)\n", stderr)

	code, _, stderr = runWith(reg, greetingCatalog("hello"), "render", "-f", "-", "-g", "nope")
	assert.Equal(t, 1, code)
	assert.Contains(t, stderr, "expected one of namespace,")
	assert.Contains(t, stderr, "network-policies, greeting")

	// Where novagen describes the catalog and the config, the program's
	// section and generator are there; novagen's own output is the
	// embedded schemas'.
	code, stdout, stderr = runWith(reg, "", "explain", "extensions.greeting.text")
	require.Equal(t, 0, code, stderr)
	assert.Contains(t, stdout, "spec.extensions.greeting.text")
	code, stdout, _ = runWith(reg, "", "schema", "--config")
	require.Equal(t, 0, code)
	assert.Contains(t, stdout, `"greeting"`)
	code, stdout, _ = runWith(novagen, "", "schema")
	require.Equal(t, 0, code)
	assert.Equal(t, string(load.JSONSchema()), stdout)
}

// A program that forgets its registry gets an error, not a panic.
func TestRunWithoutRegistry(t *testing.T) {
	code, _, stderr := runWith(nil, "", "render")
	assert.Equal(t, 1, code)
	assert.Equal(t, "novagen: internal error: cli.Run without a registry (generators.Default(), or a program's own)\n", stderr)
}
