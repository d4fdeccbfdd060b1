// Package fns is the KRM function layer: it reads a function config,
// loads the catalog it names (only from inside the repository), runs the
// pipeline every novagen front runs and reports problems as framework
// Results. It is the only package that knows about kustomize; generators
// don't.
package fns

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	kerrors "sigs.k8s.io/kustomize/kyaml/errors"
	"sigs.k8s.io/kustomize/kyaml/fn/framework"
	"sigs.k8s.io/kustomize/kyaml/kio"
	"sigs.k8s.io/kustomize/kyaml/yaml"

	"github.com/novagen/novagen/catalog/load"
	"github.com/novagen/novagen/generators"
	"github.com/novagen/novagen/internal/guard"
	"github.com/novagen/novagen/pipeline"
	"github.com/novagen/novagen/render"
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
//	      exec: {path: novagen, args: [fn]}   # found through PATH
//	spec:
//	  catalog: ../../services.yaml   # relative to this file (kpt) or the kustomization, inside the repository
//	  environment: production        # omitted: the catalog as written
//	  partition: team-a              # omitted: $NOVAGEN_PARTITION, else the whole catalog
//	  generators: [grpc-services]    # omitted: all of them
//	  transformers: []               # omitted: all of them; [] none
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

// ConfigSpec says which catalog to load and what to run, with the same
// defaults as `novagen render`: all generators and all transformers.
type ConfigSpec struct {
	Catalog string `yaml:"catalog"`
	// Environment selects an entry of the catalog's spec.environments.
	Environment string `yaml:"environment,omitempty"`
	// Partition renders one partition of a partitioned catalog; empty,
	// the one PartitionEnv names, if any.
	Partition    string   `yaml:"partition,omitempty"`
	Generators   []string `yaml:"generators,omitempty"`
	Transformers []string `yaml:"transformers"`
}

// Options are the arguments of `novagen fn`, and the program's registry.
type Options struct {
	// Registry holds the generators and transformers the configs select
	// from and whose extensions the catalog may use; required.
	Registry *generators.Registry
	// ConfigDir is the directory of the function config's file, relative
	// to the working directory, for spec.catalog to resolve against when
	// the config does not say where it lies: kpt fn eval --fn-config
	// hands the function the config with no path (kpt fn render does
	// give it one). It never widens what may be read (readCatalog).
	ConfigDir string
}

// ParseArgs reads the arguments after `novagen fn`: none, or
// --config-dir DIR (also --config-dir=DIR); false for anything else, which
// is then the command line's to report (help, a typo). The caller sets
// the Registry.
func ParseArgs(args []string) (Options, bool) {
	switch {
	case len(args) == 0:
		return Options{}, true
	case len(args) == 2 && args[0] == "--config-dir" && args[1] != "":
		return Options{ConfigDir: args[1]}, true
	case len(args) == 1 && strings.HasPrefix(args[0], "--config-dir=") && len(args[0]) > len("--config-dir="):
		return Options{ConfigDir: strings.TrimPrefix(args[0], "--config-dir=")}, true
	}
	return Options{}, false
}

// Processor is the ResourceListProcessor kustomize runs.
func (o Options) Processor() framework.ResourceListProcessor {
	return framework.ResourceListProcessorFunc(func(rl *framework.ResourceList) error { return process(rl, o) })
}

// failure is a failed run: the error as it happened (printed by Main like
// every novagen error) and the Results it became.
type failure struct {
	err     error
	results framework.Results
}

func (f failure) Error() string { return f.results.Error() }
func (f failure) Unwrap() error { return f.err }

func process(rl *framework.ResourceList, o Options) error {
	wd, err := os.Getwd()
	if err != nil {
		return fail(rl, err)
	}
	r := Runner{Registry: o.Registry, Dir: wd, ConfigDir: o.ConfigDir, Getenv: os.Getenv}
	items, err := r.Run(rl.FunctionConfig, rl.Items)
	if err != nil {
		return fail(rl, err)
	}
	rl.Items = items
	return nil
}

// readConfig reads and checks a function config: its names of
// generators and transformers must be reg's.
func readConfig(n *yaml.RNode, reg *generators.Registry) (*Config, error) {
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
		return nil, fmt.Errorf("function config %s: spec.catalog is required (path of services.yaml, relative to the kustomization, or under kpt to this file)", n.GetName())
	}
	if _, err := reg.Select(cfg.Spec.Generators); err != nil {
		return nil, fmt.Errorf("function config %s: spec.generators: %w", n.GetName(), err)
	}
	if cfg.Spec.Transformers != nil {
		if _, err := reg.SelectTransformers(cfg.Spec.Transformers); err != nil {
			return nil, fmt.Errorf("function config %s: spec.transformers: %w", n.GetName(), err)
		}
	}
	return cfg, nil
}

// fail records err as Results (one per catalog problem, each with its
// FILE:LINE:COL in the message: kustomize shows only stderr, and the
// message is what the user reads), drops every item (never partial
// output) and returns the failure, which makes the function exit 1.
func fail(rl *framework.ResourceList, err error) error {
	var rs framework.Results
	var errs load.Errors
	if errors.As(err, &errs) {
		for _, e := range errs {
			rs = append(rs, &framework.Result{Severity: framework.Error, Message: e.Error(), File: &framework.File{Path: e.Pos.File}})
		}
	} else {
		rs = framework.Results{{Severity: framework.Error, Message: err.Error()}}
	}
	rl.Results = append(rl.Results, rs...)
	rl.Items = nil
	return failure{err: err, results: rs}
}

// inputName names the function's input (the ResourceList kustomize
// writes on its stdin) in errors.
const inputName = "<stdin>"

// objectNodes are the objects of the input: the items and the config.
func objectNodes(items []*yaml.RNode, config *yaml.RNode) []*yaml.RNode {
	out := slices.Clone(items)
	if config != nil {
		out = append(out, config)
	}
	return out
}

// inputNodes are objectNodes as parsed, for the guard's limits.
func inputNodes(items []*yaml.RNode, config *yaml.RNode) []*yaml.Node {
	var out []*yaml.Node
	for _, it := range objectNodes(items, config) {
		out = append(out, it.YNode())
	}
	return out
}

// Main runs the function on stdin/stdout and returns the exit status.
// kustomize drops Results, so errors also go to stderr, printed as every
// novagen command prints them.
func Main(o Options) int {
	out := bufio.NewWriterSize(os.Stdout, 64<<10)
	err := o.Execute(os.Stdin, out)
	if ferr := out.Flush(); err == nil && ferr != nil {
		err = ferr
	}
	if err == nil {
		return 0
	}
	var f failure
	if errors.As(err, &f) {
		err = f.err
	}
	pipeline.PrintError(os.Stderr, err)
	return 1
}

// Execute is framework.Execute(o.Processor(), ...) on in and out, the
// same bytes, but for the output of a run that succeeds: framework.Execute
// encodes the whole ResourceList with one yaml.v3 encoder, which holds the
// events of every object until it is done; Execute prints the items one
// by one (render.WriteResourceList). A failing run (Results, no items) is
// written by the framework's writer, as before.
func (o Options) Execute(in io.Reader, out io.Writer) error {
	// The input passes the guard before kyaml sees it: within the cap, YAML
	// text, then (parsed, aliases not yet expanded) within the limits on
	// nesting and aliases, with no key twice.
	data, err := guard.Read(inputName, "the function's input", in, guard.MaxManifestBytes)
	if err != nil {
		return err
	}
	rw := &kio.ByteReadWriter{Reader: bytes.NewReader(data), Writer: out, KeepReaderAnnotations: true}
	rl := framework.ResourceList{}
	if rl.Items, err = rw.Read(); err != nil {
		return guard.YAMLError(inputName, err)
	}
	if err := guard.Check(inputName, inputNodes(rl.Items, rw.FunctionConfig)...); err != nil {
		return err
	}
	if err := guard.Objects(inputName, objectNodes(rl.Items, rw.FunctionConfig)...); err != nil {
		return err
	}
	rl.FunctionConfig = rw.FunctionConfig
	annotations, err := kio.PreprocessResourcesForInternalAnnotationMigration(rl.Items)
	if err != nil {
		return err
	}
	processErr := o.Processor().Process(&rl)
	if err := kio.ReconcileInternalAnnotations(rl.Items, annotations); err != nil {
		return err
	}
	if len(rl.Results) > 0 || rw.WrappingKind == "" {
		if len(rl.Results) > 0 {
			b, err := yaml.Marshal(rl.Results)
			if err != nil {
				return kerrors.Wrap(err)
			}
			if rw.Results, err = yaml.Parse(string(b)); err != nil {
				return kerrors.Wrap(err)
			}
		}
		if err := rw.Write(rl.Items); err != nil {
			return err
		}
		return processErr
	}
	if err := render.WriteResourceList(out, rw.WrappingAPIVersion, rw.WrappingKind, rl.Items, rw.FunctionConfig, rw.Results); err != nil {
		return err
	}
	return processErr
}
