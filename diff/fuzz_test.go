package diff

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"time"

	"sigs.k8s.io/kustomize/kyaml/yaml"

	"github.com/novagen/novagen/catalog"
	"github.com/novagen/novagen/catalog/load"
	"github.com/novagen/novagen/generators"
	"github.com/novagen/novagen/internal/guard"
	"github.com/novagen/novagen/internal/testtool"
	"github.com/novagen/novagen/pipeline"
)

// fuzzLimit is how long one input may take before the fuzz worker is
// killed and the input kept as a crasher.
const fuzzLimit = 30 * time.Second

// FuzzDiff: any two catalogs that load compare without a panic; a
// catalog compared with itself has no change; both reports carry no raw
// control character (a name or key from the catalog reaches a terminal
// or a pull request only escaped).
func FuzzDiff(f *testing.F) {
	// Seeds: each catalog of the repository that loads on its own, paired
	// with the next (and the first with itself).
	var loadable [][]byte
	for _, c := range testtool.CatalogFiles(f, "..") {
		if _, err := load.Parse("seed.yaml", c); err == nil {
			loadable = append(loadable, c)
		}
	}
	if len(loadable) < 2 {
		f.Fatalf("%d seed catalogs load: too few to compare", len(loadable))
	}
	f.Add(loadable[0], loadable[0])
	for i := range loadable {
		f.Add(loadable[i], loadable[(i+1)%len(loadable)])
	}
	f.Fuzz(func(t *testing.T, oldData, newData []byte) {
		watchdog := time.AfterFunc(fuzzLimit, func() { panic(fmt.Sprintf("compare did not return within %v", fuzzLimit)) })
		defer watchdog.Stop()
		old, oldNodes, ok := loadAndRender(t, oldData)
		if !ok {
			return
		}
		new, newNodes, ok := loadAndRender(t, newData)
		if !ok {
			return
		}
		if self := Compare(old, old, oldNodes, oldNodes); len(self.Groups) != 0 {
			t.Fatalf("a catalog compared with itself changed: %s", self.Summary())
		}
		r := Compare(old, new, oldNodes, newNodes)
		for name, write := range map[string]func(*bytes.Buffer) error{
			"text":     func(b *bytes.Buffer) error { return r.WriteText(b) },
			"markdown": func(b *bytes.Buffer) error { return r.WriteMarkdown(b) },
		} {
			var b bytes.Buffer
			if err := write(&b); err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			for _, line := range strings.Split(b.String(), "\n") {
				if line != guard.Escape(line) {
					t.Fatalf("%s report with a raw control character: %q", name, line)
				}
			}
		}
	})
}

// loadAndRender loads a catalog and renders it; false if it does not load.
func loadAndRender(t *testing.T, data []byte) (*catalog.Catalog, []*yaml.RNode, bool) {
	cat, err := load.Parse("fuzz.yaml", data)
	if err != nil {
		return nil, nil, false
	}
	nodes, err := pipeline.Run(cat, pipeline.Options{Registry: generators.Default()}, nil)
	if err != nil {
		t.Fatalf("a catalog that loads failed to render: %v", err)
	}
	return cat, nodes, true
}
