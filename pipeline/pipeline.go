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
// transformers to everything. The generated objects come sorted. With
// opts.Partition, generators emit only that partition's objects; the
// transformers still see every item.
func Run(cat *schema.Catalog, opts Options, items []*yaml.RNode) ([]*yaml.RNode, error) {
	sel, err := opts.selection()
	if err != nil {
		return nil, err
	}
	if cat, err = opts.scope(cat); err != nil {
		return nil, err
	}
	out, err := sel.transform(cat, slices.Clone(items))
	if err != nil {
		return nil, err
	}
	err = sel.stream(cat, func(n *yaml.RNode) error {
		out = append(out, n)
		return nil
	})
	return out, err
}

// Stream is Run without items, for printing: it hands each generated
// object to emit in render order (render.Sort's), converting and
// transforming streamBatch objects at a time. Memory then holds the typed
// objects and one batch of YAML trees, never every tree: those would take
// gigabytes at 10 000 services. emit must not keep the node.
func Stream(cat *schema.Catalog, opts Options, emit func(*yaml.RNode) error) error {
	sel, err := opts.selection()
	if err != nil {
		return err
	}
	if cat, err = opts.scope(cat); err != nil {
		return err
	}
	return sel.stream(cat, emit)
}

// streamBatch is how many objects Stream converts at once: enough for the
// transformers to reuse what they build (a wait container per
// dependency), few enough to stay small.
const streamBatch = 256

// scope is the catalog as opts.Partition renders it.
func (opts Options) scope(cat *schema.Catalog) (*schema.Catalog, error) {
	if opts.Partition == "" {
		return cat, nil
	}
	return cat.InPartition(opts.Partition)
}

// selection is what Options select.
type selection struct {
	gens  []generators.Generator
	trans []generators.Transformer
}

func (opts Options) selection() (selection, error) {
	gens := generators.All()
	switch {
	case opts.Generators == nil:
	case len(opts.Generators) == 0:
		gens = nil // a transformer-only run (a kustomize transformers: entry)
	default:
		var err error
		if gens, err = generators.Select(opts.Generators); err != nil {
			return selection{}, fmt.Errorf("generators: %w", err)
		}
	}
	trans := generators.Transformers()
	if opts.Transformers != nil {
		var err error
		if trans, err = generators.SelectTransformers(opts.Transformers); err != nil {
			return selection{}, fmt.Errorf("transformers: %w", err)
		}
	}
	return selection{gens, trans}, nil
}

// transform applies every selected transformer to items. Transformers
// change each object on its own, so batches of any size give the same
// result as all items at once.
func (sel selection) transform(cat *schema.Catalog, items []*yaml.RNode) ([]*yaml.RNode, error) {
	var err error
	for _, t := range sel.trans {
		if items, err = t.Transform(cat, items); err != nil {
			return nil, fmt.Errorf("transformer %s: %w", t.Name, err)
		}
	}
	return items, nil
}

func (sel selection) stream(cat *schema.Catalog, emit func(*yaml.RNode) error) error {
	objs, err := generators.Generate(cat, sel.gens)
	if err != nil {
		return err
	}
	render.SortObjects(objs)
	for batch := range slices.Chunk(objs, streamBatch) {
		nodes, err := render.NodesInOrder(batch)
		if err != nil {
			return err
		}
		clear(batch) // the typed objects are not needed any more
		if nodes, err = sel.transform(cat, nodes); err != nil {
			return err
		}
		for _, n := range nodes {
			if err := checkSize(cat, n); err != nil {
				return err
			}
			if err := emit(n); err != nil {
				return err
			}
		}
	}
	return nil
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
