package generatortest

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/novagen/novagen/catalog"
	"github.com/novagen/novagen/catalog/load"
	"github.com/novagen/novagen/generators/kube"
	"github.com/novagen/novagen/synth"
)

// SynthText is the text of synth.Catalog(services, seed 1) with the
// Prometheus Operator enabled (so every generator has something to emit)
// and its partitions: synth's team labels, the rest hashed over hashed
// partitions; unpartitioned when hashed is 0.
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
	// synth partitions by its team labels and hashes the rest; keep the
	// labels, set the hashed count, or drop spec.partitions for 0.
	block := regexp.MustCompile(`(?m)^  partitions:\n    label: team\n    hashed: \d+\n`)
	if !block.MatchString(text) {
		t.Fatal("synth catalog without its spec.partitions block: update SynthText")
	}
	if hashed == 0 {
		return block.ReplaceAllString(text, "")
	}
	return block.ReplaceAllString(text, fmt.Sprintf("  partitions:\n    label: team\n    hashed: %d\n", hashed))
}

// Synth loads SynthText.
func Synth(t testing.TB, services, hashed int) *catalog.Catalog {
	t.Helper()
	cat, err := load.Parse("synth.yaml", []byte(SynthText(t, services, hashed)))
	if err != nil {
		t.Fatal(err)
	}
	return cat
}

// SharedPartitionsAddUp asserts PartitionsAddUp for a generator of shared
// objects only: the infrastructure partition renders them all, the
// others nothing.
func SharedPartitionsAddUp(t *testing.T, gen func(*catalog.Catalog) ([]kube.Object, error), cat *catalog.Catalog) {
	t.Helper()
	counts := PartitionsAddUp(t, gen, cat)
	for p, n := range counts {
		if p != catalog.InfrastructurePartition {
			t.Errorf("partition %s renders %d shared objects", p, n)
		}
	}
	if counts[catalog.InfrastructurePartition] == 0 {
		t.Error("the infrastructure partition renders nothing")
	}
}
