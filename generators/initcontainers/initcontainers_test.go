package initcontainers

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"sigs.k8s.io/kustomize/kyaml/kio"
	"sigs.k8s.io/kustomize/kyaml/yaml"

	"github.com/novagen/novagen/catalog"
	"github.com/novagen/novagen/catalog/load"
	"github.com/novagen/novagen/internal/golden"
	"github.com/novagen/novagen/render"
)

// TestGolden transforms testdata/<case>/input.yaml with the case's
// catalog, compares with expected.yaml, and transforms the result once
// more: a second run must change nothing.
func TestGolden(t *testing.T) {
	inputs, err := filepath.Glob(filepath.Join("testdata", "*", "input.yaml"))
	if err != nil || len(inputs) == 0 {
		t.Fatalf("no testdata/<case>/input.yaml (%v)", err)
	}
	for _, in := range inputs {
		dir := filepath.Dir(in)
		t.Run(filepath.Base(dir), func(t *testing.T) {
			cat, err := load.Load(filepath.Join(dir, "catalog.yaml"))
			if err != nil {
				t.Fatal(err)
			}
			once := transformBytes(t, cat, read(t, in))
			golden.Assert(t, filepath.Join(dir, "expected.yaml"), once)
			if twice := transformBytes(t, cat, once); !bytes.Equal(once, twice) {
				t.Errorf("not idempotent:\n%s", golden.Diff("once", once, "twice", twice))
			}
		})
	}
}

func read(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func parse(t *testing.T, b []byte) []*yaml.RNode {
	t.Helper()
	nodes, err := (&kio.ByteReader{Reader: bytes.NewReader(b), OmitReaderAnnotations: true}).Read()
	if err != nil {
		t.Fatal(err)
	}
	return nodes
}

func transformBytes(t *testing.T, cat *catalog.Catalog, in []byte) []byte {
	t.Helper()
	out, err := Transform(cat, parse(t, in))
	if err != nil {
		t.Fatal(err)
	}
	b, err := render.Bytes(out)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestMalformedWorkloads: a hand-written Deployment with a malformed pod
// spec is an error naming the object and the field, never a panic and
// never silently replaced.
func TestMalformedWorkloads(t *testing.T) {
	cat, err := load.Load(filepath.Join("testdata", "hand-written", "catalog.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	deployment := func(spec string) string {
		return "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: orders}\nspec:\n" + spec
	}
	tests := []struct{ name, spec, want string }{
		{"entry without a name", "  template: {spec: {initContainers: [{image: busybox:1.36.1}]}}",
			"Deployment orders: spec.template.spec.initContainers[0]: expected an entry with a name, found a mapping without a name"},
		{"null entry", "  template: {spec: {initContainers: [null]}}",
			"Deployment orders: spec.template.spec.initContainers[0]: expected an entry with a name, found null"},
		{"map instead of list", "  template: {spec: {initContainers: {name: x}}}",
			"Deployment orders: spec.template.spec.initContainers: expected a list, found a mapping without a name"},
		{"a number", "  template: {spec: {initContainers: 7}}",
			`Deployment orders: spec.template.spec.initContainers: expected a list, found the value "7"`},
		{"empty name", "  template: {spec: {initContainers: [{name: \"\"}]}}",
			"spec.template.spec.initContainers[0]: expected an entry with a name"},
		{"volumes a number", "  template: {spec: {volumes: 7}}",
			`Deployment orders: spec.template.spec.volumes: expected a list, found the value "7"`},
		{"template a list", "  template: []",
			"Deployment orders: spec.template: expected a mapping, found a list"},
		{"spec a string", "  template: {spec: text}",
			`Deployment orders: spec.template.spec: expected a mapping, found the value "text"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Transform(cat, parse(t, []byte(deployment(tt.spec))))
			if err == nil {
				t.Fatalf("no error for %s", tt.spec)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %q does not contain %q", err, tt.want)
			}
		})
	}
	// A null list is an empty one, as the API server reads it.
	out, err := Transform(cat, parse(t, []byte(deployment("  template: {spec: {initContainers: null, containers: [{name: c, image: x:1}]}}"))))
	if err != nil {
		t.Fatal(err)
	}
	if s := out[0].MustString(); !strings.Contains(s, "wait-for-postgres") {
		t.Fatalf("wait containers not added:\n%s", s)
	}
}
