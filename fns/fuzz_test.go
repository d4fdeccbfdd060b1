package fns

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/novagen/novagen/internal/guard"
	"github.com/novagen/novagen/pipeline"
)

// fuzzLimit is how long one input may take before the fuzz worker is
// killed and the input kept as a crasher.
const fuzzLimit = 20 * time.Second

// FuzzFunction: the function, on any ResourceList kustomize (or anyone
// who can write to a repository) might hand it, never panics or hangs;
// a failing run writes no item; its error, printed, carries no raw
// control character; a run that succeeds writes YAML that reads back.
// The seeds' configs name their catalogs from the package directory, where
// the fuzzer runs (a fuzz worker cannot change directory).
func FuzzFunction(f *testing.F) {
	inputs, err := filepath.Glob(filepath.Join("testdata", "*", "input.yaml"))
	if err != nil || len(inputs) == 0 {
		f.Fatalf("no seeds: %v", err)
	}
	for _, in := range inputs {
		data, err := os.ReadFile(in)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(bytes.ReplaceAll(data, []byte("catalog: ../"), []byte("catalog: testdata/")))
	}
	f.Add([]byte(strings.ReplaceAll(handWritten, "catalog: ", "catalog: testdata/generate-one/")))
	for _, seed := range hostileSeeds {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		watchdog := time.AfterFunc(fuzzLimit, func() { panic(fmt.Sprintf("the function did not return within %v", fuzzLimit)) })
		defer watchdog.Stop()
		var out bytes.Buffer
		err := function.Execute(bytes.NewReader(data), &out)
		if err != nil {
			var msg bytes.Buffer
			pipeline.PrintError(&msg, err)
			if s := strings.TrimSuffix(msg.String(), "\n"); s != guard.EscapeLines(s) {
				t.Fatalf("error with a raw control character: %q", s)
			}
			if out.Len() == 0 {
				return
			}
		}
		nodes, perr := guard.Manifests("output", out.Bytes())
		if perr != nil {
			t.Fatalf("output (error %v) does not read back: %v\n%s", err, perr, out.Bytes())
		}
		if err != nil {
			for _, n := range nodes {
				if items := n.Field("items"); items != nil && len(items.Value.Content()) > 0 {
					t.Fatalf("a failing run (%v) wrote items:\n%s", err, out.Bytes())
				}
			}
		}
	})
}

// hostileSeeds start the fuzzer where attacks were found.
var hostileSeeds = []string{
	"apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems: []\nfunctionConfig:\n  apiVersion: novagen.nova.dev/v1alpha1\n  kind: NovaGen\n  metadata: {name: x}\n  spec: {catalog: /etc/hostname}\n",
	"apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems: [&a [*a]]\n",
	"apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems:\n- &a {kind: ConfigMap, metadata: {name: \"\\e[31m\"}, data: {a: *a}}\n",
	"apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nkind: List\nitems: []\n",
	"\x00",
	"kind: List\nfunctionConfig: [0]",
	"kind: List\nitems: [0, [1], {kind: [2]}]",
	"items:\n- {kind: [1], metadata: [1]}\nfunctionConfig: {apiVersion: novagen.nova.dev/v1alpha1, kind: NovaGen, metadata: {name: [1]}, spec: {catalog: [1]}}\n",
	// An earlier run's output: a managed Service the function replaces
	// (twice, one with a spec of the wrong shape), a hand-written one
	// beside it, a config with kpt's annotations.
	"apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems:\n- {apiVersion: v1, kind: Service, metadata: {name: echo, namespace: mini, labels: {app.kubernetes.io/managed-by: novagen}, annotations: {internal.config.kubernetes.io/path: x.yaml, config.kubernetes.io/index: '1'}}, spec: 7}\n- {apiVersion: v1, kind: Service, metadata: {name: echo, namespace: mini, labels: {app.kubernetes.io/managed-by: novagen}}}\n- {apiVersion: v1, kind: Service, metadata: {name: echo, namespace: mini}}\nfunctionConfig:\n  apiVersion: novagen.nova.dev/v1alpha1\n  kind: NovaGen\n  metadata: {name: x, annotations: {internal.config.kubernetes.io/path: generate-one/n.yaml, internal.config.kubernetes.io/package-path: testdata}}\n  spec: {catalog: ../catalog.yaml, generators: [grpc-services]}\n",
}
