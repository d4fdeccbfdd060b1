package scripts

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/novagen/novagen/internal/testtool"
	"github.com/novagen/novagen/naming"
)

// These tests run the Redis scripts under busybox sh with fake getent,
// redis-server and redis-cli; test/redis runs them against real Redis.

const redisPassword = `s3cr3t p@ss "$x"`

// fakeRedisServer prints its arguments, one a line, instead of starting.
const fakeRedisServer = `for a in "$@"; do printf '[%s]\n' "$a"; done` + "\n"

// fakeGetent answers getent ahosts from $FAKE_HOSTS (lines "name address").
const fakeGetent = `[ "$1" = ahosts ] || exit 2
found=1
while read -r name addr; do
  if [ "$name" = "$2" ]; then
    printf '%s STREAM %s\n%s DGRAM\n%s RAW\n' "$addr" "$name" "$addr" "$addr"
    found=0
  fi
done <"$FAKE_HOSTS"
exit "$found"
`

func startEnv(dir string) []string {
	return []string{
		EnvPodName + "=redis-0", EnvPodIP + "=10.0.0.99", EnvRedisHeadless + "=redis-headless.ns.svc.cluster.local",
		EnvRedisConfigFile + "=/etc/redis/redis.conf", EnvRedisClusterFile + "=" + filepath.Join(dir, "nodes.conf"),
		naming.EnvRedisPassword + "=" + redisPassword, "FAKE_HOSTS=" + filepath.Join(dir, "hosts"),
	}
}

// runStart runs RedisStart with extra arguments after $0.
func runStart(t *testing.T, bin string, env []string, args ...string) (string, string, error) {
	t.Helper()
	busybox := testtool.Require(t, "busybox")
	cmd := exec.Command(busybox, append([]string{"sh", "-c", RedisStart, "redis-start"}, args...)...)
	cmd.Env = append([]string{"PATH=" + bin + string(os.PathListSeparator) + os.Getenv("PATH")}, env...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	return out.String(), errb.String(), err
}

func TestRedisStartNewNode(t *testing.T) {
	bin, dir := t.TempDir(), t.TempDir()
	fake(t, bin, "redis-server", fakeRedisServer)
	out, errOut, err := runStart(t, bin, startEnv(dir), "--port", "7000")
	require.NoError(t, err, errOut)
	assert.Equal(t, "redis-start: no "+dir+"/nodes.conf: a new node\n"+
		"redis-start: starting redis-server as redis-0.redis-headless.ns.svc.cluster.local (10.0.0.99)\n"+
		"[/etc/redis/redis.conf]\n[--requirepass]\n["+redisPassword+"]\n[--masterauth]\n["+redisPassword+"]\n"+
		"[--cluster-announce-hostname]\n[redis-0.redis-headless.ns.svc.cluster.local]\n[--port]\n[7000]\n", out)
	assert.NotContains(t, errOut, "s3cr3t")
	_, err = os.Stat(filepath.Join(dir, "nodes.conf"))
	assert.True(t, os.IsNotExist(err), "no nodes.conf is made")
}

// TestRedisStartRelocates: the myself line gets POD_IP, every peer whose
// hostname resolves its address in the same family, and everything else
// in nodes.conf stays as Redis wrote it (7.0 and 7.2 formats).
func TestRedisStartRelocates(t *testing.T) {
	bin, dir := t.TempDir(), t.TempDir()
	fake(t, bin, "redis-server", fakeRedisServer)
	fake(t, bin, "getent", fakeGetent)
	h := func(i int) string { return fmt.Sprintf("redis-%d.redis-headless.ns.svc.cluster.local", i) }
	require.NoError(t, os.WriteFile(filepath.Join(dir, "hosts"), []byte(
		h(1)+" 10.0.0.21\n"+h(1)+" fd00::21\n"+h(2)+" fd00::22\n"+h(2)+" 10.0.0.22\n"+h(4)+" fd00::24\n"), 0o644))
	// Each line of nodes.conf, with its address before and after (the
	// same where it must not move).
	lines := []struct{ id, before, after, rest string }{
		{"aaa", "10.0.0.10", "10.0.0.99", ":6379@16379," + h(0) + " myself,master - 0 0 1 connected 0-5460"},
		{"bbb", "10.0.0.11", "10.0.0.21", ":6379@16379," + h(1) + " master - 0 1700000000000 2 connected 5461-10922"},
		{"ccc", "10.0.0.12", "10.0.0.22", ":6379@16379," + h(2) + ",tls-port=0,shard-id=5f3c master - 0 1700000000000 3 connected 10923-16383"},
		{"ddd", "10.0.0.13", "10.0.0.13", ":6379@16379," + h(3) + " slave bbb 0 1700000000000 2 connected"},
		{"eee", "fd00::14", "fd00::24", ":6379@16379," + h(4) + " slave ccc 0 1700000000000 3 connected"},
		{"fff", "10.0.0.15", "10.0.0.15", ":6379@16379 slave aaa 0 1700000000000 1 connected"},
		{"ggg", "", "", ":0@0 noaddr,master - 0 0 0 disconnected"},
		{"vars", "currentEpoch", "currentEpoch", " 3 lastVoteEpoch 0"},
	}
	var before, want string
	for _, l := range lines {
		before += l.id + " " + l.before + l.rest + "\n"
		want += l.id + " " + l.after + l.rest + "\n"
	}
	conf := filepath.Join(dir, "nodes.conf")
	require.NoError(t, os.WriteFile(conf, []byte(before), 0o644))
	out, errOut, err := runStart(t, bin, startEnv(dir))
	require.NoError(t, err, errOut)
	got, err := os.ReadFile(conf)
	require.NoError(t, err)
	assert.Equal(t, want, string(got))
	assert.Contains(t, out, "redis-start: "+conf+": addresses brought up to date\n")
	assert.Contains(t, out, "\n[--requirepass]\n")
	for _, line := range []string{
		h(0) + " (aaa) is now at 10.0.0.99, was 10.0.0.10",
		h(1) + " (bbb) is now at 10.0.0.21, was 10.0.0.11",
		h(3) + " (ddd) does not resolve yet; keeping 10.0.0.13",
		h(4) + " (eee) is now at fd00::24, was fd00::14",
	} {
		assert.Contains(t, errOut, "redis-start: "+line+"\n")
	}
	assert.NotContains(t, errOut, "fff", "a node without a hostname is left alone, silently")
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	assert.Len(t, entries, 2, "no temporary file is left behind: %v", entries)

	// Again: nothing moves, nothing is logged as moved.
	_, errOut, err = runStart(t, bin, startEnv(dir))
	require.NoError(t, err, errOut)
	again, err := os.ReadFile(conf)
	require.NoError(t, err)
	assert.Equal(t, want, string(again))
	assert.NotContains(t, errOut, "is now at")
}

func TestRedisStartNeedsThePodIP(t *testing.T) {
	bin, dir := t.TempDir(), t.TempDir()
	fake(t, bin, "redis-server", fakeRedisServer)
	env := startEnv(dir)
	env[1] = EnvPodIP + "="
	out, errOut, err := runStart(t, bin, env)
	require.Error(t, err)
	assert.Contains(t, errOut, "POD_IP")
	assert.NotContains(t, out, "[--requirepass]")
}

// fakeRedisCLI answers from files in $FAKE: <port>.<command>.<n> is the
// reply to the n-th call of that command on that port and to every later
// call until the next file; --cluster create prints create.out and exits
// with create.rc. Every call is logged to $FAKE/calls.
const fakeRedisCLI = `echo "$*" >>"$FAKE/calls"
if [ "$1" = --cluster ]; then
  cat "$FAKE/create.out"
  exit "$(cat "$FAKE/create.rc")"
fi
[ "$1" = -h ] && [ "$3" = -p ] || exit 9
host=$2 port=$4
shift 4
key="$port.$(echo "$*" | tr ' ' '-')"
n=$(cat "$FAKE/$key.count" 2>/dev/null || echo 0)
n=$((n + 1))
echo "$n" >"$FAKE/$key.count"
while [ "$n" -gt 0 ] && [ ! -e "$FAKE/$key.$n" ]; do n=$((n - 1)); done
if [ "$n" -eq 0 ]; then
  echo "Could not connect to Redis at $host:$port: Connection refused"
  exit 1
fi
cat "$FAKE/$key.$n"
`

// clusterInfo is CLUSTER INFO as redis-cli prints it (CRLF lines).
func clusterInfo(state string, assigned, known int) string {
	return strings.ReplaceAll(fmt.Sprintf("cluster_state:%s\ncluster_slots_assigned:%d\ncluster_slots_ok:%d\ncluster_known_nodes:%d\ncluster_size:3\n",
		state, assigned, assigned, known), "\n", "\r\n")
}

type fakeCluster struct {
	t     *testing.T
	bin   string
	dir   string
	ports []int
}

func newFakeCluster(t *testing.T, nodes int) *fakeCluster {
	f := &fakeCluster{t: t, bin: t.TempDir(), dir: t.TempDir()}
	fake(t, f.bin, "redis-cli", fakeRedisCLI)
	for i := range nodes {
		f.ports = append(f.ports, 7000+i)
	}
	f.create("", 0)
	return f
}

// reply sets the reply of every node to the n-th call of command.
func (f *fakeCluster) reply(command string, n int, text string) {
	for _, p := range f.ports {
		f.replyOn(p, command, n, text)
	}
}

func (f *fakeCluster) replyOn(port int, command string, n int, text string) {
	name := fmt.Sprintf("%d.%s.%d", port, strings.ReplaceAll(command, " ", "-"), n)
	require.NoError(f.t, os.WriteFile(filepath.Join(f.dir, name), []byte(text), 0o644))
}

func (f *fakeCluster) create(out string, rc int) {
	require.NoError(f.t, os.WriteFile(filepath.Join(f.dir, "create.out"), []byte(out), 0o644))
	require.NoError(f.t, os.WriteFile(filepath.Join(f.dir, "create.rc"), []byte(fmt.Sprint(rc)), 0o644))
}

func (f *fakeCluster) nodes() string {
	var out []string
	for i, p := range f.ports {
		out = append(out, fmt.Sprintf("redis-%d.redis-headless.ns.svc.cluster.local:%d", i, p))
	}
	return strings.Join(out, " ")
}

func (f *fakeCluster) run(retries int) (string, string, error) {
	return runWith(f.t, RedisClusterInit, f.bin,
		EnvRedisNodes+"="+f.nodes(), EnvRedisReplicas+"=1", EnvRetries+"="+fmt.Sprint(retries), EnvInterval+"=0",
		EnvRedisCLIAuth+"="+redisPassword, "FAKE="+f.dir)
}

func (f *fakeCluster) calls() string {
	b, err := os.ReadFile(filepath.Join(f.dir, "calls"))
	require.NoError(f.t, err)
	return string(b)
}

func TestRedisClusterInitCreates(t *testing.T) {
	f := newFakeCluster(t, 6)
	f.reply("ping", 2, "PONG\n") // the first PING of each node is refused
	f.reply("cluster info", 1, clusterInfo("fail", 0, 1))
	f.reply("cluster info", 2, clusterInfo("ok", 16384, 6)) // after create: all but one are ok at once
	f.replyOn(7003, "cluster info", 2, clusterInfo("fail", 16384, 6))
	f.reply("cluster info", 3, clusterInfo("ok", 16384, 6))
	out, errOut, err := f.run(5)
	require.NoError(t, err, "%s\n%s", out, errOut)
	assert.Contains(t, out, "redis-cluster-init: 6 of 6 nodes do not answer PING yet (redis-0.redis-headless.ns.svc.cluster.local:7000: Could not connect to Redis at redis-0.redis-headless.ns.svc.cluster.local:7000: Connection refused); try 1/5, retrying in 0s\n")
	assert.Contains(t, out, "redis-cluster-init: all 6 nodes answer PING (try 2/5)\n")
	assert.Contains(t, out, "redis-cluster-init: redis-5.redis-headless.ns.svc.cluster.local:7005: cluster_state:fail slots_assigned:0 known_nodes:1\n")
	assert.Contains(t, out, "redis-cluster-init: creating the cluster: 6 nodes, 1 replicas per master\n")
	assert.Contains(t, out, "1 of 6 nodes do not report cluster_state:ok with 16384 slots assigned yet (redis-3.redis-headless.ns.svc.cluster.local:7003: cluster_state:fail slots_assigned:16384 known_nodes:6); try 1/5")
	assert.True(t, strings.HasSuffix(out, "redis-cluster-init: all 6 nodes report cluster_state:ok with 16384 slots assigned (try 2/5)\n"), out)
	assert.Contains(t, f.calls(), "--cluster create "+f.nodes()+" --cluster-replicas 1 --cluster-yes\n")
	assert.NotContains(t, out+errOut+f.calls(), "s3cr3t", "the password only travels in REDISCLI_AUTH")
}

func TestRedisClusterInitLeavesAnOKClusterAlone(t *testing.T) {
	f := newFakeCluster(t, 3)
	f.reply("ping", 1, "PONG\n")
	f.reply("cluster info", 1, clusterInfo("ok", 16384, 3))
	out, errOut, err := f.run(3)
	require.NoError(t, err, errOut)
	assert.Contains(t, out, "redis-cluster-init: the cluster exists: redis-0.redis-headless.ns.svc.cluster.local:7000 reports cluster_state:ok with 16384 slots assigned; nothing to do\n")
	assert.NotContains(t, f.calls(), "--cluster")
}

// TestRedisClusterInitWaitsForARecoveringCluster: nodes that know each
// other but are not ok yet (a restart) are never created again.
func TestRedisClusterInitWaitsForARecoveringCluster(t *testing.T) {
	f := newFakeCluster(t, 3)
	f.reply("ping", 1, "PONG\n")
	f.reply("cluster info", 1, clusterInfo("fail", 16384, 3))
	f.reply("cluster info", 3, clusterInfo("ok", 16384, 3))
	out, errOut, err := f.run(5)
	require.NoError(t, err, "%s\n%s", out, errOut)
	assert.Contains(t, out, "redis-0.redis-headless.ns.svc.cluster.local:7000 already knows other nodes or holds slots")
	assert.Contains(t, out, "all 3 nodes report cluster_state:ok with 16384 slots assigned (try 2/5)")
	assert.NotContains(t, f.calls(), "--cluster")
}

func TestRedisClusterInitFails(t *testing.T) {
	const node0, node1 = "redis-0.redis-headless.ns.svc.cluster.local:7000", "redis-1.redis-headless.ns.svc.cluster.local:7001"
	pong := func(f *fakeCluster) { f.reply("ping", 1, "PONG\n") }
	empty := func(f *fakeCluster) {
		pong(f)
		f.reply("cluster info", 1, clusterInfo("fail", 0, 1))
	}
	tests := []struct {
		name  string
		setup func(*fakeCluster)
		want  string // on stderr, after two tries
	}{
		{"a node never answers", func(f *fakeCluster) {
			f.replyOn(7000, "ping", 1, "PONG\n")
			f.replyOn(7002, "ping", 1, "PONG\n")
		}, "redis-cluster-init: 1 of 3 nodes do not answer PING after 2 tries, giving up (" + node1 + ": Could not connect"},
		{"wrong password", func(f *fakeCluster) {
			f.reply("ping", 1, "AUTH failed: WRONGPASS invalid username-password pair or user is disabled.\nNOAUTH Authentication required.\n")
		}, "3 of 3 nodes do not answer PING after 2 tries, giving up (" + node0 + ": AUTH failed: WRONGPASS"},
		{"create fails", func(f *fakeCluster) {
			empty(f)
			f.create("[ERR] Node redis-1:7001 is not empty.\n", 1)
		}, "[ERR] Node redis-1:7001 is not empty.\nredis-cluster-init: redis-cli --cluster create failed\n"},
		{"never ok", func(f *fakeCluster) {
			empty(f)
			f.reply("cluster info", 2, clusterInfo("fail", 10923, 3))
		}, "3 of 3 nodes do not report cluster_state:ok with 16384 slots assigned after 2 tries, giving up (" + node0 + ": cluster_state:fail slots_assigned:10923 known_nodes:3)"},
		{"not in cluster mode", func(f *fakeCluster) {
			pong(f)
			f.reply("cluster info", 1, "ERR This instance has cluster support disabled\n")
		}, node0 + " gives no CLUSTER INFO (ERR This instance has cluster support disabled)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeCluster(t, 3)
			tt.setup(f)
			out, errOut, err := f.run(2)
			require.Error(t, err, out)
			assert.Contains(t, errOut, tt.want)
		})
	}
}

func TestRedisScriptsShellcheck(t *testing.T) {
	shellcheckClean(t, map[string]string{"RedisStart": RedisStart, "RedisClusterInit": RedisClusterInit})
}
