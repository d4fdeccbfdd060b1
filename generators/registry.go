// Package generators is the registry of everything novagen can emit. Each
// generator lives in its own package as a pure function of the catalog;
// adding one means writing that package and one line below.
package generators

import (
	"fmt"
	"slices"
	"strings"

	"sigs.k8s.io/kustomize/kyaml/yaml"

	"github.com/novagen/novagen/generators/dbinit"
	"github.com/novagen/novagen/generators/grpcservices"
	"github.com/novagen/novagen/generators/initcontainers"
	"github.com/novagen/novagen/generators/kube"
	"github.com/novagen/novagen/generators/migrations"
	"github.com/novagen/novagen/generators/networkpolicy"
	"github.com/novagen/novagen/generators/secrets"
	"github.com/novagen/novagen/generators/workloads"
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
	{workloads.Name, "Deployment per service (leave out where a base has its own Deployments)", workloads.Generate},
	{networkpolicy.Name, "default-deny plus allow-lists derived from the dependency graph", networkpolicy.Generate},
	{secrets.Name, "ExternalSecret per PostgreSQL login (services, readers) and the admin", secrets.Generate},
	{dbinit.Name, "init-scripts ConfigMap (databases, roles, extensions) and the Job that runs them", dbinit.Generate},
	{migrations.Name, "SQLx migration Job: every service's migrations, in catalog order", migrations.Generate},
}

var transformers = []Transformer{
	{initcontainers.Name, "wait-for-<dependency> init containers on every service's Deployment/StatefulSet", initcontainers.Transform},
}

// All returns every generator in registry order.
func All() []Generator { return slices.Clone(registry) }

// Transformers returns every transformer in registry order.
func Transformers() []Transformer { return slices.Clone(transformers) }

// Select returns the named generators in registry order; no names means all.
func Select(names []string) ([]Generator, error) {
	if len(names) == 0 {
		return All(), nil
	}
	return byName(names, registry, func(g Generator) string { return g.Name })
}

// SelectTransformers returns the named transformers in registry order.
func SelectTransformers(names []string) ([]Transformer, error) {
	return byName(names, transformers, func(t Transformer) string { return t.Name })
}

// byName keeps the entries of known that names lists, in known's order,
// and rejects a name that is not there.
func byName[T any](names []string, known []T, name func(T) string) ([]T, error) {
	var valid []string
	var out []T
	for _, k := range known {
		valid = append(valid, name(k))
		if slices.Contains(names, name(k)) {
			out = append(out, k)
		}
	}
	for _, n := range names {
		if !slices.Contains(valid, n) {
			return nil, fmt.Errorf("unknown %q: expected one of %s", n, strings.Join(valid, ", "))
		}
	}
	return out, nil
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
