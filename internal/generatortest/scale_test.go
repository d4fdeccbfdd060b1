package generatortest_test

import (
	"os"
	"testing"

	"sigs.k8s.io/kustomize/kyaml/yaml"

	"github.com/novagen/novagen/generators"
	"github.com/novagen/novagen/generators/apicontracts"
	"github.com/novagen/novagen/generators/clickhouse"
	"github.com/novagen/novagen/generators/kafka"
	"github.com/novagen/novagen/generators/monitoring"
	"github.com/novagen/novagen/generators/networkpolicy"
	"github.com/novagen/novagen/generators/redis"
	"github.com/novagen/novagen/generators/validation"
	"github.com/novagen/novagen/generators/zookeeper"
	"github.com/novagen/novagen/internal/generatortest"
	"github.com/novagen/novagen/pipeline"
	"github.com/novagen/novagen/render"
)

// maxObject is what every object of these generators stays under at
// 10 000 services: Argo CD's client-side apply copies an object into an
// annotation, limited to 256 KiB. (test/output's TestScaleObjectSizes
// asserts the same of the whole render.)
const maxObject = 256 << 10

// TestScaleTenThousandServices: every object the network policies, the
// validation, monitoring (operator enabled), the data tier and the
// contracts emit for the synthetic 10 000-service catalog is under
// maxObject; so are those of the same catalog split into partitions.
// About 30 s without the race detector, minutes with it (make test), so
// it runs with NOVAGEN_SCALE_TEST set, like make scale-test's:
// NOVAGEN_SCALE_TEST=1 go test -run Scale ./internal/generatortest/
func TestScaleTenThousandServices(t *testing.T) {
	if os.Getenv("NOVAGEN_SCALE_TEST") == "" {
		t.Skip("set NOVAGEN_SCALE_TEST=1")
	}
	names := []string{networkpolicy.Name, validation.Name, monitoring.Name, kafka.Name, clickhouse.Name, redis.Name, zookeeper.Name, apicontracts.Name}
	gens, err := generators.Select(names)
	if err != nil {
		t.Fatal(err)
	}
	for _, hashed := range []int{0, 20} {
		cat := generatortest.Synth(t, 10000, hashed)
		objects, largest := 0, 0
		err = pipeline.Stream(cat, pipeline.Options{Generators: names, Transformers: []string{}}, func(nodes []*yaml.RNode) error {
			for _, n := range nodes {
				text, err := render.Bytes([]*yaml.RNode{n})
				if err != nil {
					return err
				}
				objects++
				largest = max(largest, len(text))
				if len(text) >= maxObject {
					t.Errorf("%s/%s (generator %s) is %d bytes", n.GetKind(), n.GetName(), n.GetAnnotations()["novagen.nova.dev/generator"], len(text))
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("partitions hashed %d: %d objects of %d generators, the largest %d bytes", hashed, objects, len(gens), largest)
	}
}
