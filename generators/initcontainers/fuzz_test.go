package initcontainers_test

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"sigs.k8s.io/kustomize/kyaml/kio"
	"sigs.k8s.io/kustomize/kyaml/yaml"

	"github.com/novagen/novagen/catalog"
	"github.com/novagen/novagen/catalog/load"
	"github.com/novagen/novagen/generators/initcontainers"
	"github.com/novagen/novagen/render"
)

// fuzzLimit is how long one input may take before the fuzz worker is
// killed and the input kept as a crasher.
const fuzzLimit = 10 * time.Second

// FuzzTransform: hand-written objects of any shape never make the
// transformer panic; it either fails naming the object at fault first
// ("Deployment auth-service: ..."), or succeeds, and then a second run
// over its output changes nothing, in memory or read back from YAML.
func FuzzTransform(f *testing.F) {
	cat, err := load.Load("../../services.yaml")
	if err != nil {
		f.Fatal(err)
	}
	for _, seed := range transformSeeds() {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		watchdog := time.AfterFunc(fuzzLimit, func() { panic(fmt.Sprintf("Transform did not return within %v", fuzzLimit)) })
		defer watchdog.Stop()
		items, err := kio.FromBytes(data)
		if err != nil {
			return
		}
		clean := stable(items)
		if clean == nil {
			// Not objects kyaml can write (a list, a metadata that is a
			// list...): kustomize and the function framework refuse them
			// before the transformer runs, which still must not panic.
			_, _ = initcontainers.Transform(cat, items)
			return
		}
		items = clean
		var workloads []string
		for _, n := range items {
			if k := n.GetKind(); k == "Deployment" || k == "StatefulSet" {
				workloads = append(workloads, k+" "+n.GetName()+": ")
			}
		}
		if _, err := initcontainers.Transform(cat, items); err != nil {
			if !slices.ContainsFunc(workloads, func(p string) bool { return strings.HasPrefix(err.Error(), p) }) {
				t.Fatalf("error does not start with the kind and name of a workload of the input %q: %v", workloads, err)
			}
			return
		}
		once := mustWrite(t, items)
		if twice := mustTransform(t, cat, items); !bytes.Equal(once, twice) {
			t.Fatalf("a second Transform changed its own output:\nonce:\n%s\ntwice:\n%s", once, twice)
		}
		reread, err := kio.FromBytes(once)
		if err != nil {
			t.Fatalf("the output does not read back: %v\n%s", err, once)
		}
		before, err := render.Bytes(reread)
		if err != nil {
			t.Fatalf("the output, read back, does not write: %v", err)
		}
		if after := mustTransform(t, cat, reread); !bytes.Equal(before, after) {
			t.Fatalf("Transform of its own output, read back, changed it:\nbefore:\n%s\nafter:\n%s", before, after)
		}
	})
}

// stable returns items written out and read back, or nil if they are not
// all mappings, cannot be written (kyaml's writer panics on some shapes)
// or change once more (duplicate keys...): kyaml's own round trip must
// hold before the transformer's can be checked.
func stable(items []*yaml.RNode) (out []*yaml.RNode) {
	if slices.ContainsFunc(items, func(n *yaml.RNode) bool { return n.YNode().Kind != yaml.MappingNode }) {
		return nil
	}
	defer func() {
		if recover() != nil {
			out = nil
		}
	}()
	raw, err := render.Bytes(items)
	if err != nil {
		return nil
	}
	again, err := kio.FromBytes(raw)
	if err != nil {
		return nil
	}
	if b, err := render.Bytes(again); err != nil || !bytes.Equal(b, raw) {
		return nil
	}
	return again
}

// mustTransform transforms objects the transformer already accepted
// once, in place, and writes them as YAML: an error now is a failure.
func mustTransform(t *testing.T, cat *catalog.Catalog, items []*yaml.RNode) []byte {
	t.Helper()
	if _, err := initcontainers.Transform(cat, items); err != nil {
		t.Fatalf("Transform failed on its own output: %v", err)
	}
	return mustWrite(t, items)
}

func mustWrite(t *testing.T, items []*yaml.RNode) []byte {
	t.Helper()
	b, err := render.Bytes(items)
	if err != nil {
		t.Fatalf("the transformed objects do not write: %v", err)
	}
	return b
}

// transformSeeds are workloads named like staging services (auth-service
// waits for postgres, feed-service for user-service and kafka), valid and
// malformed in every way the transformer must report, plus objects it must
// leave alone.
func transformSeeds() []string {
	deployment := func(name, spec string) string {
		return "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: " + name + "}\nspec:\n" + spec
	}
	valid := deployment("auth-service", `  template:
    metadata: {labels: {app: auth-service}}
    spec:
      containers: [{name: auth-service, image: "auth:1"}]
`)
	return []string{
		valid,
		valid + "---\n" + deployment("feed-service", "  template: {spec: {containers: [{name: c}]}}\n"),
		deployment("feed-service", `  template:
    spec:
      # hand-written, with a stale wait and a foreign one
      initContainers:
        - {name: wait-for-postgres, image: busybox:1.0}
        - {name: copy-config, image: x:1}
        - {name: wait-for-vault, image: busybox:1.0}
      volumes: [{name: tmp, emptyDir: {}}, {name: config, configMap: {name: c}}]
      containers: [{name: feed-service}]
`),
		"apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: user-service, namespace: nova-staging}\nspec: {template: {spec: {}}}\n",
		"apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: auth-service, namespace: elsewhere}\nspec: {template: {spec: {initContainers: 7}}}\n",
		"apiVersion: v1\nkind: Service\nmetadata: {name: auth-service}\nspec: {ports: [{port: 50051}]}\n",
		deployment("auth-service", "  template: {spec: {initContainers: [{image: busybox:1.36.1}]}}\n"),
		deployment("auth-service", "  template: {spec: {initContainers: [null]}}\n"),
		deployment("auth-service", "  template: {spec: {initContainers: [{name: \"\"}]}}\n"),
		deployment("auth-service", "  template: {spec: {initContainers: [{name: [x]}]}}\n"),
		deployment("auth-service", "  template: {spec: {initContainers: {name: x}}}\n"),
		deployment("auth-service", "  template: {spec: {initContainers: 7}}\n"),
		deployment("auth-service", "  template: {spec: {initContainers: null, volumes: 7}}\n"),
		deployment("auth-service", "  template: {spec: {initContainers: ~, volumes: !!null x}}\n"),
		deployment("auth-service", "  template: {spec: {volumes: [{emptyDir: {}}]}}\n"),
		deployment("auth-service", "  template: {spec: {volumes: {name: tmp}}}\n"),
		deployment("auth-service", "  template: []\n"),
		deployment("auth-service", "  template: {spec: text}\n"),
		deployment("auth-service", "  template: {spec: {}}\n"),
		"apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: auth-service}\nspec: 3\n",
		"apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: auth-service}\n",
		deployment("auth-service", "  template: &t {spec: {containers: [{name: c}]}}\n  other: *t\n"),
		deployment("auth-service", "  template: {spec: {initContainers: &i [{name: a}], containers: *i}}\n"),
		deployment("auth-service", "  template: {<<: {spec: {containers: [{name: c}]}}}\n"),
		deployment("auth-service", "  template: {spec: {initContainers: [{name: wait-for-postgres}, {name: wait-for-postgres}]}}\n"),
	}
}
