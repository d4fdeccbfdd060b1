package kbuild

import (
	"io"
	"os"
	"testing"

	"github.com/novagen/novagen/catalog/load"
	"github.com/novagen/novagen/pipeline"
)

// BenchmarkPluginStaging: examples/staging through novagen build's
// direct path (the plugin's generate: seven configs, one catalog load)
// against `novagen render` of the same catalog (load, render, print).
// The bound: build within 2× of render.
func BenchmarkPluginStaging(b *testing.B) {
	b.Run("render", func(b *testing.B) {
		for b.Loop() {
			cat, err := load.Load("../services.yaml")
			if err != nil {
				b.Fatal(err)
			}
			if err := pipeline.Render(cat, pipeline.Options{Registry: reg}, io.Discard); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("build", func(b *testing.B) {
		for b.Loop() {
			out, why, err := Direct(Analyze("../examples/staging"), reg, os.Getenv)
			if err != nil || why != "" || len(out) == 0 {
				b.Fatalf("direct: %v %s", err, why)
			}
		}
	})
}
