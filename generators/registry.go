// Package generators is the registry of everything novagen can emit. Each
// generator lives in its own package as a pure function of the catalog;
// adding one means writing that package and one line below.
package generators

import (
	"fmt"
	"slices"
	"strings"

	"sigs.k8s.io/kustomize/kyaml/yaml"

	"github.com/novagen/novagen/generators/grpcservices"
	"github.com/novagen/novagen/generators/kube"
	"github.com/novagen/novagen/schema"
)

// Generator emits objects from the catalog alone: no I/O, no clock, no
// randomness, so the same catalog always gives the same objects.
type Generator struct {
	Name        string
	Description string
	Generate    func(*schema.Catalog) ([]kube.Object, error)
}

// Transformer changes objects that already exist (generated or hand-written
// in a kustomize base), guided by the catalog. Running it twice must give
// the same result as running it once.
type Transformer struct {
	Name        string
	Description string
	Transform   func(*schema.Catalog, []*yaml.RNode) ([]*yaml.RNode, error)
}

var registry = []Generator{
	{grpcservices.Name, "ClusterIP Service per service and the headless discovery Service", grpcservices.Generate},
}

var transformers = []Transformer{}

// All returns every generator in registry order.
func All() []Generator { return slices.Clone(registry) }

// Transformers returns every transformer in registry order.
func Transformers() []Transformer { return slices.Clone(transformers) }

// Select returns the named generators in registry order; no names means all.
func Select(names []string) ([]Generator, error) {
	if len(names) == 0 {
		return All(), nil
	}
	if err := unknown(names, All(), func(g Generator) string { return g.Name }); err != nil {
		return nil, err
	}
	var out []Generator
	for _, g := range registry {
		if slices.Contains(names, g.Name) {
			out = append(out, g)
		}
	}
	return out, nil
}

// SelectTransformers returns the named transformers in registry order.
func SelectTransformers(names []string) ([]Transformer, error) {
	if err := unknown(names, transformers, func(t Transformer) string { return t.Name }); err != nil {
		return nil, err
	}
	var out []Transformer
	for _, t := range transformers {
		if slices.Contains(names, t.Name) {
			out = append(out, t)
		}
	}
	return out, nil
}

func unknown[T any](names []string, known []T, name func(T) string) error {
	var valid []string
	for _, k := range known {
		valid = append(valid, name(k))
	}
	for _, n := range names {
		if !slices.Contains(valid, n) {
			return fmt.Errorf("unknown %q: expected one of %s", n, strings.Join(valid, ", "))
		}
	}
	return nil
}

// Generate runs the given generators and returns all their objects.
func Generate(cat *schema.Catalog, gens []Generator) ([]kube.Object, error) {
	var out []kube.Object
	for _, g := range gens {
		objs, err := g.Generate(cat)
		if err != nil {
			return nil, fmt.Errorf("generator %s: %w", g.Name, err)
		}
		out = append(out, objs...)
	}
	return out, nil
}
