package scripts

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestBackupScriptsShellcheck(t *testing.T) {
	shellcheckClean(t, map[string]string{"BackupDump": BackupDump, "BackupUpload": BackupUpload, "RestoreDownload": RestoreDownload, "Restore": Restore})
}

// TestBackupDumpRefusesHostileNames: a name that is not an identifier
// stops the dump before pg_dump runs at all, whatever it holds.
func TestBackupDumpRefusesHostileNames(t *testing.T) {
	for _, name := range []string{"a;touch${IFS}pwned", "$(touch pwned)", "-fpwned", "../x", "host=evil", "A", "x*"} {
		t.Run(name, func(t *testing.T) {
			dir, out := t.TempDir(), t.TempDir()
			fake(t, dir, "pg_dump", "touch \"$BACKUP_DIR/ran\"\n")
			fake(t, dir, "pg_dumpall", "touch \"$BACKUP_DIR/ran\"\n")
			_, stderr, err := runWith(t, BackupDump, dir, EnvBackupDir+"="+out, EnvBackupDatabases+"=ok "+name)
			require.Error(t, err)
			assert.Contains(t, stderr, "not a lower-case SQL identifier")
			entries, _ := os.ReadDir(out)
			assert.Empty(t, entries, "nothing written")
			_, statErr := os.Stat("pwned")
			assert.True(t, os.IsNotExist(statErr))
		})
	}
}

// TestBackupDumpWritesEveryDatabase: one dump per database, each with
// PGDATABASE set to it, the list and the stamp.
func TestBackupDumpWritesEveryDatabase(t *testing.T) {
	dir, out := t.TempDir(), t.TempDir()
	fake(t, dir, "pg_dump", `[ "$1 $2" = "-Fc -f" ] || exit 2
printf 'dump of %s' "$PGDATABASE" >"$3"
`)
	fake(t, dir, "pg_dumpall", `[ "$1 $2" = "--globals-only --no-role-passwords" ] || exit 2
echo roles >"$4"
`)
	stdout, stderr, err := runWith(t, BackupDump, dir, EnvBackupDir+"="+out, EnvBackupDatabases+"=users orders")
	require.NoError(t, err, stderr)
	stamp, err := os.ReadFile(filepath.Join(out, BackupStampFile))
	require.NoError(t, err)
	s := strings.TrimSpace(string(stamp))
	assert.Regexp(t, `^\d{8}T\d{6}Z$`, s)
	got, err := os.ReadFile(filepath.Join(out, s, "orders.dump"))
	require.NoError(t, err)
	assert.Equal(t, "dump of orders", string(got))
	list, err := os.ReadFile(filepath.Join(out, s, BackupDatabases))
	require.NoError(t, err)
	assert.Equal(t, "users\norders\n", string(list))
	assert.FileExists(t, filepath.Join(out, s, BackupGlobals))
	assert.Contains(t, stdout, "[2/2] orders: 14 bytes")
}
