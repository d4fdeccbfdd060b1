// Package generatortest runs the golden test every generator shares.
package generatortest

import (
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"

	"sigs.k8s.io/kustomize/kyaml/yaml"

	"github.com/novagen/novagen/catalog"
	"github.com/novagen/novagen/catalog/load"
	"github.com/novagen/novagen/generators/kube"
	"github.com/novagen/novagen/internal/golden"
	"github.com/novagen/novagen/render"
)

// GeneratorCases is the table-driven golden test every generator shares:
// each testdata/<case>/catalog.yaml is loaded, gen runs on it and the
// rendered output must equal testdata/<case>/expected.yaml.
func GeneratorCases(t *testing.T, gen func(*catalog.Catalog) ([]kube.Object, error)) {
	t.Helper()
	catalogs, err := filepath.Glob(filepath.Join("testdata", "*", "catalog.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if len(catalogs) == 0 {
		t.Fatal("no testdata/<case>/catalog.yaml: a generator needs at least one golden case")
	}
	for _, path := range catalogs {
		dir := filepath.Dir(path)
		t.Run(filepath.Base(dir), func(t *testing.T) { assertCase(t, gen, dir, "expected.yaml") })
	}
}

// GoldenAs compares gen's output on testdata/<name>/catalog.yaml with
// testdata/<name>/<file>: a case's output under other options than
// GeneratorCases' (e.g. smaller groups).
func GoldenAs(t *testing.T, gen func(*catalog.Catalog) ([]kube.Object, error), name, file string) {
	t.Helper()
	assertCase(t, gen, filepath.Join("testdata", name), file)
}

func assertCase(t *testing.T, gen func(*catalog.Catalog) ([]kube.Object, error), dir, file string) {
	t.Helper()
	// Without the generators' checks: this package cannot import their
	// registry (the generators' tests use it); generators.TestChecks
	// keeps every golden catalog passing them.
	cat, err := load.Load(filepath.Join(dir, "catalog.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	out, err := render.Bytes(Nodes(t, gen, cat))
	if err != nil {
		t.Fatal(err)
	}
	golden.Assert(t, filepath.Join(dir, file), out)
}

// Nodes runs gen on cat and returns its objects as sorted nodes, failing
// the test on any error.
func Nodes(t testing.TB, gen func(*catalog.Catalog) ([]kube.Object, error), cat *catalog.Catalog) []*yaml.RNode {
	t.Helper()
	objs, err := gen(cat)
	if err != nil {
		t.Fatal(err)
	}
	nodes, err := render.Nodes(objs)
	if err != nil {
		t.Fatal(err)
	}
	return nodes
}

// Load loads testdata/<name>/catalog.yaml (or name itself, when it is a
// path), failing the test on any error.
func Load(t testing.TB, name string) *catalog.Catalog {
	t.Helper()
	path := name
	if !strings.Contains(name, "/") {
		path = filepath.Join("testdata", name, "catalog.yaml")
	}
	cat, err := load.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	return cat
}

// Objects runs gen on cat and returns its objects by "Kind/name"; a Job
// by the name without its hash (its app.kubernetes.io/name).
func Objects(t testing.TB, gen func(*catalog.Catalog) ([]kube.Object, error), cat *catalog.Catalog) map[string]kube.Object {
	t.Helper()
	objs, err := gen(cat)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]kube.Object{}
	for _, o := range objs {
		kind, name := o.GetObjectKind().GroupVersionKind().Kind, o.GetName()
		if kind == "Job" {
			name = o.GetLabels()[kube.LabelName]
		}
		out[kind+"/"+name] = o
	}
	return out
}

var (
	scriptRead = regexp.MustCompile(`\$\{([A-Z][A-Z0-9_]*)[}:]`)
	scriptSet  = regexp.MustCompile(`(?m)^\s*(?:export\s+)?([A-Z][A-Z0-9_]*)=`)
)

// ScriptVars are the upper-case variables script reads (${NAME},
// ${NAME:?...}; not ${NAME:-default}) and does not set itself, sorted:
// what its container's environment must hold.
func ScriptVars(script string) []string {
	set := map[string]bool{}
	for _, m := range scriptSet.FindAllStringSubmatch(script, -1) {
		set[m[1]] = true
	}
	var out []string
	for _, m := range scriptRead.FindAllStringSubmatchIndex(script, -1) {
		name := script[m[2]:m[3]]
		optional := strings.HasPrefix(script[m[3]:], ":-")
		if !optional && !set[name] && !slices.Contains(out, name) {
			out = append(out, name)
		}
	}
	slices.Sort(out)
	return out
}

// EnvNames are the names of a container's environment variables.
func EnvNames(c corev1.Container) []string {
	out := make([]string, len(c.Env))
	for i, e := range c.Env {
		out[i] = e.Name
	}
	return out
}
