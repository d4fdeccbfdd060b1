package postgres_test

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/novagen/novagen/internal/testtool"
)

// server is the throwaway PostgreSQL that run.sh started, reached with
// the standard PG* variables it exported (the admin's credentials).
type server struct {
	psql, busybox string
	host, port    string
	admin, pass   string
}

// connect returns the server, or skips: only run.sh starts one.
func connect(t *testing.T) *server {
	t.Helper()
	if os.Getenv("NOVAGEN_POSTGRES_TEST") != "1" {
		t.Skip("needs a PostgreSQL 15 server: run test/postgres/run.sh (make postgres-test)")
	}
	return &server{
		psql:    testtool.Require(t, "psql"),
		busybox: testtool.Require(t, "busybox"),
		host:    os.Getenv("PGHOST"),
		port:    os.Getenv("PGPORT"),
		admin:   os.Getenv("PGUSER"),
		pass:    os.Getenv("PGPASSWORD"),
	}
}

// result is what one program run printed.
type result struct {
	stdout, stderr string
	err            error
}

func (r result) String() string {
	return fmt.Sprintf("err=%v\nstdout:\n%s\nstderr:\n%s", r.err, r.stdout, r.stderr)
}

// run runs a program with exactly env (plus PATH), so no PG* variable of
// the test process leaks into a run meant to connect as someone else.
func run(env []string, name string, args ...string) result {
	cmd := exec.Command(name, args...)
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH")}, env...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	return result{out.String(), errb.String(), err}
}

// env connects as user with password to db.
func (s *server) env(user, password, db string) []string {
	return []string{"PGHOST=" + s.host, "PGPORT=" + s.port, "PGUSER=" + user, "PGPASSWORD=" + password, "PGDATABASE=" + db}
}

// as runs SQL as user on db: unaligned, tuples only, stop at the first
// error, no psqlrc.
func (s *server) as(user, password, db, sql string) result {
	return run(s.env(user, password, db), s.psql, "-X", "-At", "-v", "ON_ERROR_STOP=1", "-c", sql)
}

// admin runs SQL as the superuser and fails the test on error.
func (s *server) adminSQL(t *testing.T, db, sql string) string {
	t.Helper()
	r := s.as(s.admin, s.pass, db, sql)
	if r.err != nil {
		t.Fatalf("as admin on %s: %s\n%s", db, sql, r)
	}
	return r.stdout
}

// ident quotes an SQL identifier for the test's own statements.
func ident(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }
