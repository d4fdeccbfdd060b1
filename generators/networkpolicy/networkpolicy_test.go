package networkpolicy

import (
	"testing"

	"github.com/novagen/novagen/internal/generatortest"
)

func TestGolden(t *testing.T) { generatortest.GeneratorCases(t, Generate) }

// TestPartitionsAddUp: each partition's render has its services'
// policies, the infrastructure partition the components'; together they
// are the whole render's.
func TestPartitionsAddUp(t *testing.T) {
	cat := generatortest.Synth(t, 300, 3)
	counts := generatortest.PartitionsAddUp(t, Generate, cat)
	if len(cat.PartitionNames()) < 5 {
		t.Fatalf("partitions %v: expected infrastructure, synth's teams and 3 hashed", cat.PartitionNames())
	}
	for _, p := range cat.PartitionNames() {
		if counts[p] == 0 {
			t.Errorf("partition %s has no policy", p)
		}
	}
}
