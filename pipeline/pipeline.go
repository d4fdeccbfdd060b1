// Package pipeline is the one path from a loaded catalog to objects:
// select generators and transformers (of the registry Options carries:
// novagen's own, or a program's), generate (each object with its
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

	"github.com/novagen/novagen/catalog"
	"github.com/novagen/novagen/catalog/load"
	"github.com/novagen/novagen/generators"
	"github.com/novagen/novagen/internal/guard"
	"github.com/novagen/novagen/render"
)

// Options select what runs. Nil Generators or Transformers means all of
// them; an empty, non-nil list means none.
type Options struct {
	// Registry holds the generators and transformers to select from
	// (generators.Default(), or a program's own); required.
	Registry     *generators.Registry
	Generators   []string
	Transformers []string
	// Partition renders one partition of a partitioned catalog (its
	// services' objects, or for catalog.InfrastructurePartition the shared
	// ones); "" renders everything.
	Partition string
}

// Loader is how a catalog loads for reg: with its generators' checks and
// its extensions' schemas. Every front that loads a catalog uses it, so
// that a catalog that loads renders with every generator of reg.
func Loader(reg *generators.Registry) load.Options {
	return load.Options{Checks: reg.Checks(), Extensions: reg.Extensions()}
}

// Run generates the selected objects, adds them after items (objects that
// already exist, e.g. a kustomize base's), then applies the selected
// transformers to everything. The generated objects come sorted. With
// opts.Partition, generators emit only that partition's objects; the
// transformers still see every item.
//
// Run is idempotent: run on its own output it changes nothing. A
// generated object replaces, in its place, an item with its identity
// (group, kind, namespace, name) that carries novagen's managed-by label
// (see upserter): kpt runs functions again on a package that holds their
// output.
func Run(cat *catalog.Catalog, opts Options, items []*yaml.RNode) ([]*yaml.RNode, error) {
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
	up := newUpserter(out)
	if err := sel.stream(cat, up.add); err != nil {
		return nil, err
	}
	return up.result(), nil
}

// Render prints what Run makes of cat (with no existing items), sorted,
// as render.Sort and render.Write would, a batch at a time (Stream).
func Render(cat *catalog.Catalog, opts Options, w io.Writer) error {
	out := render.Writer{W: w}
	return Stream(cat, opts, out.Write)
}

// Stream is Run without items, for printing: it hands the generated
// objects to emit in render order (render.Sort's), a batch at a time,
// converting and transforming each batch just before. Memory then holds
// the typed objects and one batch of YAML trees, never every tree: those
// take ten times the memory of the output. emit must not keep the nodes.
func Stream(cat *catalog.Catalog, opts Options, emit func([]*yaml.RNode) error) error {
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
// transformers to reuse what they build (a wait container per dependency)
// and for render to spread the work over every core, few enough to stay
// small.
const streamBatch = 512

// scope is the catalog as opts.Partition renders it.
func (opts Options) scope(cat *catalog.Catalog) (*catalog.Catalog, error) {
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
	reg := opts.Registry
	if reg == nil {
		return selection{}, errors.New("internal error: pipeline.Options has no Registry")
	}
	gens := reg.All()
	switch {
	case opts.Generators == nil:
	case len(opts.Generators) == 0:
		gens = nil // a transformer-only run (a kustomize transformers: entry)
	default:
		var err error
		if gens, err = reg.Select(opts.Generators); err != nil {
			return selection{}, fmt.Errorf("generators: %w", err)
		}
	}
	trans := reg.Transformers()
	if opts.Transformers != nil {
		var err error
		if trans, err = reg.SelectTransformers(opts.Transformers); err != nil {
			return selection{}, fmt.Errorf("transformers: %w", err)
		}
	}
	return selection{gens, trans}, nil
}

// transform applies every selected transformer to items. Transformers
// change each object on its own (the Transformer contract), so batches of
// any size give what all items at once give.
func (sel selection) transform(cat *catalog.Catalog, items []*yaml.RNode) ([]*yaml.RNode, error) {
	var err error
	for _, t := range sel.trans {
		if items, err = t.Transform(cat, items); err != nil {
			return nil, fmt.Errorf("transformer %s: %w", t.Name, err)
		}
	}
	return items, nil
}

// stream sorts the generated objects by the keys their nodes will have,
// then converts, transforms, checks and emits them a batch at a time.
func (sel selection) stream(cat *catalog.Catalog, emit func([]*yaml.RNode) error) error {
	objs, err := generators.Generate(cat, sel.gens)
	if err != nil {
		return err
	}
	keys, ok := render.SortObjects(objs)
	if !ok {
		// A type whose kind is not its TypeMeta's: sort the nodes.
		nodes, err := render.Nodes(objs)
		if err != nil {
			return err
		}
		return sel.emit(cat, nodes, nil, emit)
	}
	for start := 0; start < len(objs); start += streamBatch {
		end := min(start+streamBatch, len(objs))
		nodes, err := render.Convert(objs[start:end])
		if err != nil {
			return err
		}
		clear(objs[start:end]) // the typed objects are not needed any more
		if err := sel.emit(cat, nodes, keys[start:end], emit); err != nil {
			return err
		}
	}
	return nil
}

// emit transforms and checks one batch of generated nodes and hands it
// on; keys are their sort keys (nil when already sorted as nodes), which
// the transformers must leave as they are, or the order would be wrong.
func (sel selection) emit(cat *catalog.Catalog, nodes []*yaml.RNode, keys []render.Key, emit func([]*yaml.RNode) error) error {
	n := len(nodes)
	nodes, err := sel.transform(cat, nodes)
	if err != nil {
		return err
	}
	if len(nodes) != n {
		return fmt.Errorf("internal error: the transformers changed the number of objects")
	}
	for i, node := range nodes {
		if keys != nil && render.NodeKey(node) != keys[i] {
			return fmt.Errorf("internal error: the transformers changed the kind, namespace or name of %s %s", node.GetKind(), node.GetName())
		}
		if err := checkSize(cat, node); err != nil {
			return err
		}
	}
	return emit(nodes)
}

// PrintError is how every novagen front reports a failure on stderr: one
// line per catalog problem, FILE:LINE:COL first, as compilers do; any
// other error prefixed with "novagen: ".
func PrintError(w io.Writer, err error) {
	var errs load.Errors
	if errors.As(err, &errs) {
		for _, e := range errs {
			fmt.Fprintln(w, e.Error())
		}
		return
	}
	fmt.Fprintln(w, "novagen:", guard.EscapeLines(err.Error()))
}
