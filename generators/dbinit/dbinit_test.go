package dbinit

import (
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"sigs.k8s.io/yaml"

	"github.com/novagen/novagen/catalog"
	"github.com/novagen/novagen/catalog/load"
	"github.com/novagen/novagen/generators/kube"
	"github.com/novagen/novagen/internal/generatortest"
	"github.com/novagen/novagen/render"
)

func TestGolden(t *testing.T) { generatortest.GeneratorCases(t, Generate) }

// The scripts' file names sort in the order they must run: the Job and
// docker-entrypoint-initdb.d both run *.sql in name order.
func TestScriptOrder(t *testing.T) {
	assert.Less(t, ScriptDatabases, ScriptRoles)
	assert.Less(t, ScriptRoles, ScriptExtensions)
}

// TestOrderOfListsDoesNotMatter: reordering spec.databases or
// spec.services is a no-op edit; the ConfigMap and the Job (whose name is
// a hash of its spec) stay byte-identical, so the Job does not run again.
func TestOrderOfListsDoesNotMatter(t *testing.T) {
	data, err := os.ReadFile("../../services.yaml")
	require.NoError(t, err)
	cat, err := parseAtRepo(t, "services.yaml", data)
	require.NoError(t, err)
	want, err := render.Nodes(must(t, cat))
	require.NoError(t, err)

	reordered, err := parseAtRepo(t, "services.yaml", data)
	require.NoError(t, err)
	slices.Reverse(reordered.Spec.Databases)
	slices.Reverse(reordered.Spec.Services)
	// Re-parse from reordered YAML, so the index is built from it.
	b, err := yaml.Marshal(reordered)
	require.NoError(t, err)
	again, err := parseAtRepo(t, "reordered.yaml", b)
	require.NoError(t, err)
	require.NotEqual(t, cat.Spec.Databases[0].Name, again.Spec.Databases[0].Name, "the lists really are reordered")
	got, err := render.Nodes(must(t, again))
	require.NoError(t, err)

	wantBytes, err := render.Bytes(want)
	require.NoError(t, err)
	gotBytes, err := render.Bytes(got)
	require.NoError(t, err)
	assert.Equal(t, string(wantBytes), string(gotBytes))
}

func must(t *testing.T, cat *catalog.Catalog) []kube.Object {
	t.Helper()
	objs, err := Generate(cat)
	require.NoError(t, err)
	return objs
}

// parseAtRepo parses catalog bytes whose relative paths (the proto files)
// are in the repository's root, as services.yaml's are.
func parseAtRepo(t *testing.T, name string, data []byte) (*catalog.Catalog, error) {
	t.Helper()
	root, err := os.OpenRoot(filepath.Join("..", ".."))
	require.NoError(t, err)
	t.Cleanup(func() { root.Close() })
	return load.ParseIn(root, name, data, "")
}
