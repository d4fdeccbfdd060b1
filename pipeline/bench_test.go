package pipeline

import (
	"testing"

	"github.com/novagen/novagen/catalog/load"
	"github.com/novagen/novagen/render"
)

// BenchmarkRenderStaging: every generator and transformer on the staging
// catalog, serialized, as `novagen render` does it.
func BenchmarkRenderStaging(b *testing.B) {
	cat, err := load.Load("../services.yaml")
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		nodes, err := Run(cat, Options{Registry: reg}, nil)
		if err != nil {
			b.Fatal(err)
		}
		render.Sort(nodes)
		if _, err := render.Bytes(nodes); err != nil {
			b.Fatal(err)
		}
	}
}
