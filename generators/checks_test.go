package generators

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/novagen/novagen/catalog/load"
)

// TestChecks: the registry hands the loader the checks of db-init and
// migrations, and every generator's golden catalog passes all of them, so
// the generators' own tests (internal/generatortest, which cannot import
// this registry: the generators' tests use it) load what the commands
// would.
func TestChecks(t *testing.T) {
	require.Len(t, Default().Checks(), 2, "db-init's and migrations' checks")
	var _ []load.Check = Default().Checks() // what load.Options takes
	catalogs, err := filepath.Glob(filepath.Join("*", "testdata", "*", "catalog.yaml"))
	require.NoError(t, err)
	require.NotEmpty(t, catalogs)
	for _, path := range catalogs {
		cat, err := load.Load(path)
		require.NoError(t, err, path)
		for _, check := range Default().Checks() {
			require.Empty(t, check(cat), path)
		}
	}
}

// TestCheckLocatesALongPartition: the loader's error corpus case of a
// partition name that fits the loader's limit but not db-init's CronJob
// name loads without the checks and fails with them, as its golden
// report says.
func TestCheckLocatesALongPartition(t *testing.T) {
	dir := filepath.Join("..", "catalog", "load")
	const name = "testdata/errors/postgres-partition-too-long"
	path := filepath.Join(dir, name+".yaml")
	_, err := load.Load(path)
	require.NoError(t, err, "the loader alone accepts it")
	want, err := os.ReadFile(filepath.Join(dir, name+".err"))
	require.NoError(t, err)
	_, err = load.Options{Checks: Default().Checks()}.Load(path)
	require.Error(t, err)
	require.Equal(t, string(want), strings.ReplaceAll(err.Error(), filepath.ToSlash(dir)+"/", "")+"\n")
}
