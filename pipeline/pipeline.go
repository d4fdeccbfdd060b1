// Package pipeline is the one path from a loaded catalog to objects:
// select generators and transformers, generate (each object with its
// sync wave), convert to YAML nodes, transform. The KRM function calls
// Run and kustomize takes the items; `novagen render` calls Render, which
// makes the same objects with the same Options and defaults, sorts and
// prints them a batch at a time (TestRenderMatchesRun holds the two
// equal), so they cannot disagree.
package pipeline

import (
	"errors"
	"fmt"
	"io"
	"slices"

	"sigs.k8s.io/kustomize/kyaml/yaml"

	"github.com/novagen/novagen/generators"
	"github.com/novagen/novagen/generators/initcontainers"
	"github.com/novagen/novagen/render"
	"github.com/novagen/novagen/schema"
)

// Options select what runs. Nil Generators or Transformers means all of
// them; an empty, non-nil list means none.
type Options struct {
	Generators   []string
	Transformers []string
}

// Run generates the selected objects, adds them after items (objects that
// already exist, e.g. a kustomize base's), then applies the selected
// transformers to everything.
func Run(cat *schema.Catalog, opts Options, items []*yaml.RNode) ([]*yaml.RNode, error) {
	gens, trans, err := steps(opts)
	if err != nil {
		return nil, err
	}
	objs, err := generators.Generate(cat, gens)
	if err != nil {
		return nil, err
	}
	nodes, err := render.Nodes(objs)
	if err != nil {
		return nil, err
	}
	return transform(cat, trans, append(slices.Clone(items), nodes...))
}

// steps are the generators and transformers opts select.
func steps(opts Options) ([]generators.Generator, []generators.Transformer, error) {
	gens := generators.All()
	switch {
	case opts.Generators == nil:
	case len(opts.Generators) == 0:
		gens = nil // a transformer-only run (a kustomize transformers: entry)
	default:
		var err error
		if gens, err = generators.Select(opts.Generators); err != nil {
			return nil, nil, fmt.Errorf("generators: %w", err)
		}
	}
	trans := generators.Transformers()
	if opts.Transformers != nil {
		var err error
		if trans, err = generators.SelectTransformers(opts.Transformers); err != nil {
			return nil, nil, fmt.Errorf("transformers: %w", err)
		}
	}
	return gens, trans, nil
}

func transform(cat *schema.Catalog, trans []generators.Transformer, items []*yaml.RNode) ([]*yaml.RNode, error) {
	for _, t := range trans {
		var err error
		if items, err = t.Transform(cat, items); err != nil {
			return nil, fmt.Errorf("transformer %s: %w", t.Name, err)
		}
	}
	return items, nil
}

// Render prints what Run makes of cat (with no existing items) sorted,
// as render.Sort and render.Write would, without ever holding the nodes
// of all objects (they take ten times the memory of the output): it
// sorts the generated objects by the keys their nodes will have, then
// converts, transforms and prints them a batch at a time. That needs
// transformers that change each object on its own, whatever the others
// are, and leave its kind, namespace and name alone (perObject); with any
// other transformer selected, Render runs Run.
func Render(cat *schema.Catalog, opts Options, w io.Writer) error {
	gens, trans, err := steps(opts)
	if err != nil {
		return err
	}
	objs, err := generators.Generate(cat, gens)
	if err != nil {
		return err
	}
	keys, ok := render.SortObjects(objs)
	if !ok || slices.ContainsFunc(trans, func(t generators.Transformer) bool { return !perObject[t.Name] }) {
		nodes, err := render.Nodes(objs)
		if err != nil {
			return err
		}
		if nodes, err = transform(cat, trans, nodes); err != nil {
			return err
		}
		render.Sort(nodes)
		return render.Write(w, nodes)
	}
	out := render.Writer{W: w}
	for start := 0; start < len(objs); start += renderBatch {
		end := min(start+renderBatch, len(objs))
		nodes, err := render.Convert(objs[start:end])
		if err != nil {
			return err
		}
		if nodes, err = transform(cat, trans, nodes); err != nil {
			return err
		}
		if len(nodes) != end-start {
			return fmt.Errorf("internal error: the transformers changed the number of objects")
		}
		for i, n := range nodes {
			if render.NodeKey(n) != keys[start+i] {
				return fmt.Errorf("internal error: the transformers changed the kind, namespace or name of %s %s", n.GetKind(), n.GetName())
			}
		}
		if err := out.Write(nodes); err != nil {
			return err
		}
		clear(objs[start:end]) // done with them
	}
	return nil
}

// renderBatch is how many objects Render has as nodes at a time.
const renderBatch = 512

// perObject are the transformers Render may run a batch at a time.
var perObject = map[string]bool{
	// Patches each Deployment and StatefulSet from the catalog alone.
	initcontainers.Name: true,
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
