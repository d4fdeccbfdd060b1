// Package pipeline is the one path from a loaded catalog to objects:
// select generators and transformers, generate (each object with its
// sync wave), convert to YAML nodes, transform. `novagen render` and the
// KRM function both call Run with the same Options and defaults, so they
// cannot disagree; the CLI then sorts and prints, kustomize takes the
// items.
package pipeline

import (
	"errors"
	"fmt"
	"io"
	"slices"

	"sigs.k8s.io/kustomize/kyaml/yaml"

	"github.com/novagen/novagen/generators"
	"github.com/novagen/novagen/render"
	"github.com/novagen/novagen/schema"
)

// Options select what runs. Nil Generators or Transformers means all of
// them; an empty, non-nil list means none.
type Options struct {
	Generators   []string
	Transformers []string
	// Partition renders one partition of a partitioned catalog (its
	// services' objects, or for schema.InfrastructurePartition the shared
	// ones); "" renders everything.
	Partition string
}

// Run generates the selected objects, adds them after items (objects that
// already exist, e.g. a kustomize base's), then applies the selected
// transformers to everything. With opts.Partition, generators emit only
// that partition's objects; the transformers still see every item.
func Run(cat *schema.Catalog, opts Options, items []*yaml.RNode) ([]*yaml.RNode, error) {
	if opts.Partition != "" {
		scoped, err := cat.InPartition(opts.Partition)
		if err != nil {
			return nil, err
		}
		cat = scoped
	}
	gens := generators.All()
	switch {
	case opts.Generators == nil:
	case len(opts.Generators) == 0:
		gens = nil // a transformer-only run (a kustomize transformers: entry)
	default:
		var err error
		if gens, err = generators.Select(opts.Generators); err != nil {
			return nil, fmt.Errorf("generators: %w", err)
		}
	}
	trans := generators.Transformers()
	if opts.Transformers != nil {
		var err error
		if trans, err = generators.SelectTransformers(opts.Transformers); err != nil {
			return nil, fmt.Errorf("transformers: %w", err)
		}
	}
	objs, err := generators.Generate(cat, gens)
	if err != nil {
		return nil, err
	}
	nodes, err := render.Nodes(objs)
	if err != nil {
		return nil, err
	}
	items = append(slices.Clone(items), nodes...)
	for _, t := range trans {
		if items, err = t.Transform(cat, items); err != nil {
			return nil, fmt.Errorf("transformer %s: %w", t.Name, err)
		}
	}
	return items, nil
}

// PrintError is how every novagen front reports a failure on stderr: one
// line per catalog problem, FILE:LINE:COL first, as compilers do; any
// other error prefixed with "novagen: ".
func PrintError(w io.Writer, err error) {
	var errs schema.Errors
	if errors.As(err, &errs) {
		for _, e := range errs {
			fmt.Fprintln(w, e.Error())
		}
		return
	}
	fmt.Fprintln(w, "novagen:", err)
}
