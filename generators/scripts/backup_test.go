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

// fakeAWS is an aws that logs each call (without --endpoint-url) to
// $AWS_LOG, answers list-objects-v2 with the keys in $AWS_KEYS and
// "downloads" by writing $DOWNLOAD_BODY (default: the key) into the
// target file.
const fakeAWS = `[ "$1" = --endpoint-url ] || exit 9
shift 2
echo "$*" >>"$AWS_LOG"
case "$1 $2" in
"s3api list-objects-v2") cat "$AWS_KEYS" ;;
"s3 cp")
  for last; do :; done
  case "${last}" in s3://*) ;; *) printf '%s\n' "${DOWNLOAD_BODY:-$4}" >"${last}" ;; esac ;;
esac
`

// TestBackupUploadRetention: every file and then COMPLETE are uploaded;
// of the complete backups (an incomplete one and other prefixes ignored)
// the oldest beyond the retention are deleted, COMPLETE first.
func TestBackupUploadRetention(t *testing.T) {
	bin, dir, log := t.TempDir(), t.TempDir(), filepath.Join(t.TempDir(), "log")
	fake(t, bin, "aws", fakeAWS)
	keys := filepath.Join(t.TempDir(), "keys")
	require.NoError(t, os.WriteFile(keys, []byte("p/20260101T000000Z/COMPLETE\tp/20260101T000000Z/a.dump\tp/20260103T000000Z/COMPLETE\tp/20260102T000000Z/COMPLETE\tp/29990101T000000Z/a.dump\tp/x/20260100T000000Z/COMPLETE\n"), 0o644))
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "20260103T000000Z"), 0o755))
	for name, body := range map[string]string{"DATABASES": "a\nb\n", "a.dump": "", "b.dump": "", "globals.sql": ""} {
		require.NoError(t, os.WriteFile(filepath.Join(dir, "20260103T000000Z", name), []byte(body), 0o644))
	}
	require.NoError(t, os.WriteFile(filepath.Join(dir, BackupStampFile), []byte("20260103T000000Z\n"), 0o644))
	stdout, stderr, err := runWith(t, BackupUpload, bin, "HOME="+t.TempDir(), "AWS_LOG="+log, "AWS_KEYS="+keys,
		EnvBackupDir+"="+dir, EnvBackupRetention+"=2", EnvS3Endpoint+"=https://s3", EnvS3Bucket+"=b", EnvS3Prefix+"=p")
	require.NoError(t, err, stderr)
	calls, err := os.ReadFile(log)
	require.NoError(t, err)
	want := strings.Join([]string{
		"s3 cp --only-show-errors " + dir + "/20260103T000000Z/globals.sql s3://b/p/20260103T000000Z/globals.sql",
		"s3 cp --only-show-errors " + dir + "/20260103T000000Z/a.dump s3://b/p/20260103T000000Z/a.dump",
		"s3 cp --only-show-errors " + dir + "/20260103T000000Z/b.dump s3://b/p/20260103T000000Z/b.dump",
		"s3 cp --only-show-errors " + dir + "/20260103T000000Z/DATABASES s3://b/p/20260103T000000Z/COMPLETE",
		"s3api list-objects-v2 --bucket b --prefix p/ --query Contents[?ends_with(Key, '/COMPLETE')].Key --output text",
		"s3 rm --only-show-errors s3://b/p/20260101T000000Z/COMPLETE",
		"s3 rm --only-show-errors --recursive s3://b/p/20260101T000000Z/",
	}, "\n") + "\n"
	assert.Equal(t, want, string(calls))
	assert.Contains(t, stdout, "backup: 2 complete backups kept")
}

// TestRestoreDownloadLatest: latest is the newest complete backup; a
// database the backup lacks is an error naming those it has.
func TestRestoreDownloadLatest(t *testing.T) {
	bin, dir, log := t.TempDir(), t.TempDir(), filepath.Join(t.TempDir(), "log")
	fake(t, bin, "aws", fakeAWS)
	keys := filepath.Join(t.TempDir(), "keys")
	require.NoError(t, os.WriteFile(keys, []byte("p/20260102T000000Z/COMPLETE\tp/20260101T000000Z/COMPLETE\tp/29990101T000000Z/a.dump\n"), 0o644))
	env := []string{"HOME=" + t.TempDir(), "AWS_LOG=" + log, "AWS_KEYS=" + keys, "DOWNLOAD_BODY=a",
		EnvRestoreDir + "=" + dir, EnvBackupStamp + "=latest", EnvS3Endpoint + "=https://s3", EnvS3Bucket + "=b", EnvS3Prefix + "=p"}
	stdout, stderr, err := runWith(t, RestoreDownload, bin, append(env, EnvRestoreDBs+"=a")...)
	require.NoError(t, err, stderr)
	assert.Contains(t, stdout, "restore: downloaded backup 20260102T000000Z: a")
	_, stderr, err = runWith(t, RestoreDownload, bin, append(env, EnvRestoreDBs+"=b")...)
	require.Error(t, err)
	assert.Contains(t, stderr, "restore: backup 20260102T000000Z has no database b; it has: a")
}
