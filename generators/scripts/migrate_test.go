package scripts

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/novagen/novagen/internal/testtool"
	"github.com/novagen/novagen/naming"
)

// runWith runs script under busybox sh (the shell of the images that run
// it) with fake programs from dir first on PATH.
func runWith(t *testing.T, script, dir string, env ...string) (stdout, stderr string, err error) {
	t.Helper()
	busybox := testtool.Require(t, "busybox")
	cmd := exec.Command(busybox, "sh", "-c", script)
	cmd.Env = append([]string{"PATH=" + dir + string(os.PathListSeparator) + os.Getenv("PATH")}, env...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err = cmd.Run()
	return out.String(), errb.String(), err
}

// fake writes an executable shell script name into dir.
func fake(t *testing.T, dir, name, body string) {
	t.Helper()
	require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte("#!/bin/sh\n"+body), 0o755))
}

func migrateEnv(dir string) []string {
	return []string{
		EnvMigrateStep + "=3", EnvMigrateTotal + "=14", EnvMigrateService + "=media-service",
		EnvMigrateSource + "=" + dir, naming.EnvDatabaseURL + "=postgres://u:secret@h/db",
	}
}

func TestMigrate(t *testing.T) {
	tests := []struct {
		name, sqlx string
		fails      bool
		want       string
	}{
		{
			name: "applies two",
			// sqlx 0.8 prints one line per migration it ran.
			sqlx: `[ "$1 $2 $3" = "migrate run --source" ] || { echo "bad args: $*" >&2; exit 2; }
[ -n "$DATABASE_URL" ] || exit 3
echo "Applied 20240101000000/migrate create users (12.3ms)"
echo "Applied 20240102000000/migrate add index (1.1ms)"
`,
			want: "[3/14] media-service: applied 2 migrations\n",
		},
		{name: "nothing pending", sqlx: "exit 0\n", want: "[3/14] media-service: applied 0 migrations\n"},
		{name: "fails", sqlx: `echo "error: while executing migration 20240102000000: relation exists"; exit 1` + "\n", fails: true,
			want: "[3/14] media-service: sqlx migrate run failed\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			fake(t, dir, "sqlx", tt.sqlx)
			out, errOut, err := runWith(t, Migrate, dir, migrateEnv(dir)...)
			if tt.fails {
				require.Error(t, err)
				assert.Contains(t, errOut, "relation exists", "sqlx's own message is shown")
				assert.Contains(t, errOut, tt.want)
				return
			}
			require.NoError(t, err, errOut)
			assert.Contains(t, out, "[3/14] media-service: migrating from "+dir+"\n")
			assert.Contains(t, out, tt.want)
			assert.NotContains(t, out+errOut, "secret", "the URL's password is never printed")
		})
	}
}

func TestRunSQLFiles(t *testing.T) {
	env := func(dir string) []string {
		return []string{EnvSQLDir + "=" + dir, "PGHOST=pg", "PGPORT=5432"}
	}
	t.Run("runs every file in order", func(t *testing.T) {
		bin, sql := t.TempDir(), t.TempDir()
		for _, f := range []string{"02-b.sql", "01-a.sql", "notes.txt"} {
			require.NoError(t, os.WriteFile(filepath.Join(sql, f), nil, 0o644))
		}
		fake(t, bin, "psql", `echo "psql $*"`+"\n")
		out, errOut, err := runWith(t, RunSQLFiles, bin, env(sql)...)
		require.NoError(t, err, errOut)
		assert.Equal(t, "[1/2] 01-a.sql\npsql -X -v ON_ERROR_STOP=1 -f "+sql+"/01-a.sql\n"+
			"[2/2] 02-b.sql\npsql -X -v ON_ERROR_STOP=1 -f "+sql+"/02-b.sql\n"+
			"db-init: 2 scripts applied to pg:5432\n", out)
	})
	t.Run("stops at the first failure", func(t *testing.T) {
		bin, sql := t.TempDir(), t.TempDir()
		for _, f := range []string{"01-a.sql", "02-b.sql"} {
			require.NoError(t, os.WriteFile(filepath.Join(sql, f), nil, 0o644))
		}
		fake(t, bin, "psql", "exit 3\n")
		out, errOut, err := runWith(t, RunSQLFiles, bin, env(sql)...)
		require.Error(t, err)
		assert.Equal(t, "[1/2] 01-a.sql\n", out)
		assert.Contains(t, errOut, "[1/2] 01-a.sql failed")
	})
	t.Run("no scripts", func(t *testing.T) {
		_, errOut, err := runWith(t, RunSQLFiles, t.TempDir(), env(t.TempDir())...)
		require.Error(t, err)
		assert.Contains(t, errOut, "no *.sql file")
	})
}

func TestPostgresScriptsShellcheck(t *testing.T) {
	shellcheckClean(t, map[string]string{"Migrate": Migrate, "MigrationsDone": MigrationsDone, "RunSQLFiles": RunSQLFiles})
}

// shellcheckClean fails the test for every finding of shellcheck (POSIX
// sh) in the named scripts.
func shellcheckClean(t *testing.T, named map[string]string) {
	t.Helper()
	shellcheck := testtool.Require(t, "shellcheck")
	for name, script := range named {
		cmd := exec.Command(shellcheck, "--shell=sh", "-")
		cmd.Stdin = bytes.NewBufferString(script)
		out, err := cmd.CombinedOutput()
		assert.NoError(t, err, "%s:\n%s", name, out)
	}
}

func TestClickHouseScriptShellcheck(t *testing.T) {
	shellcheckClean(t, map[string]string{"ClickHouseSchema": ClickHouseSchema})
}
