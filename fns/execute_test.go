package fns

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"sigs.k8s.io/kustomize/kyaml/fn/framework"
	"sigs.k8s.io/kustomize/kyaml/kio"

	"github.com/novagen/novagen/internal/golden"
)

// handWritten is a ResourceList as kustomize hands it over: objects of
// the kustomization before the function (reader annotations, comments,
// flow style, empty annotations), the function config with comments.
const handWritten = `apiVersion: config.kubernetes.io/v1
kind: ResourceList
items:
- apiVersion: apps/v1
  kind: Deployment
  metadata:
    name: echo # patched by init-containers
    namespace: mini
    annotations:
      config.kubernetes.io/index: '0'
      internal.config.kubernetes.io/index: '0'
      config.kubernetes.io/path: 'base/echo.yaml'
      internal.config.kubernetes.io/path: 'base/echo.yaml'
  spec:
    template:
      spec:
        initContainers:
        - {name: wait-for-vault, image: 'registry.example/vault:1'}
        containers:
        - name: echo
          image: registry.example/mini/echo:0.1.0
          args: ["--port", "8080"]
- apiVersion: v1
  kind: ConfigMap
  metadata:
    name: plain
    annotations:
      config.kubernetes.io/index: '1'
      internal.config.kubernetes.io/index: '1'
  data:
    script: |
      #!/bin/sh
      echo "it's $HOME"
    "yes": "no"
    empty: ""
- apiVersion: v1
  kind: ConfigMap
  metadata:
    name: empty-annotations
    annotations: {}
- apiVersion: v1
  kind: Secret
  metadata: {}
functionConfig:
  apiVersion: novagen.nova.dev/v1alpha1
  kind: NovaGen
  metadata:
    name: full
    annotations:
      # kustomize marks the config local
      config.kubernetes.io/local-config: "true"
  spec:
    catalog: ../catalog-with-deps.yaml
`

// TestExecuteMatchesFramework: for every test case and a ResourceList
// with hand-written objects, Execute writes the bytes framework.Execute
// wrote (as Main ran it, keeping reader annotations) and fails the same.
func TestExecuteMatchesFramework(t *testing.T) {
	cases := executeCases(t)
	cases["hand-written, failing"] = bytes.Replace([]byte(handWritten), []byte("catalog-with-deps"), []byte("no-such-catalog"), 1)
	streamed := 0
	for name, in := range cases {
		t.Run(name, func(t *testing.T) {
			chdirCase(t, name)
			var want, got bytes.Buffer
			wantErr := framework.Execute(function.Processor(), &kio.ByteReadWriter{Reader: bytes.NewReader(in), Writer: &want, KeepReaderAnnotations: true})
			gotErr := function.Execute(bytes.NewReader(in), &got)
			if (wantErr == nil) != (gotErr == nil) || wantErr != nil && wantErr.Error() != gotErr.Error() {
				t.Fatalf("error %v, framework.Execute's %v", gotErr, wantErr)
			}
			if !bytes.Equal(want.Bytes(), got.Bytes()) {
				t.Fatalf("output differs:\n%s", golden.Diff("framework.Execute", want.Bytes(), "Execute", got.Bytes()))
			}
			if gotErr == nil {
				streamed++
			} else {
				t.Logf("both fail: %v", gotErr)
			}
		})
	}
	if streamed < 4 {
		t.Errorf("only %d successful runs compared", streamed)
	}
}

// executeCases are the inputs of the Execute tests by name: every
// testdata/<case>/input.yaml and the hand-written ResourceList.
func executeCases(t *testing.T) map[string][]byte {
	t.Helper()
	inputs, err := filepath.Glob(filepath.Join("testdata", "*", "input.yaml"))
	if err != nil || len(inputs) == 0 {
		t.Fatalf("no test cases: %v", err)
	}
	cases := map[string][]byte{"hand-written": []byte(handWritten)}
	for _, input := range inputs {
		in, err := os.ReadFile(input)
		if err != nil {
			t.Fatal(err)
		}
		cases[input] = in
	}
	return cases
}

// chdirCase enters the directory an executeCases case runs from, as
// kustomize would: its own; the hand-written one's catalog path is
// relative to testdata/generate-one.
func chdirCase(t *testing.T, name string) {
	dir := filepath.Dir(name)
	if dir == "." {
		dir = filepath.Join("testdata", "generate-one")
	}
	t.Chdir(dir)
}
