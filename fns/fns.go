// Package fns is the KRM function layer: it reads a function config,
// loads the catalog it names, runs the generators and transformers it
// selects and reports problems as framework Results. It is the only
// package that knows about kustomize; generators don't.
package fns

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"sigs.k8s.io/kustomize/kyaml/fn/framework"
	"sigs.k8s.io/kustomize/kyaml/yaml"

	"github.com/novagen/novagen/generators"
	"github.com/novagen/novagen/generators/syncwaves"
	"github.com/novagen/novagen/render"
	"github.com/novagen/novagen/schema"
)

// The function config's type.
const (
	ConfigAPIVersion = "novagen.nova.dev/v1alpha1"
	ConfigKind       = "NovaGen"
)

// Config is the function config kustomize hands the function, e.g.
//
//	apiVersion: novagen.nova.dev/v1alpha1
//	kind: NovaGen
//	metadata:
//	  name: nova
//	  annotations:
//	    config.kubernetes.io/function: |
//	      exec: {path: ../../bin/novagen, args: [fn]}
//	spec:
//	  catalog: ../../services.yaml   # relative to the kustomization
//	  generators: [grpc-services]    # omitted: all of them
//	  transformers: []               # none unless named
type Config struct {
	APIVersion string     `yaml:"apiVersion"`
	Kind       string     `yaml:"kind"`
	Metadata   ConfigMeta `yaml:"metadata"`
	Spec       ConfigSpec `yaml:"spec"`
}

// ConfigMeta is the part of the config's metadata the function reads.
type ConfigMeta struct {
	Name        string            `yaml:"name"`
	Annotations map[string]string `yaml:"annotations,omitempty"`
}

// ConfigSpec says which catalog to load and what to run.
type ConfigSpec struct {
	Catalog      string   `yaml:"catalog"`
	Generators   []string `yaml:"generators,omitempty"`
	Transformers []string `yaml:"transformers,omitempty"`
}

// Run is what `novagen render` and the KRM function both do: generate the
// selected objects, add them to items, then apply the selected
// transformers to everything.
func Run(cat *schema.Catalog, gens []generators.Generator, trans []generators.Transformer, items []*yaml.RNode) ([]*yaml.RNode, error) {
	objs, err := generators.Generate(cat, gens)
	if err != nil {
		return nil, err
	}
	// Waves go on the typed objects so they serialize in order with the
	// other annotations; hand-written items keep theirs.
	if err := syncwaves.Annotate(cat, objs); err != nil {
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

// Processor is the ResourceListProcessor kustomize runs.
var Processor = framework.ResourceListProcessorFunc(process)

func process(rl *framework.ResourceList) error {
	cfg, err := readConfig(rl.FunctionConfig)
	if err != nil {
		return fail(rl, errorResult(err.Error(), ""))
	}
	gens, err := generators.Select(cfg.Spec.Generators)
	if err != nil {
		return fail(rl, errorResult("spec.generators: "+err.Error(), ""))
	}
	trans, err := generators.SelectTransformers(cfg.Spec.Transformers)
	if err != nil {
		return fail(rl, errorResult("spec.transformers: "+err.Error(), ""))
	}
	cat, err := schema.Load(filepath.FromSlash(cfg.Spec.Catalog))
	if err != nil {
		return fail(rl, catalogResults(err)...)
	}
	items, err := Run(cat, gens, trans, rl.Items)
	if err != nil {
		return fail(rl, errorResult(err.Error(), cfg.Spec.Catalog))
	}
	rl.Items = items
	return nil
}

func readConfig(n *yaml.RNode) (*Config, error) {
	if n == nil {
		return nil, fmt.Errorf("no function config: expected a %s %s", ConfigAPIVersion, ConfigKind)
	}
	if n.GetApiVersion() != ConfigAPIVersion || n.GetKind() != ConfigKind {
		return nil, fmt.Errorf("function config is %s %s, expected %s %s", n.GetApiVersion(), n.GetKind(), ConfigAPIVersion, ConfigKind)
	}
	s, err := n.String()
	if err != nil {
		return nil, err
	}
	cfg := &Config{}
	dec := yaml.NewDecoder(strings.NewReader(s))
	dec.KnownFields(true)
	if err := dec.Decode(cfg); err != nil {
		return nil, fmt.Errorf("function config %s: %v", n.GetName(), err)
	}
	if cfg.Spec.Catalog == "" {
		return nil, fmt.Errorf("function config %s: spec.catalog is required (path of services.yaml, relative to the kustomization)", n.GetName())
	}
	return cfg, nil
}

func errorResult(msg, file string) framework.Result {
	r := framework.Result{Severity: framework.Error, Message: msg}
	if file != "" {
		r.File = &framework.File{Path: file}
	}
	return r
}

// catalogResults keeps one Result per catalog finding, each with its
// FILE:LINE:COL in the message: kustomize shows only stderr and the
// message is what the user reads.
func catalogResults(err error) []framework.Result {
	var errs schema.Errors
	if !errors.As(err, &errs) {
		return []framework.Result{errorResult(err.Error(), "")}
	}
	out := make([]framework.Result, len(errs))
	for i, e := range errs {
		out[i] = errorResult(e.Error(), e.Pos.File)
	}
	return out
}

// fail records results and returns them as the error, which makes the
// function exit non-zero; kustomize drops Results, so Main also prints
// them to stderr.
func fail(rl *framework.ResourceList, results ...framework.Result) error {
	rs := make(framework.Results, len(results))
	for i := range results {
		rs[i] = &results[i]
	}
	rl.Results = append(rl.Results, rs...)
	rl.Items = nil // never partial output
	return rs
}

// Main runs the function on stdin/stdout and returns the exit status.
func Main() int {
	err := framework.Execute(Processor, nil)
	if err == nil {
		return 0
	}
	var rs framework.Results
	if errors.As(err, &rs) {
		for _, r := range rs {
			fmt.Fprintln(os.Stderr, "novagen: "+r.Message)
		}
	} else {
		fmt.Fprintln(os.Stderr, "novagen:", err)
	}
	return 1
}
