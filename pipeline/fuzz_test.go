package pipeline_test

import (
	"bytes"
	"fmt"
	"testing"
	"time"

	"sigs.k8s.io/kustomize/kyaml/yaml"

	"github.com/novagen/novagen/catalog"
	"github.com/novagen/novagen/catalog/load"
	"github.com/novagen/novagen/generators"
	"github.com/novagen/novagen/internal/k8snames"
	"github.com/novagen/novagen/internal/testtool"
	"github.com/novagen/novagen/pipeline"
	"github.com/novagen/novagen/render"
)

// fuzzLimit is how long one input may take before the fuzz worker is
// killed and the input kept as a crasher.
const fuzzLimit = 20 * time.Second

// FuzzRender: a catalog that loads renders without error (a generator
// failing on a valid catalog is a bug), the same catalog renders the same
// bytes twice, and every name and label of the output is one the API
// server accepts.
func FuzzRender(f *testing.F) {
	for _, seed := range testtool.CatalogFiles(f, "..") {
		f.Add(seed)
	}
	for _, seed := range stressSeeds() {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		watchdog := time.AfterFunc(fuzzLimit, func() { panic(fmt.Sprintf("Parse and render did not return within %v", fuzzLimit)) })
		defer watchdog.Stop()
		cat, err := load.Parse("fuzz.yaml", data)
		if err != nil {
			return
		}
		first, nodes := renderOnce(t, cat)
		if second, _ := renderOnce(t, cat); !bytes.Equal(first, second) {
			t.Fatalf("render is not deterministic:\nfirst:\n%s\nsecond:\n%s", first, second)
		}
		var streamed bytes.Buffer
		if err := pipeline.Render(cat, pipeline.Options{Registry: generators.Default()}, &streamed); err != nil || !bytes.Equal(first, streamed.Bytes()) {
			t.Fatalf("Render (%v) differs from Run:\nRun:\n%s\nRender:\n%s", err, first, streamed.Bytes())
		}
		// Every name and label the API server validates.
		for _, n := range nodes {
			for _, p := range k8snames.Problems(n) {
				t.Errorf("%s %s: %s", n.GetKind(), n.GetName(), p)
			}
		}
		back, err := render.Parse(first)
		if err != nil || len(back) != len(nodes) {
			t.Fatalf("rendered output does not read back as %d objects (%d, %v):\n%s", len(nodes), len(back), err, first)
		}
	})
}

// renderOnce runs the whole pipeline as `novagen render` does.
func renderOnce(t *testing.T, cat *catalog.Catalog) ([]byte, []*yaml.RNode) {
	t.Helper()
	nodes, err := pipeline.Run(cat, pipeline.Options{Registry: generators.Default()}, nil)
	if err != nil {
		t.Fatalf("a catalog that loads failed to render: %v", err)
	}
	render.Sort(nodes)
	b, err := render.Bytes(nodes)
	if err != nil {
		t.Fatalf("render.Bytes: %v", err)
	}
	return b, nodes
}

// stressSeeds are catalogs that load and push the generators: a long
// dependency chain, every infrastructure component, names that are all
// digits or one letter, aliases and merge keys that load.
func stressSeeds() []string {
	const head = `apiVersion: catalog.nova.dev/v1alpha1
kind: ServiceCatalog
metadata: {name: a}
spec:
  namespace: "0"
  defaults:
    image: {registry: r.example/x, tag: "0"}
`
	chain := head + "  services:\n    - name: s0\n"
	for i := 1; i < 40; i++ {
		chain += fmt.Sprintf("    - {name: s%d, dependsOn: [s%d]}\n", i, i-1)
	}
	return []string{
		chain,
		head + `  infrastructure:
    postgres: {extensions: [uuid-ossp]}
    redis: {}
    zookeeper: {}
    kafka: {mode: zookeeper}
    clickhouse: {}
    external:
      - {name: x, host: 10.0.0.1, port: 1}
      - {name: y9, host: x.example, port: 65535, cidr: 10.1.0.0/16}
  databases: [{name: _}, {name: d9, readOnly: true}, {name: e, readerRole: r}]
  topics: [{name: t, partitions: 1}]
  services:
    - {name: s1, database: _, dependsOn: [postgres, redis, kafka, clickhouse, x, y9], produces: [t]}
    - {name: b, database: e, dependsOn: [s1], ports: {grpc: 1, metrics: 65535}, labels: {x/y: ""}}
`,
		head + `  services:
    - &s {name: b, dependsOn: [c]}
    - {<<: *s, name: d}
    - {name: c}
`,
	}
}
