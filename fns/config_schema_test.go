package fns

import (
	"encoding/json"
	"maps"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"sigs.k8s.io/kustomize/kyaml/yaml"
	sigsyaml "sigs.k8s.io/yaml"

	"github.com/novagen/novagen/catalog/load"
	"github.com/novagen/novagen/generators"
	"github.com/novagen/novagen/internal/schemadoc"
)

func configDoc(t *testing.T) *schemadoc.Doc {
	t.Helper()
	doc, err := schemadoc.Parse(configSchema)
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

// TestConfigSchemaDescribed: every field of the config schema says what
// it is.
func TestConfigSchemaDescribed(t *testing.T) {
	for _, m := range configDoc(t).Undescribed() {
		t.Errorf("no description: %s", m)
	}
	var raw map[string]any
	if err := json.Unmarshal(configSchema, &raw); err != nil {
		t.Fatal(err)
	}
	if raw["$id"] != ConfigSchemaID {
		t.Errorf("$id %v, want %s", raw["$id"], ConfigSchemaID)
	}
}

// TestConfigSchemaMatchesGoType: the schema's fields are exactly the yaml
// fields of Config, level by level, and every object refuses other fields,
// as readConfig's strict decode does.
func TestConfigSchemaMatchesGoType(t *testing.T) {
	var check func(path string, typ reflect.Type, n schemadoc.Node)
	check = func(path string, typ reflect.Type, n schemadoc.Node) {
		goFields := map[string]reflect.Type{}
		for f := range typ.Fields() {
			name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
			goFields[name] = f.Type
		}
		var inSchema []string
		for _, f := range n.Fields() {
			inSchema = append(inSchema, f.Name)
		}
		if got, want := inSchema, slices.Sorted(maps.Keys(goFields)); !slices.Equal(got, want) {
			t.Errorf("%s: schema fields %v, Go %s fields %v", orRoot(path), got, typ, want)
		}
		if ap, _ := n.Keyword("additionalProperties"); ap != false {
			t.Errorf("%s: the schema allows unknown fields, the strict decode refuses them", orRoot(path))
		}
		for name, ft := range goFields {
			child, ok := n.Child(name)
			if !ok {
				continue
			}
			if ft.Kind() == reflect.Struct {
				check(path+"."+name, ft, child)
				continue
			}
			if got, want := child.Type(), goType(ft); got != want {
				t.Errorf("%s.%s: schema type %s, Go %s", orRoot(path), name, got, want)
			}
		}
	}
	check("", reflect.TypeFor[Config](), configDoc(t).Root())
}

func orRoot(path string) string {
	if path == "" {
		return "the top level"
	}
	return strings.TrimPrefix(path, ".")
}

// goType is a Go field's type as schemadoc.Node.Type writes it.
func goType(t reflect.Type) string {
	switch t.Kind() {
	case reflect.String:
		return "string"
	case reflect.Slice:
		return "[]" + goType(t.Elem())
	case reflect.Map:
		return "map[string]" + goType(t.Elem())
	}
	return t.String()
}

// TestConfigSchemaNames: the names the schema allows in spec.generators
// and spec.transformers are the registry's.
func TestConfigSchemaNames(t *testing.T) {
	doc := configDoc(t)
	var gens, trans []any
	for _, g := range generators.Default().All() {
		gens = append(gens, g.Name)
	}
	for _, tr := range generators.Default().Transformers() {
		trans = append(trans, tr.Name)
	}
	for path, want := range map[string][]any{"spec.generators": gens, "spec.transformers": trans} {
		n, _, err := doc.Lookup(path)
		if err != nil {
			t.Fatal(err)
		}
		e, _ := n.Elem()
		got, _ := e.Keyword("enum")
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: schema enum %v, registry %v", path, got, want)
		}
	}
}

// TestConfigSchemaAgreesWithReadConfig: the schema and the function's
// own reading of a config give the same verdict. Where YAML decoding is
// more lenient than JSON types (a number where a string goes), the schema
// is stricter; those cases say so.
func TestConfigSchemaAgreesWithReadConfig(t *testing.T) {
	const head = "apiVersion: novagen.nova.dev/v1alpha1\nkind: NovaGen\nmetadata: {name: c}\n"
	for _, tc := range []struct {
		name, config   string
		ok             bool
		schemaStricter bool // the schema refuses, readConfig accepts
	}{
		{name: "minimal", config: head + "spec: {catalog: services.yaml}", ok: true},
		{name: "everything", config: head + "spec: {catalog: s.yaml, environment: prod, partition: team-a, generators: [namespace, grpc-services], transformers: []}", ok: true},
		{name: "annotations", config: "apiVersion: novagen.nova.dev/v1alpha1\nkind: NovaGen\nmetadata:\n  name: c\n  annotations: {config.kubernetes.io/function: 'exec: {path: novagen}'}\nspec: {catalog: s.yaml}", ok: true},
		{name: "all transformers", config: head + "spec: {catalog: s.yaml, transformers: [init-containers]}", ok: true},
		{name: "no spec", config: head},
		{name: "no catalog", config: head + "spec: {environment: prod}"},
		{name: "empty catalog", config: head + "spec: {catalog: ''}"},
		{name: "unknown spec field", config: head + "spec: {catalog: s.yaml, generator: [namespace]}"},
		{name: "unknown top field", config: head + "spec: {catalog: s.yaml}\nstatus: {}"},
		{name: "unknown metadata field", config: "apiVersion: novagen.nova.dev/v1alpha1\nkind: NovaGen\nmetadata: {name: c, labels: {a: b}}\nspec: {catalog: s.yaml}"},
		{name: "unknown generator", config: head + "spec: {catalog: s.yaml, generators: [nope]}"},
		{name: "unknown transformer", config: head + "spec: {catalog: s.yaml, transformers: [nope]}"},
		{name: "wrong kind", config: "apiVersion: novagen.nova.dev/v1alpha1\nkind: Other\nmetadata: {name: c}\nspec: {catalog: s.yaml}"},
		{name: "wrong apiVersion", config: "apiVersion: novagen.nova.dev/v1\nkind: NovaGen\nmetadata: {name: c}\nspec: {catalog: s.yaml}"},
		{name: "generators not a list", config: head + "spec: {catalog: s.yaml, generators: namespace}"},
		{name: "number as catalog", config: head + "spec: {catalog: 42}", ok: true, schemaStricter: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			node, err := yaml.Parse(tc.config)
			if err != nil {
				t.Fatal(err)
			}
			_, readErr := readConfig(node, generators.Default())
			var instance any
			if err := sigsyaml.Unmarshal([]byte(tc.config), &instance); err != nil {
				t.Fatal(err)
			}
			schemaErr := load.ValidateDocument(ConfigSchemaID, configSchema, instance)
			if (readErr == nil) != tc.ok {
				t.Errorf("readConfig: error %v, want ok=%v", readErr, tc.ok)
			}
			if wantSchema := tc.ok && !tc.schemaStricter; (schemaErr == nil) != wantSchema {
				t.Errorf("schema: error %v, want ok=%v", schemaErr, wantSchema)
			}
		})
	}
}

// TestConfigSchemaOf: novagen's own registry gets the embedded schema,
// byte for byte; a program's lists its generators too, in its order.
func TestConfigSchemaOf(t *testing.T) {
	own, err := ConfigSchemaOf(function.Registry)
	require.NoError(t, err)
	assert.Equal(t, ConfigSchema(), own)

	extra := function.Registry.All()[0]
	extra.Name = "team-quota"
	doc, err := ConfigSchemaOf(function.Registry.With(extra))
	require.NoError(t, err)
	var parsed struct {
		Properties struct {
			Spec struct {
				Properties map[string]struct {
					Items struct{ Enum []string }
				}
			}
		}
	}
	require.NoError(t, json.Unmarshal(doc, &parsed))
	gens := parsed.Properties.Spec.Properties["generators"].Items.Enum
	assert.Equal(t, "team-quota", gens[len(gens)-1])
	assert.Len(t, gens, len(function.Registry.All())+1)
	assert.Equal(t, []string{"init-containers"}, parsed.Properties.Spec.Properties["transformers"].Items.Enum)
}
