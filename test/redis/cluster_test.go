package redis_test

// The harness: real redis-server processes on loopback, each started by
// the generated start script exactly as the pod starts it (its command
// under busybox sh, its environment, its UID without a passwd entry),
// with only the pod's addresses and paths pointed elsewhere.

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"

	"github.com/novagen/novagen/catalog"
	"github.com/novagen/novagen/catalog/load"
	redisgen "github.com/novagen/novagen/generators/redis"
	"github.com/novagen/novagen/generators/scripts"
	"github.com/novagen/novagen/internal/testtool"
	"github.com/novagen/novagen/naming"
)

// Environment run.sh sets.
const (
	envRun = "NOVAGEN_REDIS_TEST"
	envDir = "NOVAGEN_REDIS_TEST_DIR"
)

// password is the Secret's value: characters that need quoting in sh,
// in redis.conf and on redis-server's command line.
const password = `n0va p@ss "q" 'q' $HOME \x # ;`

// tools are the programs the scripts and the test run.
type tools struct {
	setpriv, busybox, redisCLI, unshare string
	root                                string // where the clusters keep their files
}

func needTools(t *testing.T) *tools {
	t.Helper()
	if os.Getenv(envRun) != "1" {
		// make test runs this package too; make redis-test runs it for real.
		t.Skip("needs redis-server 7: run test/redis/run.sh (make redis-test)")
	}
	if os.Geteuid() != 0 {
		msg := "running the scripts as the pods' UIDs needs root (setpriv)"
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	tl := &tools{
		setpriv:  testtool.Require(t, "setpriv"),
		busybox:  testtool.Require(t, "busybox"),
		redisCLI: testtool.Require(t, "redis-cli"),
		unshare:  testtool.Require(t, "unshare"),
	}
	for _, p := range []string{"redis-server", "getent", "timeout", "awk", "mount", "chroot"} {
		testtool.Require(t, p)
	}
	tl.root = os.Getenv(envDir)
	if tl.root == "" {
		t.Fatalf("%s is not set", envDir)
	}
	return tl
}

// requireUnlisted fails unless uid has no passwd entry, as in the pods.
func requireUnlisted(t *testing.T, uid int64) {
	t.Helper()
	if u, err := user.LookupId(strconv.FormatInt(uid, 10)); err == nil {
		t.Fatalf("UID %d is %q in /etc/passwd here; the test needs a UID without an entry, as in the pod", uid, u.Username)
	}
}

// rendered is what generator redis made of a catalog.
type rendered struct {
	cat       *catalog.Catalog
	conf      string           // redis.conf from the ConfigMap
	start     corev1.Container // the StatefulSet's redis container
	startUID  int64
	init      corev1.Container // the Job's container
	initUID   int64
	jobPolicy bool
}

func render(t *testing.T, path string) *rendered {
	t.Helper()
	cat, err := load.Load(path)
	require.NoError(t, err)
	objs, err := redisgen.Generate(cat)
	require.NoError(t, err)
	r := &rendered{cat: cat}
	for _, o := range objs {
		switch v := o.(type) {
		case *corev1.ConfigMap:
			r.conf = v.Data[redisgen.ConfigKey]
		case *appsv1.StatefulSet:
			spec := v.Spec.Template.Spec
			require.Len(t, spec.Containers, 1)
			r.start, r.startUID = spec.Containers[0], *spec.SecurityContext.RunAsUser
		case *batchv1.Job:
			spec := v.Spec.Template.Spec
			require.Len(t, spec.Containers, 1)
			r.init, r.initUID = spec.Containers[0], *spec.SecurityContext.RunAsUser
		}
	}
	require.NotEmpty(t, r.conf, "redis.conf")
	require.NotEmpty(t, r.start.Name, "the StatefulSet")
	require.NotEmpty(t, r.init.Name, "the init Job")
	return r
}

// script is a container's shell script: command [/bin/sh, -c, SCRIPT].
func script(t *testing.T, c corev1.Container) string {
	t.Helper()
	require.Len(t, c.Command, 3, "%s: command", c.Name)
	require.Equal(t, []string{"/bin/sh", "-c"}, c.Command[:2], "%s: command", c.Name)
	require.Empty(t, c.Args, "%s: args", c.Name)
	return c.Command[2]
}

// environ is a container's environment as the kubelet would give it: the
// Secret's password, the downward API's pod name and IP, values as
// rendered, then overrides (paths); PATH last.
func environ(t *testing.T, c corev1.Container, pod, ip, path string, overrides map[string]string) []string {
	t.Helper()
	var out []string
	seen := map[string]bool{}
	for _, e := range c.Env {
		v := e.Value
		switch {
		case e.ValueFrom == nil:
		case e.ValueFrom.SecretKeyRef != nil:
			require.Equal(t, naming.RedisSecret, e.ValueFrom.SecretKeyRef.Name, e.Name)
			require.Equal(t, naming.KeyPassword, e.ValueFrom.SecretKeyRef.Key, e.Name)
			v = password
		case e.ValueFrom.FieldRef != nil && e.ValueFrom.FieldRef.FieldPath == "metadata.name":
			v = pod
		case e.ValueFrom.FieldRef != nil && e.ValueFrom.FieldRef.FieldPath == "status.podIP":
			v = ip
		default:
			t.Fatalf("%s: env %s from %v: the test cannot provide it", c.Name, e.Name, e.ValueFrom)
		}
		if o, ok := overrides[e.Name]; ok {
			v = o
		}
		seen[e.Name] = true
		out = append(out, e.Name+"="+v)
	}
	for k := range overrides {
		require.True(t, seen[k], "%s: override of %s, which the container does not set", c.Name, k)
	}
	return append(out, "PATH="+path)
}

// node is one redis-server.
type node struct {
	i      int
	ip     string
	port   int
	dir    string
	cmd    *exec.Cmd
	done   chan struct{}
	log    *os.File
	stderr bytes.Buffer
}

func (n *node) addr() string { return net.JoinHostPort(n.ip, strconv.Itoa(n.port)) }

func (n *node) running() bool {
	if n.cmd == nil {
		return false
	}
	select {
	case <-n.done:
		return false
	default:
		return true
	}
}

// cluster is a set of nodes started from one render.
type cluster struct {
	t    *testing.T
	tl   *tools
	r    *rendered
	dir  string
	conf string
	// announce overrides cluster-announce-hostname (the pods' DNS names
	// do not resolve here); empty keeps the script's own.
	announce string
	path     string // PATH of the scripts
	nodes    []*node
}

func newCluster(t *testing.T, tl *tools, r *rendered, name string, ips []string, ports []int) *cluster {
	t.Helper()
	c := &cluster{t: t, tl: tl, r: r, path: os.Getenv("PATH")}
	c.dir = filepath.Join(tl.root, name)
	require.NoError(t, os.MkdirAll(c.dir, 0o755))
	c.conf = filepath.Join(c.dir, redisgen.ConfigKey)
	require.NoError(t, os.WriteFile(c.conf, []byte(r.conf), 0o644))
	for i := range ips {
		n := &node{i: i, ip: ips[i], port: ports[i], dir: filepath.Join(c.dir, fmt.Sprintf("redis-%d", i))}
		require.NoError(t, os.MkdirAll(n.dir, 0o700))
		uid := int(r.startUID)
		require.NoError(t, os.Chown(n.dir, uid, uid), "the data volume belongs to the pod's fsGroup")
		c.nodes = append(c.nodes, n)
	}
	t.Cleanup(func() {
		for _, n := range c.nodes {
			c.kill(n)
		}
	})
	return c
}

// startAll starts every node and waits until each answers PING.
func (c *cluster) startAll() {
	for _, n := range c.nodes {
		c.start(n)
	}
	for _, n := range c.nodes {
		c.waitUp(n)
	}
}

// start runs the StatefulSet's command for node n as its UID: the
// script and environment as rendered, with POD_NAME, POD_IP and the path
// of redis.conf pointed at n, in a private mount namespace whose root
// (chroot) has the host's programs and n's directory at /data, where the
// pod has its volume: redis.conf's dir and cluster-config-file and the
// script's REDIS_CLUSTER_CONFIG_FILE stay as rendered. (redis-server
// changes into dir while it reads the file, so a --dir argument could not
// replace /data.) redis-server arguments after $0 set only what names the
// pod's network: port, bind and bind-source-addr, and the announced
// hostname when c.announce says.
func (c *cluster) start(n *node) {
	t := c.t
	t.Helper()
	env := environ(t, c.r.start, fmt.Sprintf("redis-%d", n.i), n.ip, c.path, map[string]string{
		scripts.EnvRedisConfigFile: c.conf,
	})
	// bind-source-addr: a pod's connections come from its IP; on a shared
	// loopback the kernel would pick 127.0.0.1 for every node.
	args := []string{"--port", strconv.Itoa(n.port), "--bind", n.ip, "--bind-source-addr", n.ip}
	if c.announce != "" {
		args = append(args, "--cluster-announce-hostname", c.announce)
	}
	root := filepath.Join(c.dir, fmt.Sprintf("root-%d", n.i))
	require.NoError(t, os.MkdirAll(root, 0o755))
	uid := strconv.FormatInt(c.r.startUID, 10)
	argv := append([]string{"--mount", "--propagation", "private", "--", "/bin/sh", "-c", podRoot, "pod-root", root, n.dir,
		c.tl.setpriv, "--reuid=" + uid, "--regid=" + uid, "--clear-groups", "--",
		c.tl.busybox, "sh", "-c", script(t, c.r.start), "redis-start"}, args...)
	log, err := os.OpenFile(filepath.Join(c.dir, fmt.Sprintf("redis-%d.log", n.i)), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	require.NoError(t, err)
	n.log = log
	n.stderr.Reset()
	n.cmd = exec.Command(c.tl.unshare, argv...)
	n.cmd.Env = env
	n.cmd.Dir = "/"
	n.cmd.Stdout = log
	n.cmd.Stderr = &n.stderr
	// Its own process group: a signal to the test is not one to Redis.
	n.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	require.NoError(t, n.cmd.Start())
	pidFile := c.tl.pidFile(t, n.cmd.Process.Pid)
	n.done = make(chan struct{})
	go func(cmd *exec.Cmd, done chan struct{}) {
		_ = cmd.Wait()
		os.Remove(pidFile)
		close(done)
	}(n.cmd, n.done)
}

// pidFile records a started process for run.sh, which kills whatever is
// still running when the test ends however it ends (a timeout's panic
// runs no cleanup): pids/<pid> holds the process's start time (field 22
// of /proc/<pid>/stat), so a PID used again by another process is left
// alone.
func (tl *tools) pidFile(t *testing.T, pid int) string {
	t.Helper()
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	require.NoError(t, err)
	fields := strings.Fields(string(stat[bytes.LastIndexByte(stat, ')')+1:])) // from field 3 on
	require.Greater(t, len(fields), 19)
	dir := filepath.Join(tl.root, "pids")
	require.NoError(t, os.MkdirAll(dir, 0o755))
	path := filepath.Join(dir, strconv.Itoa(pid))
	require.NoError(t, os.WriteFile(path, []byte(fields[19]+"\n"), 0o644))
	return path
}

// podRoot makes the root a node runs in, inside its own mount namespace:
// a tmpfs at $1 with the host's top-level directories (links as links)
// and $2 bound at /data; then it chroots there and execs the rest. It
// runs as root, before setpriv drops to the pod's UID; every process of
// the node is one PID, from unshare to redis-server.
const podRoot = `set -eu
root=$1 data=$2
shift 2
mount -t tmpfs -o mode=755 novagen-pod "${root}"
for d in usr bin sbin lib lib32 lib64 libx32 etc dev proc tmp; do
  if [ -L "/${d}" ]; then
    ln -s "$(readlink "/${d}")" "${root}/${d}"
  elif [ -d "/${d}" ]; then
    mkdir "${root}/${d}"
    mount --rbind "/${d}" "${root}/${d}"
  fi
done
mkdir "${root}/data"
mount --bind "${data}" "${root}/data"
exec chroot "${root}" "$@"
`

// waitUp waits until n answers PING.
func (c *cluster) waitUp(n *node) {
	c.t.Helper()
	c.waitFor(fmt.Sprintf("redis-%d at %s answers PING", n.i, n.addr()), 20*time.Second, func() (bool, string) {
		if !n.running() {
			c.t.Fatalf("redis-%d exited: %s\n%s", n.i, n.stderr.String(), c.tail(n))
		}
		out := cli(c.tl, n, "ping")
		return out == "PONG", out
	})
}

// kill stops n with SIGKILL, as an OOM kill or a lost node would.
func (c *cluster) kill(n *node) { c.stop(n, syscall.SIGKILL) }

// stop sends sig to n and waits until it has exited.
func (c *cluster) stop(n *node, sig syscall.Signal) {
	if !n.running() {
		return
	}
	_ = n.cmd.Process.Signal(sig)
	select {
	case <-n.done:
	case <-time.After(30 * time.Second):
		_ = n.cmd.Process.Kill()
		<-n.done
	}
	n.log.Close()
}

// tail is the end of n's log, for failures.
func (c *cluster) tail(n *node) string {
	b, _ := os.ReadFile(filepath.Join(c.dir, fmt.Sprintf("redis-%d.log", n.i)))
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	return "--- redis-" + strconv.Itoa(n.i) + " log ---\n" + strings.Join(lines[max(0, len(lines)-25):], "\n")
}

func (c *cluster) tails() string {
	var out []string
	for _, n := range c.nodes {
		out = append(out, c.tail(n))
	}
	return strings.Join(out, "\n")
}

// waitFor polls cond every 200 ms until it holds or timeout passes.
func (c *cluster) waitFor(what string, timeout time.Duration, cond func() (bool, string)) {
	c.t.Helper()
	deadline := time.Now().Add(timeout)
	last := ""
	for {
		ok, state := cond()
		if ok {
			return
		}
		last = state
		if time.Now().After(deadline) {
			c.t.Fatalf("waited %v for: %s; last: %s\n%s", timeout, what, last, c.tails())
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// initResult is one run of the init script.
type initResult struct {
	code           int
	stdout, stderr string
	took           time.Duration
}

func (r initResult) String() string {
	return fmt.Sprintf("exit %d after %v\nstdout:\n%s\nstderr:\n%s", r.code, r.took.Round(time.Millisecond), r.stdout, r.stderr)
}

// runInit runs the Job's command as the Job's UID with REDIS_NODES
// pointing at the loopback servers (as hosts, their names or IPs).
func (c *cluster) runInit(hosts []string) initResult {
	t := c.t
	t.Helper()
	var nodes []string
	for i, n := range c.nodes {
		nodes = append(nodes, net.JoinHostPort(hosts[i], strconv.Itoa(n.port)))
	}
	env := environ(t, c.r.init, "", "", c.path, map[string]string{scripts.EnvRedisNodes: strings.Join(nodes, " ")})
	uid := strconv.FormatInt(c.r.initUID, 10)
	ctx, cancel := context.WithTimeout(context.Background(), 7*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, c.tl.setpriv, "--reuid="+uid, "--regid="+uid, "--clear-groups", "--",
		c.tl.busybox, "sh", "-c", script(t, c.r.init))
	cmd.Env = env
	cmd.Dir = "/"
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	began := time.Now()
	err := cmd.Run()
	if err != nil && cmd.ProcessState == nil {
		t.Fatal(err)
	}
	return initResult{code: cmd.ProcessState.ExitCode(), stdout: stdout.String(), stderr: stderr.String(), took: time.Since(began)}
}

// cli runs redis-cli against n with the password in REDISCLI_AUTH, as
// every generated container does, and returns its trimmed output.
func cli(tl *tools, n *node, args ...string) string {
	return cliAs(tl, n, []string{"REDISCLI_AUTH=" + password}, args...)
}

func cliAs(tl *tools, n *node, env []string, args ...string) string {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, tl.redisCLI, append([]string{"-h", n.ip, "-p", strconv.Itoa(n.port)}, args...)...)
	cmd.Env = env
	out, _ := cmd.CombinedOutput()
	return strings.TrimSpace(strings.ReplaceAll(string(out), "\r", ""))
}

// info is one field of CLUSTER INFO on n.
func info(tl *tools, n *node, field string) string {
	for _, l := range strings.Split(cli(tl, n, "cluster", "info"), "\n") {
		if v, ok := strings.CutPrefix(l, field+":"); ok {
			return v
		}
	}
	return ""
}

// clusterOK says whether every node reports cluster_state:ok with all
// slots assigned, and the first that does not.
func (c *cluster) clusterOK() (bool, string) {
	for _, n := range c.nodes {
		st, slots := info(c.tl, n, "cluster_state"), info(c.tl, n, "cluster_slots_assigned")
		if st != "ok" || slots != "16384" {
			return false, fmt.Sprintf("redis-%d: cluster_state:%s cluster_slots_assigned:%s", n.i, st, slots)
		}
	}
	return true, ""
}

func (c *cluster) waitOK(timeout time.Duration) {
	c.t.Helper()
	c.waitFor("cluster_state:ok with 16384 slots on every node", timeout, c.clusterOK)
}

// topology is CLUSTER NODES as n sees it, without what changes on its
// own (ping times, link states, which line is myself): per node its ID,
// address, role, master and slots, sorted.
func topology(tl *tools, n *node) []string {
	var out []string
	for _, l := range strings.Split(cli(tl, n, "cluster", "nodes"), "\n") {
		f := strings.Fields(l)
		if len(f) < 8 {
			continue
		}
		role := "master"
		if slices.Contains(strings.Split(f[2], ","), "slave") {
			role = "replica"
		}
		out = append(out, strings.Join(append([]string{f[0], strings.SplitN(f[1], ",", 2)[0], role, f[3]}, f[8:]...), " "))
	}
	slices.Sort(out)
	return out
}

// roleOf is n's own role in CLUSTER NODES (master or replica) and its
// node ID.
func roleOf(tl *tools, n *node) (role, id string) {
	f := myself(tl, n)
	if len(f) < 3 {
		return "", ""
	}
	if slices.Contains(strings.Split(f[2], ","), "slave") {
		return "replica", f[0]
	}
	return "master", f[0]
}

// replicaOf is n's ID and, when n is a replica, its master's ID.
func replicaOf(tl *tools, n *node) (id, master string) {
	f := myself(tl, n)
	if len(f) < 4 || !slices.Contains(strings.Split(f[2], ","), "slave") {
		return "", ""
	}
	return f[0], f[3]
}

// myself is the fields of n's own line in CLUSTER NODES.
func myself(tl *tools, n *node) []string {
	for _, l := range strings.Split(cli(tl, n, "cluster", "nodes"), "\n") {
		f := strings.Fields(l)
		if len(f) >= 3 && slices.Contains(strings.Split(f[2], ","), "myself") {
			return f
		}
	}
	return nil
}

// freePorts returns n ports that are free, with their bus ports, on
// every ip: never 6379 or anything a system Redis may use.
func freePorts(t *testing.T, count int, ips ...string) []int {
	t.Helper()
	var out []int
	for tries := 0; len(out) < count; tries++ {
		require.Less(t, tries, 1000, "no free ports")
		p := 20000 + rand.IntN(35000)
		if slices.Contains(out, p) || slices.Contains(out, p+redisgen.BusPortOffset) || slices.Contains(out, p-redisgen.BusPortOffset) {
			continue
		}
		free := true
		for _, ip := range ips {
			for _, port := range []int{p, p + redisgen.BusPortOffset} {
				l, err := net.Listen("tcp", net.JoinHostPort(ip, strconv.Itoa(port)))
				if err != nil {
					free = false
					continue
				}
				l.Close()
			}
		}
		if free {
			out = append(out, p)
		}
	}
	return out
}

// confValue is CONFIG GET key on n.
func confValue(tl *tools, n *node, key string) string {
	lines := strings.Split(cli(tl, n, "config", "get", key), "\n")
	if len(lines) != 2 || lines[0] != key {
		return strings.Join(lines, "|")
	}
	return lines[1]
}
