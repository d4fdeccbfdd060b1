package cli

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"sigs.k8s.io/kustomize/kyaml/yaml"

	"github.com/novagen/novagen/synth"
)

// benchServices are the catalog sizes of BenchmarkRender; make bench
// (internal/cmd/benchtable) passes its own list.
var benchServices = flag.String("render.services", "100,1000,4000", "comma-separated catalog sizes of BenchmarkRender")

// BenchmarkRender runs `novagen render` on synthetic catalogs of growing
// size; the metric objects is the number of documents it prints.
func BenchmarkRender(b *testing.B) {
	for _, f := range strings.Split(*benchServices, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil {
			b.Fatalf("-render.services: %v", err)
		}
		b.Run(fmt.Sprintf("services=%d", n), func(b *testing.B) {
			data, err := synth.Catalog(synth.Options{Services: n, Seed: 1})
			if err != nil {
				b.Fatal(err)
			}
			path := filepath.Join(b.TempDir(), "synth.yaml")
			if err := os.WriteFile(path, data, 0o644); err != nil {
				b.Fatal(err)
			}
			args := []string{"render", "-f", path}
			var out, errOut bytes.Buffer
			objects := 0
			for b.Loop() {
				out.Reset()
				if code := Run(novagen, args, strings.NewReader(""), &out, &errOut); code != 0 {
					b.Fatalf("render exited %d: %s", code, errOut.String())
				}
				if objects == 0 {
					b.StopTimer()
					if objects, err = countDocuments(out.Bytes()); err != nil {
						b.Fatal(err)
					}
					b.StartTimer()
				}
			}
			b.ReportMetric(float64(objects), "objects")
		})
	}
}

// countDocuments counts the YAML documents of a multi-document stream.
func countDocuments(data []byte) (int, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	for n := 0; ; n++ {
		var doc yaml.Node
		if err := dec.Decode(&doc); errors.Is(err, io.EOF) {
			return n, nil
		} else if err != nil {
			return n, fmt.Errorf("document %d: %w", n+1, err)
		}
	}
}
