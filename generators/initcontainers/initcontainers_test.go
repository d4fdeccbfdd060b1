package initcontainers

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"sigs.k8s.io/kustomize/kyaml/kio"
	"sigs.k8s.io/kustomize/kyaml/yaml"

	"github.com/novagen/novagen/internal/golden"
	"github.com/novagen/novagen/render"
	"github.com/novagen/novagen/schema"
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
			cat, err := schema.Load(filepath.Join(dir, "catalog.yaml"))
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

func transformBytes(t *testing.T, cat *schema.Catalog, in []byte) []byte {
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
