package generators

import (
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const module = "github.com/novagen/novagen/"

// shared are the packages under generators/ that generators may import:
// helpers, not generators.
var shared = []string{"generators/kube", "generators/kube/externalsecrets", "generators/kube/certmanager", "generators/kube/gatewayapi", "generators/kube/promoperator", "generators/scripts"}

// imports returns every import path of the .go files (tests included) in
// dir, and their string literals.
func imports(t *testing.T, dir string) (paths []string, literals []string) {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.go"))
	require.NoError(t, err)
	fset := token.NewFileSet()
	for _, f := range files {
		src, err := os.ReadFile(f)
		require.NoError(t, err)
		file, err := parser.ParseFile(fset, f, src, parser.ImportsOnly)
		require.NoError(t, err)
		for _, imp := range file.Imports {
			p, _ := strconv.Unquote(imp.Path.Value)
			paths = append(paths, p)
		}
		if !strings.HasSuffix(f, "_test.go") {
			for _, lit := range strings.Split(string(src), `"`)[1:] {
				literals = append(literals, lit)
			}
		}
	}
	return paths, literals
}

// TestNoGeneratorImportsAnother: a generator (or transformer) package,
// tests included, imports only catalog, naming and the shared helpers, so
// adding or changing one never touches another.
func TestNoGeneratorImportsAnother(t *testing.T) {
	entries, err := os.ReadDir(".")
	require.NoError(t, err)
	checked := 0
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		dir := e.Name()
		pkg := "generators/" + dir
		if slices.Contains(shared, pkg) || pkg == "generators/syncwaves" {
			continue
		}
		paths, _ := imports(t, dir)
		for _, p := range paths {
			if !strings.HasPrefix(p, module) {
				continue
			}
			p = strings.TrimPrefix(p, module)
			if strings.HasPrefix(p, "generators/") && !slices.Contains(shared, p) && p != pkg { // pkg: its external tests
				t.Errorf("%s imports %s: generators share facts through catalog and names through naming", pkg, p)
			}
		}
		checked++
	}
	assert.GreaterOrEqual(t, checked, len(registry)+len(transformers), "every generator and transformer package checked")
}

// TestWavePassNamesNoGenerator: the sync-wave pass knows phases and the
// graph, never a generator: it imports none and no generator's name
// appears in it.
func TestWavePassNamesNoGenerator(t *testing.T) {
	paths, literals := imports(t, "syncwaves")
	for _, p := range paths {
		p = strings.TrimPrefix(p, module)
		if strings.HasPrefix(p, "generators/") && !slices.Contains(shared, p) && p != "generators/syncwaves" {
			// The external test package may use the registry.
			if p == "generators" {
				continue
			}
			t.Errorf("syncwaves imports %s", p)
		}
	}
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
