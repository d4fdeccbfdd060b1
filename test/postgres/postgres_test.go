// Package postgres_test runs the SQL of generator db-init on a real
// PostgreSQL 15, the way the generated Job runs it: the Job's own shell
// script (scripts.RunSQLFiles, under busybox sh) calling psql on each file
// with every password in the environment. run.sh starts the server; see
// README.md. Without it (NOVAGEN_POSTGRES_TEST unset) the test skips.
package postgres_test

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/novagen/novagen/catalog"
	"github.com/novagen/novagen/catalog/load"
	"github.com/novagen/novagen/generators/dbinit"
	"github.com/novagen/novagen/generators/scripts"
	"github.com/novagen/novagen/naming"
)

// catalogs the scripts are generated from: the staging catalog and one of
// valid but awkward names. They share the server; their names differ.
var catalogs = []struct{ name, path string }{
	{"staging", "../../services.yaml"},
	{"awkward-names", "../../generators/dbinit/testdata/awkward-names/catalog.yaml"},
}

func TestInitScripts(t *testing.T) {
	srv := connect(t)
	for _, c := range catalogs {
		t.Run(c.name, func(t *testing.T) {
			cat, err := load.Load(c.path)
			require.NoError(t, err)
			checkCatalog(t, srv, cat)
		})
	}
}

// password is a role's test password: every character that needs quoting
// somewhere (SQL literal, psql, URL userinfo, SCRAM's SASLprep).
func password(role string) string { return role + ` p@ss:w/rd?#[]%+'"\é` }

// fixture is one catalog on the server.
type fixture struct {
	srv      *server
	cat      *catalog.Catalog
	logins   []catalog.Login
	dbs      []string
	dir      string // the ConfigMap's files, as the Job mounts them
	retired  map[string]string
	readOnly []string
}

// newFixture is cat on srv (nil until the server listens), with the
// ConfigMap's files written to f.dir as the Job mounts them.
func newFixture(t *testing.T, srv *server, cat *catalog.Catalog) *fixture {
	t.Helper()
	f := &fixture{srv: srv, cat: cat, logins: cat.Logins(), dir: t.TempDir(), retired: map[string]string{}}
	for _, d := range cat.Spec.Databases {
		f.dbs = append(f.dbs, d.Name)
		if d.ReadOnly {
			f.readOnly = append(f.readOnly, d.Name)
		}
	}
	for name, text := range dbinit.Scripts(cat) {
		require.NoError(t, os.WriteFile(filepath.Join(f.dir, name), []byte(text), 0o644))
	}
	return f
}

func checkCatalog(t *testing.T, srv *server, cat *catalog.Catalog) {
	f := newFixture(t, srv, cat)

	f.legacyBefore(t)
	r := f.runJob(f.passwordEnv(""))
	require.NoError(t, r.err, "first run:\n%s", r)
	f.assertNoPasswords(t, r)
	t.Logf("first run: %s", progress(r.stdout))
	f.legacyAfter(t)

	before := f.snapshot(t)
	r = f.runJob(f.passwordEnv(""))
	require.NoError(t, r.err, "second run:\n%s", r)
	after := f.snapshot(t)
	assert.Equal(t, before, after, "the second run changed the catalog of the server")
	if before == after {
		t.Logf("idempotent: second run left %d lines of catalog state unchanged", strings.Count(before, "\n"))
	}

	f.checkRoleAttributes(t)
	f.checkExtensions(t)
	f.checkAccessMatrix(t)
	f.checkReadOnly(t)
	f.checkDatabaseURLs(t)
	f.checkMissingPassword(t)
}

// passwordEnv is the Job's password variables, all but the one of skip.
func (f *fixture) passwordEnv(skip string) []string {
	var env []string
	for _, l := range f.logins {
		if l.Role != skip {
			env = append(env, naming.PasswordEnv(l.Role)+"="+password(l.Role))
		}
	}
	return env
}

// runJob runs the scripts as the Job does: its script, busybox sh, psql.
func (f *fixture) runJob(passwords []string) result {
	env := append(f.srv.env(f.srv.admin, f.srv.pass, dbinit.MaintenanceDB), scripts.EnvSQLDir+"="+f.dir)
	return run(append(env, passwords...), f.srv.busybox, "sh", "-c", scripts.RunSQLFiles)
}

// legacyBefore gives each read-only database the state of a retired
// service before the scripts ever ran: a table with data, and a role
// that may still connect and write.
func (f *fixture) legacyBefore(t *testing.T) {
	for _, db := range f.readOnly {
		role := "retired_" + db
		f.retired[db] = role
		f.srv.adminSQL(t, "postgres", "CREATE DATABASE "+ident(db))
		f.srv.adminSQL(t, "postgres", "CREATE ROLE "+ident(role)+" LOGIN PASSWORD '"+role+"'")
		f.srv.adminSQL(t, "postgres", "GRANT CONNECT, TEMPORARY ON DATABASE "+ident(db)+" TO "+ident(role))
		f.srv.adminSQL(t, db, "CREATE TABLE legacy_before (id int); INSERT INTO legacy_before VALUES (1); GRANT ALL ON legacy_before TO "+ident(role))
	}
}

// legacyAfter adds a table created after the scripts ran, which readers
// can read only through the default privileges.
func (f *fixture) legacyAfter(t *testing.T) {
	for _, db := range f.readOnly {
		f.srv.adminSQL(t, db, "CREATE TABLE legacy_after (id int); INSERT INTO legacy_after VALUES (2)")
	}
}

// snapshot is the server's catalog state the scripts touch: roles (not
// their password verifiers: each ALTER ROLE ... PASSWORD salts anew),
// memberships, databases and their ACLs, and per database its schemas,
// extensions, default privileges, tables and function ACLs.
func (f *fixture) snapshot(t *testing.T) string {
	var b strings.Builder
	b.WriteString(f.srv.adminSQL(t, "postgres", `
		SELECT rolname, rolsuper, rolinherit, rolcreaterole, rolcreatedb, rolcanlogin, rolreplication, rolbypassrls, rolconnlimit, rolvaliduntil
		  FROM pg_roles ORDER BY rolname;
		SELECT roleid::regrole, member::regrole FROM pg_auth_members ORDER BY 1, 2;
		SELECT setdatabase, setrole::regrole, setconfig FROM pg_db_role_setting ORDER BY 1, 2;
		SELECT datname, datdba::regrole, datacl, datallowconn, datconnlimit FROM pg_database ORDER BY datname;`))
	for _, db := range f.dbs {
		b.WriteString("== " + db + "\n")
		b.WriteString(f.srv.adminSQL(t, db, `
			SELECT nspname, nspowner::regrole, nspacl FROM pg_namespace ORDER BY nspname;
			SELECT extname, extversion, extnamespace::regnamespace, extowner::regrole FROM pg_extension ORDER BY extname;
			SELECT defaclrole::regrole, defaclnamespace, defaclobjtype, defaclacl FROM pg_default_acl ORDER BY 1, 2, 3;
			SELECT relname, relowner::regrole, relacl FROM pg_class WHERE relnamespace = 'public'::regnamespace ORDER BY relname;
			SELECT oid::regprocedure, proacl FROM pg_proc WHERE proacl IS NOT NULL ORDER BY 1;`))
	}
	return b.String()
}

// checkRoleAttributes: every login role logs in and can do nothing else.
func (f *fixture) checkRoleAttributes(t *testing.T) {
	var roles []string
	for _, l := range f.logins {
		roles = append(roles, "'"+l.Role+"'")
	}
	if len(roles) == 0 {
		return
	}
	got := f.srv.adminSQL(t, "postgres", `SELECT rolname FROM pg_roles WHERE rolname IN (`+strings.Join(roles, ",")+`)
		AND (rolsuper OR rolcreatedb OR rolcreaterole OR rolreplication OR rolbypassrls OR rolinherit OR NOT rolcanlogin)`)
	assert.Empty(t, got, "roles with more than LOGIN")
	n := f.srv.adminSQL(t, "postgres", `SELECT count(*) FROM pg_roles WHERE rolname IN (`+strings.Join(roles, ",")+`)`)
	assert.Equal(t, len(roles), atoi(t, n), "every login role exists")
	t.Logf("roles: %d login roles, none SUPERUSER, CREATEDB, CREATEROLE, REPLICATION, BYPASSRLS or INHERIT", len(roles))
}

// checkExtensions: the catalog's extensions exist in every database.
func (f *fixture) checkExtensions(t *testing.T) {
	want := f.cat.Spec.Infrastructure.Postgres.Extensions
	for _, db := range f.dbs {
		got := strings.Fields(f.srv.adminSQL(t, db, "SELECT extname FROM pg_extension"))
		for _, e := range want {
			assert.Contains(t, got, e, "extension %s in %s", e, db)
		}
	}
	t.Logf("extensions: %s in all %d databases", strings.Join(want, ", "), len(f.dbs))
}

// progress is the Job's own log lines ([n/3] file, db-init: ...), not psql's.
func progress(out string) string {
	var keep []string
	for _, l := range strings.Split(out, "\n") {
		if strings.HasPrefix(l, "[") || strings.HasPrefix(l, "db-init:") {
			keep = append(keep, l)
		}
	}
	return strings.Join(keep, "; ")
}

func (f *fixture) isReadOnly(db string) bool { return slices.Contains(f.readOnly, db) }
