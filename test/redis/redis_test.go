// Package redis_test runs what generator redis renders on real
// redis-server 7 processes on loopback: the generated redis.conf, the
// start script the pods run (scripts.RedisStart) and the cluster-init
// Job's script (scripts.RedisClusterInit), under busybox sh, as the pods'
// numeric UIDs without passwd entries. run.sh prepares it; see README.md.
// Without NOVAGEN_REDIS_TEST=1 (a plain go test ./...) the tests skip;
// with it, a missing program fails them in CI (CI=true) instead of
// skipping.
package redis_test

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"k8s.io/apimachinery/pkg/api/resource"
)

// cases are the catalogs the cluster is rendered from: the staging
// catalog (3 masters) and the production shape (6 nodes, one replica per
// master).
var cases = []struct {
	name, catalog string
	masters       int
	replicas      int
	maxmemory     int64 // 75 % of the memory limit, as a number here
	policy        string
}{
	{"staging", "../../services.yaml", 3, 0, 402653184, "allkeys-lru"},                                          // 512Mi
	{"production", "../../generators/redis/testdata/production/catalog.yaml", 3, 1, 1610612736, "volatile-lru"}, // 2Gi
}

func TestCluster(t *testing.T) {
	tl := needTools(t)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := render(t, tc.catalog)
			requireUnlisted(t, r.startUID)
			requireUnlisted(t, r.initUID)
			red := r.cat.Spec.Infrastructure.Redis
			limit := resource.MustParse(red.Memory)
			require.Equal(t, tc.maxmemory, limit.Value()*3/4, "the case's expectation is 75 %% of %s", red.Memory)
			nodes := tc.masters * (tc.replicas + 1)
			require.Equal(t, nodes, red.Nodes)

			ips := slices.Repeat([]string{"127.0.0.1"}, nodes)
			c := newCluster(t, tl, r, tc.name, ips, freePorts(t, nodes, "127.0.0.1"))
			// Clients are sent to the announced hostname: here, loopback.
			c.announce = "127.0.0.1"
			c.startAll()

			// The Job as rendered, with names for hosts: redis-cli resolves
			// them itself (localhost, when it means 127.0.0.1 only here).
			hosts := slices.Repeat([]string{loopbackName(t)}, nodes)
			first := c.runInit(hosts)
			require.Zero(t, first.code, "init:\n%s\n%s", first, c.tails())
			assert.Contains(t, first.stdout, fmt.Sprintf("creating the cluster: %d nodes, %d replicas per master", nodes, tc.replicas))
			assert.Contains(t, first.stdout, fmt.Sprintf("all %d nodes report cluster_state:ok with 16384 slots assigned", nodes))
			assert.NotContains(t, first.stdout+first.stderr, password)
			ok, why := c.clusterOK()
			require.True(t, ok, why)

			for _, n := range c.nodes {
				assert.Equal(t, strconv.FormatInt(tc.maxmemory, 10), confValue(tl, n, "maxmemory"), "redis-%d", n.i)
				assert.Equal(t, tc.policy, confValue(tl, n, "maxmemory-policy"), "redis-%d", n.i)
				assert.Equal(t, "yes", confValue(tl, n, "appendonly"), "redis-%d", n.i)
				assert.Equal(t, "everysec", confValue(tl, n, "appendfsync"), "redis-%d", n.i)
				assert.Equal(t, strconv.FormatInt(red.NodeTimeout.Milliseconds(), 10), confValue(tl, n, "cluster-node-timeout"), "redis-%d", n.i)
			}
			masters, replicas := roles(tl, c)
			assert.Len(t, masters, tc.masters)
			assert.Len(t, replicas, tc.masters*tc.replicas)

			keys := writeKeys(t, tl, c)
			checkAuth(t, tl, c)
			checkProbes(t, tl, c)

			// A second run (the next sync) finds the cluster and changes
			// nothing.
			before := settledTopology(t, tl, c, tc.masters*tc.replicas)
			again := c.runInit(hosts)
			require.Zero(t, again.code, "second init:\n%s", again)
			assert.Contains(t, again.stdout, "reports cluster_state:ok with 16384 slots assigned; nothing to do")
			assert.NotContains(t, again.stdout, "creating")
			assert.Equal(t, before, topology(tl, c.nodes[0]), "CLUSTER NODES (IDs, addresses, roles, slots) after the second run")

			// A node killed without warning comes back with its volume. Its
			// replica can take over only once it has synchronised with it
			// (a replica that never did refuses to fail over), so wait for
			// every replica's link first: the state a real cluster is in
			// long before a node dies.
			c.waitFor("every replica synchronised with its master", 60*time.Second, func() (bool, string) {
				for _, i := range replicas {
					if st := replicationField(tl, c.nodes[i], "master_link_status"); st != "up" {
						return false, fmt.Sprintf("redis-%d: master_link_status:%s", i, st)
					}
				}
				return true, ""
			})
			victim := c.nodes[masters[0]]
			_, victimID := roleOf(tl, victim)
			time.Sleep(1100 * time.Millisecond) // appendfsync everysec
			c.kill(victim)
			failover := ""
			if tc.replicas > 0 {
				// Its replica takes over once the others agree it failed.
				var replica *node
				for _, n := range c.nodes {
					if _, master := replicaOf(tl, n); master == victimID {
						replica = n
					}
				}
				require.NotNil(t, replica, "redis-%d has a replica", victim.i)
				c.waitFor(fmt.Sprintf("redis-%d replaces the killed master redis-%d", replica.i, victim.i),
					time.Duration(red.NodeTimeout.Milliseconds())*time.Millisecond*4+20*time.Second,
					func() (bool, string) {
						if role, _ := roleOf(tl, replica); role != "master" {
							return false, fmt.Sprintf("redis-%d is a %s", replica.i, role)
						}
						for _, n := range c.nodes {
							if st := info(tl, n, "cluster_state"); n != victim && st != "ok" {
								return false, fmt.Sprintf("redis-%d: cluster_state:%s", n.i, st)
							}
						}
						return true, ""
					})
				failover = fmt.Sprintf("; its replica redis-%d took over while it was down", replica.i)
			}
			c.start(victim)
			c.waitUp(victim)
			c.waitOK(60 * time.Second)
			role, id := roleOf(tl, victim)
			require.Equal(t, victimID, id, "the restarted node keeps its ID (nodes.conf on its volume)")
			if tc.replicas > 0 {
				assert.Equal(t, "replica", role, "the old master rejoins as a replica of the one that replaced it")
			} else {
				assert.Equal(t, "master", role)
			}
			readKeys(t, tl, c, keys)

			t.Logf("%s: %d nodes (%d masters, %d replicas) as UID %d; init as UID %d formed the cluster in %v, "+
				"its second run changed nothing; maxmemory %d (75 %% of %s), %s, appendonly yes; "+
				"redis-%d (%s) killed and restarted: same ID, rejoined as %s%s; %d keys intact",
				tc.name, nodes, len(masters), len(replicas), r.startUID, r.initUID, first.took.Round(time.Millisecond),
				tc.maxmemory, red.Memory, tc.policy, victim.i, victimID[:8], role, failover, len(keys))
		})
	}
}

// replicationField is a field of INFO replication of node n.
func replicationField(tl *tools, n *node, field string) string {
	for _, l := range strings.Split(cli(tl, n, "info", "replication"), "\n") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(l), field+":"); ok {
			return v
		}
	}
	return ""
}

// loopbackName is a host name for 127.0.0.1, to show redis-cli resolves
// names; 127.0.0.1 itself where localhost could be ::1 first.
func loopbackName(t *testing.T) string {
	t.Helper()
	addrs, err := net.LookupHost("localhost")
	if err == nil && len(addrs) > 0 && addrs[0] == "127.0.0.1" && !slices.Contains(addrs, "::1") {
		return "localhost"
	}
	t.Logf("localhost resolves to %v: the init script gets 127.0.0.1", addrs)
	return "127.0.0.1"
}

// roles returns the indexes of the masters and the replicas.
// settledTopology is the cluster's topology once every node sees the
// same one with all replicas attached: a node learns of another's new
// role by gossip, so right after the first run one node's view may still
// show a replica as a master, and comparing that view with a later one
// would blame the second run for gossip.
func settledTopology(t *testing.T, tl *tools, c *cluster, replicas int) []string {
	t.Helper()
	var view []string
	settled := func() bool {
		view = topology(tl, c.nodes[0])
		if n := len(slices.DeleteFunc(slices.Clone(view), func(l string) bool { return !strings.Contains(l, " replica ") })); n != replicas {
			return false
		}
		for _, n := range c.nodes[1:] {
			if !slices.Equal(view, topology(tl, n)) {
				return false
			}
		}
		return true
	}
	require.Eventually(t, settled, 30*time.Second, 200*time.Millisecond, "the nodes never agreed on the topology: %v", view)
	return view
}

func roles(tl *tools, c *cluster) (masters, replicas []int) {
	for _, n := range c.nodes {
		if role, _ := roleOf(tl, n); role == "master" {
			masters = append(masters, n.i)
		} else {
			replicas = append(replicas, n.i)
		}
	}
	return masters, replicas
}

// writeKeys writes keys all over the slot space through the cluster
// (redis-cli -c follows MOVED to the announced hostnames).
func writeKeys(t *testing.T, tl *tools, c *cluster) map[string]string {
	t.Helper()
	keys := map[string]string{}
	for i := range 30 {
		k, v := fmt.Sprintf("novagen:key:%d", i), fmt.Sprintf("value %d", i)
		out := cli(tl, c.nodes[i%len(c.nodes)], "-c", "set", k, v)
		require.Equal(t, "OK", out, "SET %s", k)
		keys[k] = v
	}
	return keys
}

func readKeys(t *testing.T, tl *tools, c *cluster, keys map[string]string) {
	t.Helper()
	i := 0
	for k, v := range keys {
		assert.Equal(t, v, cli(tl, c.nodes[i%len(c.nodes)], "-c", "get", k), "GET %s", k)
		i++
	}
}

// checkAuth: the password the start script passes is the server's; a
// client without it is refused.
func checkAuth(t *testing.T, tl *tools, c *cluster) {
	t.Helper()
	n := c.nodes[0]
	assert.Contains(t, cliAs(tl, n, nil, "ping"), "NOAUTH", "no password")
	assert.Contains(t, cliAs(tl, n, []string{"REDISCLI_AUTH=wrong"}, "ping"), "WRONGPASS", "a wrong password")
	assert.Equal(t, "PONG", cli(tl, n, "ping"), "the Secret's password")
	assert.Equal(t, "PONG", cliAs(tl, n, nil, "-a", password, "--no-auth-warning", "ping"), "the password as AUTH")
}

// checkProbes runs the rendered probes (their argv, no shell) as the
// pod's UID with the container's REDISCLI_AUTH, the port pointed at a
// loopback node: all pass; with a wrong password readiness fails
// (redis-cli -e) while liveness, which only asks for an answer, passes.
func checkProbes(t *testing.T, tl *tools, c *cluster) {
	t.Helper()
	n := c.nodes[0]
	uid := strconv.FormatInt(c.r.startUID, 10)
	run := func(argv []string, auth string) (int, string) {
		t.Helper()
		argv = slices.Clone(argv)
		i := slices.Index(argv, "-p")
		require.Positive(t, i, "probe %v names its port", argv)
		argv[i+1] = strconv.Itoa(n.port)
		cmd := exec.Command(tl.setpriv, append([]string{"--reuid=" + uid, "--regid=" + uid, "--clear-groups", "--"}, argv...)...)
		cmd.Env = []string{"PATH=" + c.path, "REDISCLI_AUTH=" + auth}
		out, _ := cmd.CombinedOutput()
		return cmd.ProcessState.ExitCode(), strings.TrimSpace(string(out))
	}
	s := c.r.start
	for name, p := range map[string][]string{
		"startup": s.StartupProbe.Exec.Command, "readiness": s.ReadinessProbe.Exec.Command, "liveness": s.LivenessProbe.Exec.Command,
	} {
		code, out := run(p, password)
		assert.Zero(t, code, "%s probe %v: %s", name, p, out)
		assert.Equal(t, "PONG", out, "%s probe", name)
	}
	code, _ := run(s.ReadinessProbe.Exec.Command, "wrong")
	assert.NotZero(t, code, "readiness with a wrong password")
	code, _ = run(s.LivenessProbe.Exec.Command, "wrong")
	assert.Zero(t, code, "liveness only asks that the server answers")
}

// TestNewAddresses: every pod of a formed cluster comes back with a new
// IP at once (a scaled-to-zero staging cluster, a replaced node pool).
// Three nodes on 127.0.0.11-13 share one port, as pods do; they restart
// on 127.0.0.21-23. DNS is a fake getent on the scripts' PATH that
// answers for the pods' names (<pod>.redis-headless.<namespace>...),
// which the nodes announce as the start script sets them.
//
// First without DNS for the new addresses: each node knows only its own
// new IP (the myself line) and waits for peers at addresses that are
// gone, so the cluster stays down. Then with DNS: the start script moves
// every peer to the address its name resolves to, and the cluster is ok
// again with the same node IDs and slots.
func TestNewAddresses(t *testing.T) {
	tl := needTools(t)
	r := render(t, "../../services.yaml")
	red := r.cat.Spec.Infrastructure.Redis
	requireUnlisted(t, r.startUID)
	requireUnlisted(t, r.initUID)
	oldIPs := []string{"127.0.0.11", "127.0.0.12", "127.0.0.13"}
	newIPs := []string{"127.0.0.21", "127.0.0.22", "127.0.0.23"}
	port := freePorts(t, 1, append(slices.Clone(oldIPs), newIPs...)...)[0]
	c := newCluster(t, tl, r, "new-addresses", oldIPs, slices.Repeat([]int{port}, len(oldIPs)))

	fakeDir := filepath.Join(c.dir, "bin")
	require.NoError(t, os.MkdirAll(fakeDir, 0o755))
	hostsFile := filepath.Join(c.dir, "hosts")
	require.NoError(t, os.WriteFile(filepath.Join(fakeDir, "getent"), []byte(fakeGetent(hostsFile)), 0o755))
	c.path = fakeDir + string(os.PathListSeparator) + c.path
	dns := func(ips []string) {
		var b strings.Builder
		for i, ip := range ips {
			fmt.Fprintf(&b, "redis-%d.%s %s\n", i, redisHeadless(t, r), ip)
		}
		require.NoError(t, os.WriteFile(hostsFile, []byte(b.String()), 0o644))
	}
	dns(oldIPs)

	c.startAll()
	res := c.runInit(oldIPs) // redis-cli resolves with libc, not the fake
	require.Zero(t, res.code, "init:\n%s", res)
	c.waitOK(30 * time.Second)
	before := topology(tl, c.nodes[0])
	ids := map[string]bool{}
	for _, l := range before {
		ids[strings.Fields(l)[0]] = true
	}
	require.Len(t, ids, 3)

	restart := func() {
		for _, n := range c.nodes {
			c.stop(n, syscall.SIGTERM)
		}
		for i, n := range c.nodes {
			n.ip = newIPs[i]
		}
		c.startAll()
	}

	dns(nil)
	restart()
	timeout := time.Duration(red.NodeTimeout.Milliseconds()) * time.Millisecond
	time.Sleep(2*timeout + time.Second)
	for _, n := range c.nodes {
		assert.Equal(t, "fail", info(tl, n, "cluster_state"), "redis-%d without DNS for its peers' new addresses", n.i)
	}

	dns(newIPs)
	restart()
	c.waitOK(30 * time.Second)
	for _, n := range c.nodes {
		after := topology(tl, n)
		require.Len(t, after, 3, "redis-%d knows three nodes", n.i)
		for i, l := range after {
			f := strings.Fields(l)
			assert.True(t, ids[f[0]], "redis-%d: node %s is one of the original three", n.i, f[0])
			assert.Regexp(t, `^127\.0\.0\.2[123]:`+strconv.Itoa(port)+`@`, f[1], "redis-%d sees %s at its new address", n.i, f[0])
			assert.Equal(t, strings.Fields(before[i])[2:], f[2:], "role, master and slots of %s", f[0])
		}
	}
	log, err := os.ReadFile(filepath.Join(c.dir, "redis-0.log"))
	require.NoError(t, err)
	assert.Contains(t, string(log), "redis-start: starting redis-server as redis-0."+redisHeadless(t, r))
	assert.Contains(t, c.nodes[0].stderr.String(), "is now at 127.0.0.22, was 127.0.0.12")
	t.Logf("3 nodes moved from %v to %v at once: without DNS for the new addresses the cluster stays down "+
		"(cluster_state:fail after %v); with it, the start script moves every peer and the cluster is ok, same IDs and slots",
		oldIPs, newIPs, 2*timeout+time.Second)
}

// redisHeadless is the domain the pods announce themselves in, as the
// StatefulSet's container sets it.
func redisHeadless(t *testing.T, r *rendered) string {
	t.Helper()
	for _, e := range r.start.Env {
		if e.Name == "REDIS_HEADLESS_FQDN" {
			return e.Value
		}
	}
	t.Fatal("the redis container has no REDIS_HEADLESS_FQDN")
	return ""
}

// fakeGetent answers `getent ahosts NAME` from hosts (lines "name ip")
// as glibc's getent does, and fails for anything else.
func fakeGetent(hosts string) string {
	return `#!/bin/sh
[ "$1" = ahosts ] || exit 2
while read -r name addr; do
  if [ "$name" = "$2" ]; then
    printf '%s       STREAM %s\n%s       DGRAM\n%s       RAW\n' "$addr" "$name" "$addr" "$addr"
    exit 0
  fi
done <` + strconv.Quote(hosts) + `
exit 2
`
}
