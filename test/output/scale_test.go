package output

import (
	"bytes"
	"cmp"
	"fmt"
	"os"
	"slices"
	"testing"

	"sigs.k8s.io/kustomize/kyaml/yaml"

	"github.com/novagen/novagen/generators"
	"github.com/novagen/novagen/internal/generatortest"
	"github.com/novagen/novagen/pipeline"
	"github.com/novagen/novagen/render"
)

// MaxScaleObject is the size every rendered object stays under at 10 000
// services: Argo CD's client-side apply copies an object into an
// annotation, and annotations are limited to 256 KiB (the API server's
// own object limit, 1 MiB for a ConfigMap's data and 1.5 MiB for etcd,
// is far above).
const MaxScaleObject = 256 << 10

// TestScaleObjectSizes renders a 10 000-service synthetic catalog (set
// NOVAGEN_SCALE_SERVICES for another size) with the Prometheus Operator
// on, whole and unpartitioned, and requires every object to stay under
// MaxScaleObject: nothing may grow with the catalog, partitioned or not.
// It takes seconds without the race detector and minutes with it, so make
// test (-race) skips it and make scale-test runs it.
func TestScaleObjectSizes(t *testing.T) {
	if os.Getenv("NOVAGEN_SCALE_TEST") == "" {
		t.Skip("set NOVAGEN_SCALE_TEST=1 (make scale-test)")
	}
	services := 10000
	if s := os.Getenv("NOVAGEN_SCALE_SERVICES"); s != "" {
		if _, err := fmt.Sscan(s, &services); err != nil {
			t.Fatalf("NOVAGEN_SCALE_SERVICES: %v", err)
		}
	}
	type sized struct {
		what string
		size int
	}
	for _, hashed := range []int{20, 0} {
		cat := generatortest.Synth(t, services, hashed)
		var all []sized
		var buf bytes.Buffer
		err := pipeline.Stream(cat, pipeline.Options{Registry: generators.Default()}, func(nodes []*yaml.RNode) error {
			for _, n := range nodes {
				buf.Reset()
				if err := render.Write(&buf, []*yaml.RNode{n}); err != nil {
					return err
				}
				all = append(all, sized{n.GetKind() + "/" + n.GetName(), buf.Len()})
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		slices.SortFunc(all, func(a, b sized) int { return cmp.Compare(b.size, a.size) })
		for _, o := range all[:min(5, len(all))] {
			t.Logf("largest: %s %d bytes", o.what, o.size)
		}
		t.Logf("%d services, %d partitions: %d objects", services, len(cat.PartitionNames()), len(all))
		for _, o := range all {
			if o.size >= MaxScaleObject {
				t.Errorf("%s is %d bytes at %d services (partitions hashed %d): over %d", o.what, o.size, services, hashed, MaxScaleObject)
			}
		}
	}
}
