package postgres_test

import (
	"strconv"
	"strings"
	"testing"
	"text/template"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/novagen/novagen/catalog"
	"github.com/novagen/novagen/generators/secrets"
	"github.com/novagen/novagen/naming"
)

// checkAccessMatrix tries every login role on every catalog database:
// it connects to its own and is refused by every other for lack of
// privilege (not for a wrong password). An owner creates a table in its
// own database, but neither a schema nor a database.
func (f *fixture) checkAccessMatrix(t *testing.T) {
	own, foreign, denied, created := 0, 0, 0, 0
	for _, l := range f.logins {
		pw := password(l.Role)
		for _, db := range f.dbs {
			r := f.srv.as(l.Role, pw, db, "SELECT current_user || '@' || current_database()")
			switch {
			case db == l.Database && r.err == nil:
				own++
				assert.Equal(t, l.Role+"@"+db, strings.TrimSpace(r.stdout))
			case db == l.Database:
				t.Errorf("%s cannot connect to its own database %s:\n%s", l.Role, db, r)
			case r.err == nil:
				foreign++
				t.Errorf("%s connected to %s, which is not its database", l.Role, db)
			default:
				denied++
				assert.Contains(t, r.stderr, "permission denied for database", "%s on %s: refused for another reason:\n%s", l.Role, db, r)
			}
		}
		if l.Service == nil {
			continue
		}
		r := f.srv.as(l.Role, pw, l.Database, "CREATE TABLE owner_probe (id int); INSERT INTO owner_probe VALUES (1)")
		if assert.NoError(t, r.err, "%s cannot create a table in %s:\n%s", l.Role, l.Database, r) {
			created++
		}
		for stmt, want := range map[string]string{
			"CREATE SCHEMA novagen_probe":   "permission denied for database",
			"CREATE DATABASE novagen_probe": "permission denied to create database",
		} {
			r := f.srv.as(l.Role, pw, l.Database, stmt)
			if assert.Error(t, r.err, "%s: %s must fail", l.Role, stmt) {
				assert.Contains(t, r.stderr, want)
			}
		}
	}
	t.Logf("access matrix: %d roles x %d databases: %d own-connect ok, %d foreign connects, %d refused; %d of %d owners created a table, none a schema or database",
		len(f.logins), len(f.dbs), own, foreign, denied, created, countOwners(f.logins))
}

func countOwners(ls []catalog.Login) int {
	n := 0
	for _, l := range ls {
		if l.Service != nil {
			n++
		}
	}
	return n
}

// writes are what a reader must not be able to do; %s is a table it can
// read.
var writes = []string{
	"INSERT INTO %s VALUES (9)",
	"UPDATE %s SET id = id",
	"DELETE FROM %s",
	"TRUNCATE %s",
	"CREATE TABLE novagen_probe (id int)",
	"CREATE TEMP TABLE novagen_probe (id int)",
	"CREATE SCHEMA novagen_probe",
	"SELECT lo_create(0)",
}

// checkReadOnly: in a read-only database only its reader connects, reads
// every table (from before and after the scripts ran) and writes nothing;
// the retired role that could write before the scripts cannot connect;
// the data is as the admin left it. A reader of a writable database can
// read the owner's table and write nothing either.
func (f *fixture) checkReadOnly(t *testing.T) {
	for _, l := range f.logins {
		if l.Service != nil {
			continue
		}
		tables := []string{"owner_probe"}
		if f.isReadOnly(l.Database) {
			tables = []string{"legacy_before", "legacy_after"}
		}
		pw := password(l.Role)
		for _, tbl := range tables {
			r := f.srv.as(l.Role, pw, l.Database, "SELECT count(*) FROM "+tbl)
			assert.NoError(t, r.err, "reader %s cannot read %s.%s:\n%s", l.Role, l.Database, tbl, r)
		}
		refused := 0
		for _, w := range writes {
			stmt := strings.ReplaceAll(w, "%s", tables[0])
			r := f.srv.as(l.Role, pw, l.Database, stmt)
			if r.err == nil {
				t.Errorf("reader %s could write to %s: %s", l.Role, l.Database, stmt)
				continue
			}
			assert.Contains(t, r.stderr, "permission denied", "reader %s: %s failed for another reason", l.Role, stmt)
			refused++
		}
		t.Logf("reader %s of %s: read %s; %d of %d writes refused", l.Role, l.Database, strings.Join(tables, ", "), refused, len(writes))
	}
	for _, db := range f.readOnly {
		role := f.retired[db]
		r := f.srv.as(role, role, db, "SELECT 1")
		if assert.Error(t, r.err, "retired role %s still connects to %s", role, db) {
			assert.Contains(t, r.stderr, "permission denied for database")
		}
		assert.Equal(t, "1\n", f.srv.adminSQL(t, db, "SELECT count(*) FROM legacy_before"), "data of %s changed", db)
		connect := 0
		for _, l := range f.logins {
			if l.Database == db {
				connect++
			}
		}
		t.Logf("read-only %s: %d of %d catalog roles may connect (a declared reader only), retired role %s refused, data unchanged", db, connect, len(f.logins), role)
	}
}

// checkDatabaseURLs renders each Secret's DATABASE_URL template as the
// External Secrets Operator would (text/template; sprig's replace), with
// the test password, and connects with it: the URL's escaping is what
// libpq expects.
func (f *fixture) checkDatabaseURLs(t *testing.T) {
	pg, _ := f.cat.DatabaseServer()
	catalogAddr := "@" + pg.Host + ":" + strconv.Itoa(int(pg.Port)) + "/"
	funcs := template.FuncMap{"replace": func(old, new, src string) string { return strings.ReplaceAll(src, old, new) }}
	ok := 0
	for _, l := range f.logins {
		tmpl, err := template.New(l.Secret).Funcs(funcs).Parse(secrets.DatabaseURLTemplate(pg, l.Role, l.Database))
		require.NoError(t, err)
		var b strings.Builder
		require.NoError(t, tmpl.Execute(&b, map[string]string{"password": password(l.Role)}))
		url := strings.Replace(b.String(), catalogAddr, "@"+f.srv.host+":"+f.srv.port+"/", 1)
		r := run(nil, f.srv.psql, "-X", "-At", "-c", "SELECT current_user || '@' || current_database()", url)
		if assert.NoError(t, r.err, "DATABASE_URL of %s:\n%s", l.Role, r) {
			assert.Equal(t, l.Role+"@"+l.Database, strings.TrimSpace(r.stdout))
			ok++
		}
	}
	t.Logf("DATABASE_URL: %d of %d templates rendered and connected", ok, len(f.logins))
}

// checkMissingPassword: without one role's password variable the Job
// fails, names the variable and prints no password.
func (f *fixture) checkMissingPassword(t *testing.T) {
	if len(f.logins) == 0 {
		return
	}
	missing := f.logins[len(f.logins)-1].Role
	r := f.runJob(f.passwordEnv(missing))
	require.Error(t, r.err, "the Job succeeded without the password of %s", missing)
	assert.Contains(t, r.stderr, naming.PasswordEnv(missing))
	f.assertNoPasswords(t, r)
	t.Logf("missing %s: the Job fails and names it", naming.PasswordEnv(missing))
}

// assertNoPasswords: a run's output shows no password.
func (f *fixture) assertNoPasswords(t *testing.T, r result) {
	t.Helper()
	for _, l := range f.logins {
		assert.NotContains(t, r.stdout+r.stderr, password(l.Role), "output shows the password of %s", l.Role)
	}
}

func atoi(t *testing.T, s string) int {
	t.Helper()
	n, err := strconv.Atoi(strings.TrimSpace(s))
	require.NoError(t, err)
	return n
}
