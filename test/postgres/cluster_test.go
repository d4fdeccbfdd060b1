package postgres_test

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"testing"

	"github.com/novagen/novagen/internal/testtool"
)

// cluster is a throwaway PostgreSQL 15 data directory of a test's own,
// started the way the postgres image starts it: first a server on a unix
// socket only (where the image's entrypoint runs the init scripts), then
// the server clients reach over TCP.
type cluster struct {
	t                *testing.T
	as               []string // runuser prefix when the test runs as root
	bin              string   // directory of initdb, pg_ctl
	dir, data, sock  string
	port             string
	admin, password  string
	psql, busybox    string
	started, overTCP bool
}

// newCluster runs initdb as the image's entrypoint does (the admin user
// and its password) in a temporary directory and returns the cluster,
// stopped. It shares the tools connect found.
func newCluster(t *testing.T, base *server) *cluster {
	t.Helper()
	initdb, err := exec.LookPath("initdb")
	if err != nil {
		t.Fatalf("initdb not on PATH (run.sh puts PostgreSQL 15's bin first): %v", err)
	}
	c := &cluster{t: t, bin: filepath.Dir(initdb), admin: "postgres", password: "entrypoint-admin-secret",
		psql: base.psql, busybox: base.busybox}
	c.dir, err = os.MkdirTemp("", "novagen-pg-cluster-")
	if err != nil {
		t.Fatal(err)
	}
	c.data, c.sock = filepath.Join(c.dir, "data"), filepath.Join(c.dir, "sock")
	if os.Geteuid() == 0 {
		name := os.Getenv("PG_TEST_USER")
		if name == "" {
			name = "postgres"
		}
		u, err := user.Lookup(name)
		if err != nil {
			t.Fatalf("running as root but user %s does not exist (set PG_TEST_USER): %v", name, err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		if err := os.Chown(c.dir, uid, gid); err != nil {
			t.Fatal(err)
		}
		c.as = []string{"runuser", "-u", name, "--"}
	}
	t.Cleanup(c.stop)
	t.Cleanup(func() { os.RemoveAll(c.dir) })
	c.mustRun("mkdir", "-p", c.sock)
	pwfile := filepath.Join(c.dir, "pwfile")
	c.mustRun("sh", "-c", `umask 077 && printf '%s\n' "$1" > "$2"`, "sh", c.password, pwfile)
	// The image: initdb --username=$POSTGRES_USER --pwfile, local trust;
	// its entrypoint then asks for a password over TCP.
	c.mustRun(initdb, "-D", c.data, "-U", c.admin, "--pwfile="+pwfile, "--auth-local=trust", "--auth-host=scram-sha-256",
		"--encoding=UTF8", "--locale=C.UTF-8", "--no-instructions")
	c.port = strconv.Itoa(testtool.FreePort(t))
	return c
}

// mustRun runs a command as the cluster's user.
func (c *cluster) mustRun(name string, args ...string) {
	c.t.Helper()
	argv := append(append(append([]string{}, c.as...), name), args...)
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Dir = c.dir
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		c.t.Fatalf("%v: %v\n%s", argv, err, out.String())
	}
}

// start starts the server: on the socket only (the entrypoint's first
// start) or on 127.0.0.1 too.
func (c *cluster) start(tcp bool) {
	c.t.Helper()
	listen := "''"
	if tcp {
		listen = "127.0.0.1"
	}
	c.mustRun(filepath.Join(c.bin, "pg_ctl"), "-D", c.data, "-l", filepath.Join(c.dir, "server.log"), "-w", "-t", "60",
		"-o", fmt.Sprintf("-c listen_addresses=%s -k %s -p %s -c fsync=off", listen, c.sock, c.port), "start")
	c.started, c.overTCP = true, tcp
}

func (c *cluster) stop() {
	if !c.started {
		return
	}
	argv := append(append([]string{}, c.as...), filepath.Join(c.bin, "pg_ctl"), "-D", c.data, "-m", "fast", "-w", "stop")
	_ = exec.Command(argv[0], argv[1:]...).Run()
	c.started = false
}

// runInitScripts does what the postgres image's entrypoint does with
// /docker-entrypoint-initdb.d on a first start: every *.sql, in name
// order, through psql on the socket, as POSTGRES_USER, with the
// container's environment (here: the password variables).
func (c *cluster) runInitScripts(dir string, env []string) result {
	c.t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.sql"))
	if err != nil {
		c.t.Fatal(err)
	}
	sort.Strings(files)
	var all result
	for _, f := range files {
		r := run(append([]string{"PGHOST=" + c.sock, "PGPORT=" + c.port}, env...), c.psql,
			"-v", "ON_ERROR_STOP=1", "--username", c.admin, "--no-password", "--no-psqlrc", "--dbname", "postgres", "-f", f)
		all.stdout += r.stdout
		all.stderr += r.stderr
		if r.err != nil {
			all.err = fmt.Errorf("%s: %w", filepath.Base(f), r.err)
			return all
		}
	}
	return all
}

// server is the cluster as a test server, once it listens on TCP.
func (c *cluster) server() *server {
	if !c.overTCP {
		c.t.Fatal("the cluster does not listen on TCP yet")
	}
	return &server{psql: c.psql, busybox: c.busybox, host: "127.0.0.1", port: c.port, admin: c.admin, pass: c.password}
}
