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
	counts := generatortest.PartitionsAddUp(t, Generate, generatortest.Synth(t, 300, 3))
	for _, p := range []string{"infrastructure", "core", "hash-0", "hash-1", "hash-2"} {
		if counts[p] == 0 {
			t.Errorf("partition %s has no policy", p)
		}
	}
}
