// Package kbuild is `novagen build DIR`: what `kustomize build
// --enable-alpha-plugins --enable-exec DIR` prints, the Argo CD plugin's
// generate step. When DIR's kustomization only runs NovaGen function
// configs (generators: and transformers: entries, nothing else), it runs
// them in this process, each catalog loaded once, and prints what
// kustomize would, byte for byte: generators in order, then transformers
// over everything they made, local configs dropped, kustomize's legacy
// order and its YAML. Anything else, and anything it cannot be sure of,
// runs kustomize itself (Analyze and Direct say why).
package kbuild

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"regexp"

	"sigs.k8s.io/kustomize/kyaml/fn/runtime/runtimeutil"
	"sigs.k8s.io/kustomize/kyaml/yaml"

	"github.com/novagen/novagen/fns"
	"github.com/novagen/novagen/internal/guard"
)

// Plan is what Analyze makes of a directory: the NovaGen configs its
// kustomization runs, or why kustomize must run it (Fallback).
type Plan struct {
	Dir          string
	Generators   []*yaml.RNode // in the kustomization's order
	Transformers []*yaml.RNode
	// Fallback says why the direct path does not apply; "" when it does.
	Fallback string
}

// kustomizationFiles are the names kustomize reads.
var kustomizationFiles = []string{"kustomization.yaml", "kustomization.yml", "Kustomization"}

// maxFileBytes bounds every file Analyze reads.
const maxFileBytes = 4 << 20

// localEntry is a generators:/transformers: entry that is plainly a file
// of the kustomization's own directory (no inline config, no directory,
// so no "..", no symlinked directory, no URL, no absolute path).
var localEntry = regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9._-]*$`)

// maxConfigs bounds the configs Analyze reads; more go to kustomize.
const maxConfigs = 100

// Analyze decides whether dir's kustomization renders directly: exactly
// one kustomization file, holding only apiVersion, kind (Kustomization),
// generators and transformers; each entry a regular file of dir holding
// one NovaGen config that kustomize would run as `novagen fn` found
// through PATH. Anything else (resources, patches, bases, components,
// namePrefix, other functions, inline configs, ...) falls back.
func Analyze(dir string) *Plan {
	p := &Plan{Dir: dir}
	p.Fallback = p.analyze()
	return p
}

func (p *Plan) analyze() string {
	var found []string
	for _, name := range kustomizationFiles {
		if _, err := os.Lstat(filepath.Join(p.Dir, name)); err == nil {
			found = append(found, name)
		}
	}
	if len(found) != 1 {
		return fmt.Sprintf("%d kustomization files (want exactly one of %v)", len(found), kustomizationFiles)
	}
	k, why := readObject(filepath.Join(p.Dir, found[0]))
	if why != "" {
		return why
	}
	var gens, trans []string
	for i := 0; i < len(k.Content); i += 2 {
		key, value := k.Content[i].Value, k.Content[i+1]
		switch key {
		case "apiVersion":
			if value.Value != "kustomize.config.k8s.io/v1beta1" {
				return fmt.Sprintf("%s: apiVersion %q", found[0], value.Value)
			}
		case "kind":
			if value.Value != "Kustomization" {
				return fmt.Sprintf("%s: kind %q", found[0], value.Value)
			}
		case "generators", "transformers":
			var entries []string
			if err := value.Decode(&entries); err != nil {
				return fmt.Sprintf("%s: %s is not a list of file names", found[0], key)
			}
			if key == "generators" {
				gens = entries
			} else {
				trans = entries
			}
		default:
			return fmt.Sprintf("%s: %s (only generators and transformers of NovaGen configs render directly)", found[0], key)
		}
	}
	if len(gens) == 0 {
		return "no generators"
	}
	if len(gens)+len(trans) > maxConfigs {
		return fmt.Sprintf("more than %d generators and transformers", maxConfigs)
	}
	if p.Generators, why = p.configs(gens); why != "" {
		return why
	}
	p.Transformers, why = p.configs(trans)
	return why
}

// configs reads the NovaGen configs of a generators: or transformers: list.
func (p *Plan) configs(entries []string) ([]*yaml.RNode, string) {
	var out []*yaml.RNode
	for _, e := range entries {
		if !localEntry.MatchString(e) {
			return nil, fmt.Sprintf("entry %q is not a file of the kustomization's directory", e)
		}
		path := filepath.Join(p.Dir, filepath.FromSlash(e))
		info, err := os.Lstat(path)
		if err != nil || !info.Mode().IsRegular() {
			return nil, fmt.Sprintf("entry %q is not a regular file", e)
		}
		n, why := readObject(path)
		if why != "" {
			return nil, why
		}
		node := yaml.NewRNode(n)
		if why := novagenConfig(node); why != "" {
			return nil, fmt.Sprintf("%s: %s", e, why)
		}
		out = append(out, node)
	}
	return out, ""
}

// readObject reads a file holding one YAML mapping, within the guard's
// limits; the reason it cannot be used otherwise.
func readObject(path string) (*yaml.Node, string) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Sprintf("%s: %v", path, err)
	}
	defer f.Close()
	data, err := guard.Read(path, "file", f, maxFileBytes)
	if err != nil {
		return nil, err.Error()
	}
	docs, err := guard.Manifests(path, data)
	if err != nil {
		return nil, err.Error()
	}
	if len(docs) != 1 || docs[0].YNode().Kind != yaml.MappingNode {
		return nil, fmt.Sprintf("%s: not one YAML mapping", path)
	}
	return docs[0].YNode(), ""
}

// novagenConfig says why n is not a config kustomize would run as this
// novagen's function: kind NovaGen, a name, and a function annotation
// that is exactly `exec: {path: novagen, args: [fn]}`.
func novagenConfig(n *yaml.RNode) string {
	if n.GetApiVersion() != fns.ConfigAPIVersion || n.GetKind() != fns.ConfigKind {
		return fmt.Sprintf("%s %s is not a %s %s", n.GetApiVersion(), n.GetKind(), fns.ConfigAPIVersion, fns.ConfigKind)
	}
	if n.GetName() == "" || n.GetNamespace() != "" {
		return "a config without metadata.name or with metadata.namespace"
	}
	spec, err := runtimeutil.GetFunctionSpec(n)
	if err != nil || spec == nil {
		return "no function annotation"
	}
	want := runtimeutil.FunctionSpec{Exec: runtimeutil.ExecSpec{Path: "novagen", Args: []string{"fn"}}}
	if !equalSpec(*spec, want) {
		return "the function is not `exec: {path: novagen, args: [fn]}`"
	}
	for k := range n.GetAnnotations() {
		if k != runtimeutil.FunctionAnnotationKey {
			return fmt.Sprintf("annotation %s", k)
		}
	}
	return ""
}

func equalSpec(a, b runtimeutil.FunctionSpec) bool {
	ya, err1 := yaml.Marshal(a)
	yb, err2 := yaml.Marshal(b)
	return err1 == nil && err2 == nil && bytes.Equal(ya, yb)
}
