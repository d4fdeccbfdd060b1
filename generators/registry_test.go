package generators

import (
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/novagen/novagen/generators/syncwaves"
)

const module = "github.com/novagen/novagen/"

// shared are the packages under generators/ that generators may import:
// helpers, not generators.
var shared = []string{"generators/kube", "generators/kube/externalsecrets", "generators/kube/certmanager", "generators/kube/gatewayapi", "generators/kube/promoperator", "generators/scripts"}

// The import rules of registry.go's package doc, as data: what every
// package under generators/ may import in its non-test files, what a
// transformer may import besides, and the one generator's exception.
var (
	allowedNovagen     = append([]string{"catalog", "naming", "kobj"}, shared...)
	allowedExternal    = []string{"k8s.io/api/", "k8s.io/apimachinery/"} // prefixes
	allowedTransformer = []string{module + "internal/yamlnode", "sigs.k8s.io/kustomize/kyaml/yaml"}
	allowedExtra       = map[string][]string{"generators/apicontracts": {module + "contracts/registry"}}
)

// imports returns every import path of the .go files of dir, those of
// its non-test files and those of its tests apart, and the string
// literals of its non-test files.
func imports(t *testing.T, dir string) (code, tests, literals []string) {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.go"))
	require.NoError(t, err)
	fset := token.NewFileSet()
	for _, f := range files {
		src, err := os.ReadFile(f)
		require.NoError(t, err)
		file, err := parser.ParseFile(fset, f, src, parser.ImportsOnly)
		require.NoError(t, err)
		isTest := strings.HasSuffix(f, "_test.go")
		for _, imp := range file.Imports {
			p, _ := strconv.Unquote(imp.Path.Value)
			if isTest {
				tests = append(tests, p)
			} else {
				code = append(code, p)
			}
		}
		if !isTest {
			literals = append(literals, strings.Split(string(src), `"`)[1:]...)
		}
	}
	return code, tests, literals
}

// packages are the directories below generators/ that hold Go files
// (testdata aside), as module-relative package paths.
func packages(t *testing.T) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || !d.IsDir() || path == "." {
			return err
		}
		if d.Name() == "testdata" {
			return filepath.SkipDir
		}
		if files, _ := filepath.Glob(filepath.Join(path, "*.go")); len(files) > 0 {
			out = append(out, "generators/"+filepath.ToSlash(path))
		}
		return nil
	})
	require.NoError(t, err)
	return out
}

// allowed says whether the non-test files of pkg (a transformer's or
// not) may import path.
func allowed(pkg, path string, transformer bool) bool {
	if rel, ok := strings.CutPrefix(path, module); ok {
		if slices.Contains(allowedNovagen, rel) {
			return true
		}
	} else if !strings.Contains(strings.Split(path, "/")[0], ".") {
		return true // the standard library
	}
	for _, prefix := range allowedExternal {
		if strings.HasPrefix(path, prefix) {
			return true
		}
	}
	return (transformer && slices.Contains(allowedTransformer, path)) || slices.Contains(allowedExtra[pkg], path)
}

// TestGeneratorImports holds every package under generators/ to the
// import list of registry.go's package doc: its non-test files import
// only that list, and its tests no other generator, so adding or changing
// one generator never touches another.
func TestGeneratorImports(t *testing.T) {
	var transformerPkgs []string
	for _, tr := range transformers {
		transformerPkgs = append(transformerPkgs, strings.TrimPrefix(packageOf(tr.Transform), module))
	}
	pkgs := packages(t)
	for _, pkg := range pkgs {
		code, tests, _ := imports(t, strings.TrimPrefix(pkg, "generators/"))
		for _, p := range code {
			if !allowed(pkg, p, slices.Contains(transformerPkgs, pkg)) {
				t.Errorf("%s imports %s: registry.go's package doc lists what a generator package may import", pkg, p)
			}
		}
		for _, p := range append(code, tests...) {
			rel, ok := strings.CutPrefix(p, module)
			if ok && strings.HasPrefix(rel, "generators/") && !slices.Contains(shared, rel) && rel != pkg { // pkg: its external tests
				t.Errorf("%s imports generator %s: generators share facts through catalog and names through naming", pkg, rel)
			}
		}
	}
	// Every registered generator and transformer lives in a package the
	// walk checked.
	for _, fn := range registeredFuncs() {
		assert.Contains(t, pkgs, strings.TrimPrefix(packageOf(fn), module))
	}
	assert.Contains(t, pkgs, "generators/kube/certmanager", "the walk reaches nested helpers")
}

// TestImportRuleCanFail: the rule rejects what the doc rules out.
func TestImportRuleCanFail(t *testing.T) {
	assert.False(t, allowed("generators/redis", module+"generators/kafka", false))
	assert.False(t, allowed("generators/redis", module+"render", false))
	assert.False(t, allowed("generators/redis", module+"contracts", false))
	assert.False(t, allowed("generators/apicontracts", module+"contracts", false), "the compiler, not the plain data")
	assert.False(t, allowed("generators/redis", module+"catalog/load", false))
	assert.False(t, allowed("generators/redis", "sigs.k8s.io/kustomize/kyaml/yaml", false))
	assert.False(t, allowed("generators/redis", "github.com/bufbuild/protocompile", false))
	assert.True(t, allowed("generators/initcontainers", "sigs.k8s.io/kustomize/kyaml/yaml", true))
	assert.True(t, allowed("generators/apicontracts", module+"contracts/registry", false))
	assert.True(t, allowed("generators/redis", "k8s.io/api/core/v1", false))
	assert.True(t, allowed("generators/redis", "strings", false))
}

// registeredFuncs are the registry's Generate and Transform functions.
func registeredFuncs() []any {
	var out []any
	for _, g := range registry {
		out = append(out, g.Generate)
	}
	for _, tr := range transformers {
		out = append(out, tr.Transform)
	}
	return out
}

// TestWavePassNamesNoGenerator: the sync-wave pass knows phases and the
// graph, never a generator: no generator's name appears in it (the
// import rules keep it from importing one).
func TestWavePassNamesNoGenerator(t *testing.T) {
	_, _, literals := imports(t, "syncwaves")
	for _, g := range registry {
		assert.NotContains(t, literals, g.Name, "syncwaves names generator %q", g.Name)
	}
}

// TestRegistryNames: names are unique, and every generator has a phase.
func TestRegistryNames(t *testing.T) {
	seen := map[string]bool{}
	for _, g := range registry {
		assert.False(t, seen[g.Name], "duplicate generator %s", g.Name)
		seen[g.Name] = true
		assert.NotZero(t, g.Phase, "generator %s has no phase", g.Name)
		assert.NotEmpty(t, g.Description, g.Name)
	}
	for _, tr := range transformers {
		assert.False(t, seen[tr.Name], "transformer %s shares a generator's name", tr.Name)
	}
}

// TestRegistryAdd: a program's generator joins after novagen's own; a
// name taken (by a generator or a transformer), or a generator without
// name, function or phase, is refused with its reason; Default and With
// hand out copies, so adding to one changes no other.
func TestRegistryAdd(t *testing.T) {
	mine := Generator{Name: "team-quota", Description: "d", Phase: syncwaves.PhaseServices, Generate: registry[0].Generate, Extension: []byte(`{}`)}
	reg := Default()
	require.NoError(t, reg.Add(mine))
	names := reg.names()
	assert.Equal(t, "team-quota", names[len(registry)], "after the built-in generators, before the transformers")
	assert.Len(t, Default().All(), len(registry), "Default is a fresh copy")
	assert.Equal(t, map[string][]byte{"team-quota": []byte(`{}`)}, reg.Extensions())
	assert.Empty(t, Default().Extensions(), "novagen's own generators read no extension")

	for _, tc := range []struct {
		gen  Generator
		want string
	}{
		{mine, `generator "team-quota": the name is already registered`},
		{Generator{Name: transformers[0].Name, Phase: mine.Phase, Generate: mine.Generate}, `generator "init-containers": the name is already registered`},
		{Generator{Name: registry[0].Name, Phase: mine.Phase, Generate: mine.Generate}, `generator "namespace": the name is already registered`},
		{Generator{Phase: mine.Phase, Generate: mine.Generate}, "generator with no name"},
		{Generator{Name: "x", Phase: mine.Phase}, `generator "x" has no Generate function`},
		{Generator{Name: "x", Generate: mine.Generate}, `generator "x" has no Phase`},
		{Generator{Name: "Team_Quota", Phase: mine.Phase, Generate: mine.Generate, Extension: []byte(`{}`)}, `generator "Team_Quota" has an extension, so its name is a key of spec.extensions: it must be a DNS label`},
	} {
		assert.ErrorContains(t, reg.Add(tc.gen), tc.want)
	}
	assert.Len(t, reg.All(), len(registry)+1, "a refused generator is not added")
	other := mine
	other.Name = "other"
	assert.Error(t, reg.Add(other, mine), "one refused, none added")
	assert.Len(t, reg.All(), len(registry)+1, "one refused, none added")

	with := Default().With(mine)
	assert.Len(t, with.All(), len(registry)+1)
	assert.PanicsWithValue(t, `novagen: generator "team-quota": the name is already registered (`+strings.Join(with.names(), ", ")+`)`, func() { with.With(mine) })
	assert.Len(t, with.All(), len(registry)+1, "With leaves its receiver as it was")
}
