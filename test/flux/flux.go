// Package flux reads examples/flux as Flux does: the Flux objects
// (clusters/*.yaml, committed; flux/ of render.sh's output, rendered from
// the catalog) are decoded with Flux's own API types, unknown fields
// refused, validated against the controllers' own CRDs (crd.go), and
// their references checked: every Kustomization's source is
// one of the committed sources, every path a directory of the render, and
// dependsOn names Kustomizations that exist and put the infrastructure
// partition first. make e2e runs it (hack/flux-e2e.sh).
package flux

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"path"
	"slices"
	"strings"

	kustomizev1 "github.com/fluxcd/kustomize-controller/api/v1"
	sourcev1 "github.com/fluxcd/source-controller/api/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	kjson "sigs.k8s.io/json"
	"sigs.k8s.io/yaml"
)

// Objects are the Flux objects of one or more YAML streams.
type Objects struct {
	Kustomizations []kustomizev1.Kustomization
	OCIRepos       []sourcev1.OCIRepository
	GitRepos       []sourcev1.GitRepository
}

// Decode adds every document of stream (named file in errors) to o,
// decoded strictly: an unknown or duplicate field, or a kind this example
// does not use, is an error, as the API server's strict field validation
// would refuse it.
func (o *Objects) Decode(file string, stream []byte) error {
	return eachDocument(file, stream, o.decodeOne)
}

// eachDocument calls fn on every non-empty document of stream, and names
// file and the document's number in its error.
func eachDocument(file string, stream []byte, fn func(doc []byte) error) error {
	r := utilyaml.NewYAMLReader(bufio.NewReader(bytes.NewReader(stream)))
	for n := 1; ; n++ {
		doc, err := r.Read()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err == nil && len(bytes.TrimSpace(doc)) > 0 {
			err = fn(doc)
		}
		if err != nil {
			return fmt.Errorf("%s: document %d: %w", file, n, err)
		}
	}
}

func (o *Objects) decodeOne(doc []byte) error {
	var tm metav1.TypeMeta
	if err := yaml.Unmarshal(doc, &tm); err != nil {
		return err
	}
	switch tm.GroupVersionKind() {
	case kustomizev1.GroupVersion.WithKind(kustomizev1.KustomizationKind):
		return decodeInto(doc, &o.Kustomizations)
	case sourcev1.GroupVersion.WithKind(sourcev1.OCIRepositoryKind):
		return decodeInto(doc, &o.OCIRepos)
	case sourcev1.GroupVersion.WithKind(sourcev1.GitRepositoryKind):
		return decodeInto(doc, &o.GitRepos)
	}
	return fmt.Errorf("%s %s is not a Flux object this example uses (Kustomization %s, OCIRepository or GitRepository %s)",
		tm.APIVersion, tm.Kind, kustomizev1.GroupVersion, sourcev1.GroupVersion)
}

// decodeInto decodes as the API server does: field names matched case
// for case (encoding/json, which sigs.k8s.io/yaml's UnmarshalStrict uses,
// would take "dependson" for dependsOn), unknown and duplicate fields
// refused.
func decodeInto[T any](doc []byte, list *[]T) error {
	data, err := yaml.YAMLToJSONStrict(doc)
	if err != nil {
		return err
	}
	var obj T
	strict, err := kjson.UnmarshalStrict(data, &obj, kjson.DisallowDuplicateFields, kjson.DisallowUnknownFields)
	if err != nil {
		return err
	}
	if err := errors.Join(strict...); err != nil {
		return err
	}
	*list = append(*list, obj)
	return nil
}

// ref names an object in a namespace.
type ref struct{ kind, namespace, name string }

func (r ref) String() string { return r.kind + " " + r.namespace + "/" + r.name }

// sources are the refs of o's sources.
func (o *Objects) sources() map[ref]bool {
	out := map[ref]bool{}
	for _, s := range o.OCIRepos {
		out[ref{sourcev1.OCIRepositoryKind, s.Namespace, s.Name}] = true
	}
	for _, s := range o.GitRepos {
		out[ref{sourcev1.GitRepositoryKind, s.Namespace, s.Name}] = true
	}
	return out
}

// sourceOf is the source k reads (its namespace by default, as Flux
// resolves it).
func sourceOf(k *kustomizev1.Kustomization) ref {
	ns := k.Spec.SourceRef.Namespace
	if ns == "" {
		ns = k.Namespace
	}
	return ref{k.Spec.SourceRef.Kind, ns, k.Spec.SourceRef.Name}
}

// CheckReferences: every Kustomization of ks reads a source of sources,
// at a path inside the artifact for which isDir says true.
func CheckReferences(ks []kustomizev1.Kustomization, sources *Objects, isDir func(string) bool) []error {
	known := sources.sources()
	var errs []error
	for i := range ks {
		k := &ks[i]
		if src := sourceOf(k); !known[src] {
			errs = append(errs, fmt.Errorf("Kustomization %s/%s: sourceRef %s is none of the committed sources", k.Namespace, k.Name, src))
		}
		p := path.Clean(k.Spec.Path)
		if path.IsAbs(p) || p == ".." || strings.HasPrefix(p, "../") {
			errs = append(errs, fmt.Errorf("Kustomization %s/%s: path %q leaves the artifact", k.Namespace, k.Name, k.Spec.Path))
		} else if !isDir(p) {
			errs = append(errs, fmt.Errorf("Kustomization %s/%s: path %q is not a directory of the render", k.Namespace, k.Name, k.Spec.Path))
		}
	}
	return errs
}

// CheckPartitions: ks is one Kustomization per partition, named
// <catalog>-<partition>; each prunes, waits within a timeout and sets no
// targetNamespace; and the dependsOn graph is the delivery order: the
// infrastructure partition's first (it depends on nothing), every other
// one depends on it, every name exists, no cycle.
func CheckPartitions(ks []kustomizev1.Kustomization, catalog string, partitions []string) []error {
	var errs []error
	byName := map[string]*kustomizev1.Kustomization{}
	for i := range ks {
		k := &ks[i]
		if byName[k.Namespace+"/"+k.Name] != nil {
			errs = append(errs, fmt.Errorf("Kustomization %s/%s: twice", k.Namespace, k.Name))
		}
		byName[k.Namespace+"/"+k.Name] = k
		errs = append(errs, checkSettings(k)...)
	}
	var want, got []string
	for _, p := range partitions {
		want = append(want, catalog+"-"+p)
	}
	for i := range ks {
		got = append(got, ks[i].Name)
	}
	if !slices.Equal(got, want) {
		errs = append(errs, fmt.Errorf("Kustomizations %v, the catalog's partitions in order need %v", got, want))
	}
	infra := catalog + "-infrastructure"
	for i := range ks {
		k := &ks[i]
		var deps []string
		for _, d := range k.Spec.DependsOn {
			ns := d.Namespace
			if ns == "" {
				ns = k.Namespace
			}
			if byName[ns+"/"+d.Name] == nil {
				errs = append(errs, fmt.Errorf("Kustomization %s/%s: dependsOn %s/%s, which does not exist", k.Namespace, k.Name, ns, d.Name))
			}
			deps = append(deps, d.Name)
		}
		switch {
		case k.Name == infra && len(deps) > 0:
			errs = append(errs, fmt.Errorf("Kustomization %s/%s: the infrastructure partition depends on %v: it must come first", k.Namespace, k.Name, deps))
		case k.Name != infra && !slices.Contains(deps, infra):
			errs = append(errs, fmt.Errorf("Kustomization %s/%s: dependsOn %v lacks %s (the Namespace and data stores)", k.Namespace, k.Name, deps, infra))
		}
	}
	if cycle := findCycle(ks); cycle != nil {
		errs = append(errs, fmt.Errorf("dependsOn cycle: %s", strings.Join(cycle, " -> ")))
	}
	return errs
}

// checkSettings: what every partition's Kustomization must say.
func checkSettings(k *kustomizev1.Kustomization) []error {
	var errs []error
	bad := func(format string, args ...any) {
		errs = append(errs, fmt.Errorf("Kustomization %s/%s: "+format, append([]any{k.Namespace, k.Name}, args...)...))
	}
	if !k.Spec.Prune {
		bad("prune is off: objects a later render drops would stay")
	}
	if !k.Spec.Wait {
		bad("wait is off: it would be Ready before its objects are, and dependsOn would not wait for them")
	}
	if k.Spec.Timeout == nil || k.Spec.Timeout.Duration <= 0 {
		bad("no timeout bounds the wait")
	}
	if k.Spec.Interval.Duration <= 0 {
		bad("interval %s: must be positive", k.Spec.Interval.Duration)
	}
	if k.Spec.TargetNamespace != "" {
		bad("targetNamespace %q: the rendered objects name their namespace", k.Spec.TargetNamespace)
	}
	return errs
}

// findCycle is a dependsOn cycle among ks (by name, within their
// namespace), or nil.
func findCycle(ks []kustomizev1.Kustomization) []string {
	deps := map[string][]string{}
	for _, k := range ks {
		for _, d := range k.Spec.DependsOn {
			deps[k.Name] = append(deps[k.Name], d.Name)
		}
	}
	const (
		visiting = 1
		done     = 2
	)
	state := map[string]int{}
	var stack []string
	var visit func(string) []string
	visit = func(n string) []string {
		switch state[n] {
		case visiting:
			i := slices.Index(stack, n)
			return append(slices.Clone(stack[i:]), n)
		case done:
			return nil
		}
		state[n] = visiting
		stack = append(stack, n)
		for _, d := range deps[n] {
			if c := visit(d); c != nil {
				return c
			}
		}
		stack = stack[:len(stack)-1]
		state[n] = done
		return nil
	}
	for _, k := range ks {
		if c := visit(k.Name); c != nil {
			return c
		}
	}
	return nil
}
