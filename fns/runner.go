package fns

import (
	"errors"

	"sigs.k8s.io/kustomize/kyaml/yaml"

	"github.com/novagen/novagen/catalog"
	"github.com/novagen/novagen/generators"
	"github.com/novagen/novagen/pipeline"
)

// Runner runs function configs the way `novagen fn` runs one: the
// function as kustomize execs it, and `novagen build` running a
// kustomization's configs in one process, where a Runner loads each
// catalog (per environment) once for all of them.
type Runner struct {
	// Registry holds the generators and transformers (fns.Options);
	// required.
	Registry *generators.Registry
	// Dir is the function's working directory: the kustomization's,
	// which spec.catalog is relative to.
	Dir string
	// ConfigDir is where the function config's file lies (Options); ""
	// for where its path annotation says, if it has one (configDir).
	ConfigDir string
	// Getenv is the environment the function sees (PartitionEnv,
	// EnvironmentEnv); nil, none.
	Getenv func(string) string

	catalogs map[catalogKey]*catalog.Catalog
}

// catalogKey is a loaded catalog: its path as a config wrote it, the
// directory that path is relative to, and the environment.
type catalogKey struct{ base, path, env string }

// Run is the function on a ResourceList: config its functionConfig,
// items its items; it returns the items it outputs.
func (r *Runner) Run(config *yaml.RNode, items []*yaml.RNode) ([]*yaml.RNode, error) {
	if r.Registry == nil {
		return nil, errors.New("internal error: fns.Runner has no Registry")
	}
	cfg, err := readConfig(config, r.Registry)
	if err != nil {
		return nil, err
	}
	getenv := r.Getenv
	if getenv == nil {
		getenv = func(string) string { return "" }
	}
	env, err := environmentOf(cfg, getenv)
	if err != nil {
		return nil, err
	}
	base := r.ConfigDir
	if base == "" {
		base = configDir(config)
	}
	cat, err := r.catalog(base, cfg.Spec.Catalog, env)
	if err != nil {
		return nil, err
	}
	partition, err := partitionOf(cfg, cat, getenv)
	if err != nil {
		return nil, err
	}
	return pipeline.Run(cat, pipeline.Options{Registry: r.Registry, Generators: cfg.Spec.Generators, Transformers: cfg.Spec.Transformers, Partition: partition}, items)
}

// catalog loads the catalog at path (relative to base: readCatalog's
// rules) in environment env, or returns the one loaded before.
// Generators and transformers only read a catalog, so the configs can
// share it.
func (r *Runner) catalog(base, path, env string) (*catalog.Catalog, error) {
	key := catalogKey{base, path, env}
	if cat, ok := r.catalogs[key]; ok {
		return cat, nil
	}
	name, data, dir, err := readCatalog(r.Dir, path, base)
	if err != nil {
		return nil, err
	}
	defer dir.Close()
	cat, err := pipeline.Loader(r.Registry).ParseIn(dir, name, data, env)
	if err != nil {
		return nil, err
	}
	if r.catalogs == nil {
		r.catalogs = map[catalogKey]*catalog.Catalog{}
	}
	r.catalogs[key] = cat
	return cat, nil
}
