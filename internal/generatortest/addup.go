package generatortest

import (
	"encoding/json"
	"testing"

	"github.com/novagen/novagen/generators/kube"
	"github.com/novagen/novagen/schema"
)

// (The PostgreSQL layer's branch adds the same PartitionsAddUp in
// scale.go; merged, this file goes.)

// PartitionsAddUp asserts the partition invariant for one generator:
// the objects gen emits for each partition of cat (cat.InPartition),
// taken together, are exactly those it emits for the whole catalog, none
// twice, with identical content. It returns how many objects each
// partition got.
func PartitionsAddUp(t *testing.T, gen func(*schema.Catalog) ([]kube.Object, error), cat *schema.Catalog) map[string]int {
	t.Helper()
	if !cat.Partitioned() {
		t.Fatal("PartitionsAddUp needs a partitioned catalog")
	}
	whole := objectTexts(t, gen, cat)
	union := map[string]string{}
	counts := map[string]int{}
	for _, p := range cat.PartitionNames() {
		scoped, err := cat.InPartition(p)
		if err != nil {
			t.Fatal(err)
		}
		for id, text := range objectTexts(t, gen, scoped) {
			if _, dup := union[id]; dup {
				t.Errorf("%s is emitted by partition %s and another", id, p)
			}
			union[id] = text
			counts[p]++
		}
	}
	for id, text := range whole {
		got, ok := union[id]
		switch {
		case !ok:
			t.Errorf("%s of the whole render is in no partition", id)
		case got != text:
			t.Errorf("%s differs between the whole render and its partition", id)
		}
	}
	for id := range union {
		if _, ok := whole[id]; !ok {
			t.Errorf("%s is in a partition but not in the whole render", id)
		}
	}
	return counts
}

// objectTexts are gen's objects as JSON, by kind/name.
func objectTexts(t *testing.T, gen func(*schema.Catalog) ([]kube.Object, error), cat *schema.Catalog) map[string]string {
	t.Helper()
	objs, err := gen(cat)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, o := range objs {
		id := o.GetObjectKind().GroupVersionKind().Kind + "/" + o.GetName()
		b, err := json.Marshal(o)
		if err != nil {
			t.Fatal(err)
		}
		if _, dup := out[id]; dup {
			t.Errorf("%s is emitted twice", id)
		}
		out[id] = string(b)
	}
	return out
}
