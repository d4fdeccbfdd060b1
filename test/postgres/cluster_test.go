package postgres_test

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/novagen/novagen/internal/testtool"
)

// cluster is a throwaway PostgreSQL 15 data directory of a test's own,
// made the way the postgres image makes it (initdb with the admin user;
// the generated server mounts no init scripts, so nothing else runs on
// its first start), served over TCP.
type cluster struct {
	t               *testing.T
	as              []string // runuser prefix when the test runs as root
	bin             string   // directory of initdb, pg_ctl
	dir, data, sock string
	port            string
	admin, password string
	psql, busybox   string
	started         bool
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

// start starts the server on 127.0.0.1.
func (c *cluster) start() {
	c.t.Helper()
	c.mustRun(filepath.Join(c.bin, "pg_ctl"), "-D", c.data, "-l", filepath.Join(c.dir, "server.log"), "-w", "-t", "60",
		"-o", fmt.Sprintf("-c listen_addresses=127.0.0.1 -k %s -p %s -c fsync=off", c.sock, c.port), "start")
	c.started = true
}

func (c *cluster) stop() {
	if !c.started {
		return
	}
	argv := append(append([]string{}, c.as...), filepath.Join(c.bin, "pg_ctl"), "-D", c.data, "-m", "fast", "-w", "stop")
	_ = exec.Command(argv[0], argv[1:]...).Run()
	c.started = false
}

// server is the cluster as a test server, once started.
func (c *cluster) server() *server {
	if !c.started {
		c.t.Fatal("the cluster is not started")
	}
	return &server{psql: c.psql, busybox: c.busybox, host: "127.0.0.1", port: c.port, admin: c.admin, pass: c.password}
}
