package pipeline

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"sigs.k8s.io/kustomize/kyaml/yaml"

	"github.com/novagen/novagen/catalog"
	"github.com/novagen/novagen/catalog/load"
	"github.com/novagen/novagen/generators/kube"
	"github.com/novagen/novagen/render"
	"github.com/novagen/novagen/synth"
)

// TestPartitionsAddUpToTheWholeRender is the partitioning invariant: the
// objects of every partition's render, together, are exactly those of the
// whole render, byte for byte, none missing and none twice. An object's
// content may not depend on the partition rendered, only whether it is.
func TestPartitionsAddUpToTheWholeRender(t *testing.T) {
	sizes := []int{300}
	if !testing.Short() && !raceEnabled {
		sizes = append(sizes, 2000)
	}
	catalogs := map[string]*catalog.Catalog{}
	cat, err := load.Load("../examples/partitioned/services.yaml")
	require.NoError(t, err)
	catalogs["examples/partitioned"] = cat
	for _, n := range sizes {
		data, err := synth.Catalog(synth.Options{Services: n, Seed: 1})
		require.NoError(t, err)
		cat, err := load.Parse(fmt.Sprintf("synth-%d.yaml", n), data)
		require.NoError(t, err)
		catalogs[fmt.Sprintf("synth %d", n)] = cat
	}
	for _, name := range slices.Sorted(maps.Keys(catalogs)) {
		t.Run(name, func(t *testing.T) {
			cat := catalogs[name]
			require.True(t, cat.Partitioned())
			whole := objectsOf(t, cat, "")
			union := map[string]renderedObject{}
			for _, p := range cat.PartitionNames() {
				for id, o := range objectsOf(t, cat, p) {
					if prev, ok := union[id]; ok {
						o.problem = fmt.Sprintf("rendered by partitions %s and %s", prev.partition, p)
					}
					o.partition = p
					union[id] = o
				}
			}
			wrong := map[string][]string{} // generator -> problems
			for id, o := range union {
				w, ok := whole[id]
				switch {
				case o.problem != "":
				case !ok:
					o.problem = "not in the whole render"
				case w.text != o.text:
					o.problem = "differs from the whole render"
				default:
					continue
				}
				wrong[o.generator] = append(wrong[o.generator], id+": "+o.problem+" (partition "+o.partition+")")
			}
			for id, w := range whole {
				if _, ok := union[id]; !ok {
					wrong[w.generator] = append(wrong[w.generator], id+": in no partition")
				}
			}
			reportPartitionProblems(t, wrong)
		})
	}
}

// renderedObject is an object of a render: its bytes, the generator that
// made it and, in the union, the partition that rendered it.
type renderedObject struct {
	text, generator, partition, problem string
}

// objectsOf renders cat's partition p ("" for all) and returns its
// objects by identity, failing on two of one identity.
func objectsOf(t *testing.T, cat *catalog.Catalog, p string) map[string]renderedObject {
	t.Helper()
	nodes, err := Run(cat, Options{Registry: reg, Partition: p}, nil)
	require.NoError(t, err)
	out := make(map[string]renderedObject, len(nodes))
	for _, n := range nodes {
		b, err := render.Bytes([]*yaml.RNode{n})
		require.NoError(t, err)
		id := strings.Join([]string{n.GetApiVersion(), n.GetKind(), n.GetNamespace(), n.GetName()}, "/")
		_, dup := out[id]
		require.False(t, dup, "partition %q renders %s twice", p, id)
		out[id] = renderedObject{text: string(b), generator: n.GetAnnotations()[kube.AnnotationGenerator]}
	}
	return out
}

// reportPartitionProblems fails for every generator whose objects break
// the invariant.
func reportPartitionProblems(t *testing.T, wrong map[string][]string) {
	t.Helper()
	for _, g := range slices.Sorted(maps.Keys(wrong)) {
		problems := wrong[g]
		slices.Sort(problems)
		t.Errorf("generator %q: %d objects break the invariant, e.g.:\n  %s", g, len(problems), strings.Join(problems[:min(5, len(problems))], "\n  "))
	}
}
