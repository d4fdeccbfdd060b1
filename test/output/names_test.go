package output

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/util/validation"
	"sigs.k8s.io/kustomize/kyaml/yaml"

	"github.com/novagen/novagen/pipeline"
	"github.com/novagen/novagen/render"
	"github.com/novagen/novagen/schema"
	"github.com/novagen/novagen/synth"
)

// testCatalogs are every catalog of the repository that loads: the
// staging one, the generators' golden cases, the function's, and the
// catalogs of test/catalogs (the longest names among them).
func testCatalogs(t *testing.T) []string {
	t.Helper()
	var out []string
	for _, pattern := range []string{
		"../../services.yaml",
		"../../generators/*/testdata/*/catalog.yaml",
		"../../fns/testdata/catalog.yaml",
		"../catalogs/*.yaml",
	} {
		m, err := filepath.Glob(pattern)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, m...)
	}
	if len(out) < 15 {
		t.Fatalf("found only %d catalogs: %v", len(out), out)
	}
	return out
}

// namedCatalog is a loaded test catalog and where it came from.
type namedCatalog struct {
	name string
	cat  *schema.Catalog
}

// loadTestCatalogs loads every test catalog and a synthetic one of 300
// services (novagen synth), the shape a large team's catalog has.
func loadTestCatalogs(t *testing.T) []namedCatalog {
	t.Helper()
	var out []namedCatalog
	for _, path := range testCatalogs(t) {
		cat, err := schema.Load(path)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, namedCatalog{strings.TrimPrefix(path, "../../"), cat})
	}
	data, err := synth.Catalog(synth.Options{Services: 300, Seed: 7})
	if err != nil {
		t.Fatal(err)
	}
	cat, err := schema.Parse("synth-300.yaml", data)
	if err != nil {
		t.Fatal(err)
	}
	return append(out, namedCatalog{"synth-300", cat})
}

// TestNamesAndLabelsValid renders every test catalog and checks every name
// and label against the rules the API server applies, with
// k8s.io/apimachinery's own validation functions.
func TestNamesAndLabelsValid(t *testing.T) {
	for _, c := range loadTestCatalogs(t) {
		t.Run(c.name, func(t *testing.T) {
			nodes, err := pipeline.Run(c.cat, pipeline.Options{}, nil)
			if err != nil {
				t.Fatal(err)
			}
			for _, n := range nodes {
				for _, p := range checkNames(n) {
					t.Errorf("%s %s: %s", n.GetKind(), n.GetName(), p)
				}
			}
		})
	}
}

// objectNameRules are the name rules of the kinds novagen emits whose
// rule is stricter than a DNS-1123 subdomain.
var objectNameRules = map[string]func(string) []string{
	"Service":   validation.IsDNS1035Label,
	"Namespace": validation.IsDNS1123Label,
	// The Job controller copies a Job's name into a label of its pods.
	"Job": func(s string) []string {
		return append(validation.IsDNS1123Label(s), validation.IsValidLabelValue(s)...)
	},
}

// checkNames returns every invalid name or label in one rendered object.
func checkNames(n *yaml.RNode) []string {
	var bad []string
	fail := func(where, value string, errs []string) {
		if len(errs) > 0 {
			bad = append(bad, fmt.Sprintf("%s %q: %s", where, value, strings.Join(errs, "; ")))
		}
	}
	rule := validation.IsDNS1123Subdomain
	if r, ok := objectNameRules[n.GetKind()]; ok {
		rule = r
	}
	fail("metadata.name", n.GetName(), rule(n.GetName()))
	if ns := n.GetNamespace(); ns != "" {
		fail("metadata.namespace", ns, validation.IsDNS1123Label(ns))
	}
	for k := range n.GetAnnotations() {
		fail("annotation key", k, validation.IsQualifiedName(k))
	}
	walk(n.YNode(), "", func(path, key string, v *yaml.Node) {
		switch {
		case key == "labels" || key == "matchLabels":
			forPairs(v, func(k, val string) {
				fail(path+" key", k, validation.IsQualifiedName(k))
				fail(path+" value", val, validation.IsValidLabelValue(val))
			})
		case key == "containers" || key == "initContainers":
			forNamed(v, func(name string) { fail(path+" name", name, validation.IsDNS1123Label(name)) })
		case key == "volumes":
			forNamed(v, func(name string) { fail(path+" name", name, validation.IsDNS1123Label(name)) })
		case key == "env":
			forNamed(v, func(name string) { fail(path+" name", name, validation.IsEnvVarName(name)) })
		case key == "ports":
			forNamed(v, func(name string) { fail(path+" name", name, validation.IsValidPortName(name)) })
		case key == "data" && n.GetKind() == "ConfigMap" && path == "data":
			forPairs(v, func(k, _ string) { fail("data key", k, validation.IsConfigMapKey(k)) })
		}
	})
	return bad
}

// walk calls fn for every mapping value, with its dotted path and key.
func walk(n *yaml.Node, path string, fn func(path, key string, v *yaml.Node)) {
	switch n.Kind {
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i].Value, n.Content[i+1]
			p := strings.TrimPrefix(path+"."+k, ".")
			fn(p, k, v)
			walk(v, p, fn)
		}
	case yaml.SequenceNode:
		for _, c := range n.Content {
			walk(c, path+"[]", fn)
		}
	}
}

func forPairs(m *yaml.Node, fn func(k, v string)) {
	if m.Kind != yaml.MappingNode {
		return
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		fn(m.Content[i].Value, m.Content[i+1].Value)
	}
}

// forNamed calls fn with the name of every entry of a list that has one.
func forNamed(list *yaml.Node, fn func(name string)) {
	if list.Kind != yaml.SequenceNode {
		return
	}
	for _, item := range list.Content {
		if item.Kind != yaml.MappingNode {
			continue
		}
		for i := 0; i+1 < len(item.Content); i += 2 {
			if item.Content[i].Value == "name" {
				fn(item.Content[i+1].Value)
			}
		}
	}
}

// TestNameCheckCatchesViolations proves checkNames can fail.
func TestNameCheckCatchesViolations(t *testing.T) {
	long := strings.Repeat("a", 64)
	cases := []struct{ name, object, want string }{
		{"service name with a digit first", "apiVersion: v1\nkind: Service\nmetadata: {name: 1abc}", "metadata.name \"1abc\""},
		{"label value too long", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, labels: {app: " + long + "}}", "metadata.labels value"},
		{"label key invalid", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, labels: {'a/b/c': x}}", "metadata.labels key"},
		{"container name", "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: a}\nspec: {template: {spec: {containers: [{name: " + long + "}]}}}", "spec.template.spec.containers name"},
		{"port name", "apiVersion: v1\nkind: Service\nmetadata: {name: a}\nspec: {ports: [{name: metrics-exporter, port: 1}]}", "spec.ports name \"metrics-exporter\""},
		{"env name", "apiVersion: batch/v1\nkind: Job\nmetadata: {name: a}\nspec: {template: {spec: {containers: [{name: c, env: [{name: '1X'}]}]}}}", "env name"},
		{"job name", "apiVersion: batch/v1\nkind: Job\nmetadata: {name: " + long + "}", "metadata.name"},
		{"selector", "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: a}\nspec: {selector: {matchLabels: {app: 'a b'}}}", "spec.selector.matchLabels value"},
		{"configmap key", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\ndata: {'a/b': x}", "data key"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			nodes, err := render.Parse([]byte(tc.object))
			if err != nil {
				t.Fatal(err)
			}
			got := strings.Join(checkNames(nodes[0]), "\n")
			if !strings.Contains(got, tc.want) {
				t.Fatalf("want a finding containing %q, got %q", tc.want, got)
			}
		})
	}
}

// TestLongestNamesAreTheLongest: test/catalogs/longest-names.yaml is at
// the limit: one character more on any of its names is a load error, so
// the render above really checks the longest names the loader lets
// through.
func TestLongestNamesAreTheLongest(t *testing.T) {
	const path = "../catalogs/longest-names.yaml"
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := schema.Parse(path, data); err != nil {
		t.Fatal(err)
	}
	// Every name the catalog builds at its limit ends in "xz"; each is
	// grown by one character in turn.
	var names []string
	for _, f := range strings.FieldsFunc(string(data), func(r rune) bool { return strings.ContainsRune(" \n,[]{}:", r) }) {
		if strings.HasSuffix(f, "xz") && !slices.Contains(names, f) {
			names = append(names, f)
		}
	}
	if len(names) < 10 {
		t.Fatalf("found only %d names at their limit: %v", len(names), names)
	}
	for _, name := range names {
		longer := strings.TrimSuffix(name, "z") + "xz"
		grown := strings.ReplaceAll(string(data), name, longer)
		if _, err := schema.Parse(path, []byte(grown)); err == nil {
			t.Errorf("%q (%d) grown to %d characters still loads: it is not at its limit", name, len(name), len(longer))
		}
	}
	t.Logf("%d names at their limit", len(names))
}
