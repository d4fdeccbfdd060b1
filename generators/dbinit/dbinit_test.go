package dbinit

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/novagen/novagen/internal/generatortest"
	"github.com/novagen/novagen/schema"
)

func TestGolden(t *testing.T) { generatortest.GeneratorCases(t, Generate) }

// A service named "public" passes the catalog schema, but PostgreSQL
// reserves the role name: the generator says so instead of emitting a
// script that fails on the server.
func TestReservedRoleName(t *testing.T) {
	path := filepath.Join(t.TempDir(), "catalog.yaml")
	require.NoError(t, os.WriteFile(path, []byte(`apiVersion: catalog.nova.dev/v1alpha1
kind: ServiceCatalog
metadata: {name: r}
spec:
  namespace: r
  defaults: {image: {registry: registry.example/r, tag: "1"}}
  infrastructure: {postgres: {}}
  databases: [{name: d}]
  services: [{name: public, database: d, dependsOn: [postgres]}]
`), 0o644))
	cat, err := schema.Load(path)
	require.NoError(t, err)
	_, err = Generate(cat)
	assert.ErrorContains(t, err, `role "public": reserved in PostgreSQL`)
}

// The scripts' file names sort in the order they must run: the Job and
// docker-entrypoint-initdb.d both run *.sql in name order.
func TestScriptOrder(t *testing.T) {
	assert.Less(t, ScriptDatabases, ScriptRoles)
	assert.Less(t, ScriptRoles, ScriptExtensions)
}
