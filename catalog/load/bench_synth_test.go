package load_test

import (
	"testing"

	"github.com/novagen/novagen/catalog/load"
	"github.com/novagen/novagen/synth"
)

// BenchmarkParse10k: loading a 10 000-service synthetic catalog, which
// every partition's render pays again.
func BenchmarkParse10k(b *testing.B) {
	data, err := synth.Catalog(synth.Options{Services: 10000, Seed: 1})
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := load.Parse("s.yaml", data); err != nil {
			b.Fatal(err)
		}
	}
}
