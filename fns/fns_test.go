package fns

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"sigs.k8s.io/kustomize/kyaml/fn/framework"
	"sigs.k8s.io/kustomize/kyaml/kio"

	"github.com/novagen/novagen/generators"
	"github.com/novagen/novagen/internal/golden"
)

// function is `novagen fn` as novagen's own binary runs it.
var function = Options{Registry: generators.Default()}

// TestProcessor runs the function on every testdata/<case>/input.yaml
// ResourceList, from inside the case directory as kustomize would. A case
// with errors.txt must fail with an error matching each of its lines
// (regular expressions) and output no items; any other case must succeed
// with exactly expected.yaml (make golden rewrites it).
func TestProcessor(t *testing.T) {
	inputs, err := filepath.Glob(filepath.Join("testdata", "*", "input.yaml"))
	if err != nil || len(inputs) == 0 {
		t.Fatalf("no test cases: %v", err)
	}
	for _, input := range inputs {
		dir := filepath.Dir(input)
		t.Run(filepath.Base(dir), func(t *testing.T) {
			t.Chdir(dir)
			in, err := os.ReadFile("input.yaml")
			if err != nil {
				t.Fatal(err)
			}
			var out bytes.Buffer
			runErr := framework.Execute(function.Processor(), &kio.ByteReadWriter{Reader: bytes.NewReader(in), Writer: &out})

			want, err := os.ReadFile("errors.txt")
			if os.IsNotExist(err) {
				if runErr != nil {
					t.Fatalf("unexpected error: %v", runErr)
				}
				golden.Assert(t, "expected.yaml", out.Bytes())
				assertNotLocalConfig(t, out.Bytes())
				return
			}
			if runErr == nil {
				t.Fatalf("expected an error, got output:\n%s", out.String())
			}
			for _, line := range strings.Split(strings.TrimSpace(string(want)), "\n") {
				if !regexp.MustCompile(line).MatchString(runErr.Error()) {
					t.Errorf("error %q does not match %q", runErr.Error(), line)
				}
			}
			if strings.Contains(out.String(), "kind: Service") {
				t.Errorf("a failing run must output no items:\n%s", out.String())
			}
		})
	}
}

// assertNotLocalConfig: kustomize drops objects annotated local-config, so
// a generated object that copied it from the function config would vanish.
func assertNotLocalConfig(t *testing.T, resourceList []byte) {
	t.Helper()
	items, err := (&kio.ByteReader{Reader: bytes.NewReader(resourceList)}).Read()
	if err != nil {
		t.Fatal(err)
	}
	if len(items) == 0 {
		t.Fatal("no items generated")
	}
	for _, it := range items {
		if _, ok := it.GetAnnotations()["config.kubernetes.io/local-config"]; ok {
			t.Errorf("%s %s carries config.kubernetes.io/local-config", it.GetKind(), it.GetName())
		}
	}
}
