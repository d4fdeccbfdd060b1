package generatortest

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/novagen/novagen/generators/kube"
	"github.com/novagen/novagen/schema"
	"github.com/novagen/novagen/synth"
)

// SynthText is the text of synth.Catalog(services, seed 1) with the
// Prometheus Operator enabled (so every generator has something to emit)
// and, when hashed > 0, spec.partitions: every fifth service labelled
// team core, the rest hashed over hashed partitions.
func SynthText(t testing.TB, services, hashed int) string {
	t.Helper()
	data, err := synth.Catalog(synth.Options{Services: services, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	text := string(data)
	const scrapers = "      app.kubernetes.io/name: prometheus\n"
	if !strings.Contains(text, scrapers) {
		t.Fatal("synth catalog without monitoring.podLabels: update SynthText")
	}
	text = strings.Replace(text, scrapers, scrapers+"    prometheusOperator: {enabled: true}\n", 1)
	if hashed == 0 {
		return text
	}
	text = strings.Replace(text, "spec:\n", fmt.Sprintf("spec:\n  partitions: {label: team, hashed: %d}\n", hashed), 1)
	i := 0
	return regexp.MustCompile(`(?m)^    - name: svc-\d+\n`).ReplaceAllStringFunc(text, func(entry string) string {
		i++
		if i%5 == 0 {
			return entry + "      labels: {team: core}\n"
		}
		return entry
	})
}

// Synth loads SynthText.
func Synth(t testing.TB, services, hashed int) *schema.Catalog {
	t.Helper()
	cat, err := schema.Parse("synth.yaml", []byte(SynthText(t, services, hashed)))
	if err != nil {
		t.Fatal(err)
	}
	return cat
}

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

// SharedPartitionsAddUp asserts PartitionsAddUp for a generator of shared
// objects only: the infrastructure partition renders them all, the
// others nothing.
func SharedPartitionsAddUp(t *testing.T, gen func(*schema.Catalog) ([]kube.Object, error), cat *schema.Catalog) {
	t.Helper()
	counts := PartitionsAddUp(t, gen, cat)
	for p, n := range counts {
		if p != schema.InfrastructurePartition {
			t.Errorf("partition %s renders %d shared objects", p, n)
		}
	}
	if counts[schema.InfrastructurePartition] == 0 {
		t.Error("the infrastructure partition renders nothing")
	}
}
