package scripts

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/novagen/novagen/internal/testtool"
	"github.com/novagen/novagen/naming"
)

// These tests run the ZooKeeper and Kafka scripts under busybox sh as a
// UID without a passwd entry (as root, through setpriv), with fake Kafka
// tools on PATH that record their arguments: no broker runs here.

// podUID is the pods' UID in these tests: the catalog default, which has
// no passwd entry.
const podUID = 10001

type fakeKafka struct {
	*testtool.FakeKafka
	t *testing.T
}

func newFakeKafka(t *testing.T) *fakeKafka {
	return &fakeKafka{FakeKafka: testtool.NewFakeKafka(t, ""), t: t}
}

// run runs KafkaTopics on topics (lines of KAFKA_TOPICS) with extra env.
func (f *fakeKafka) run(topics string, extra ...string) (string, string, int) {
	env := append([]string{
		"PATH=" + f.Dir + ":/usr/local/bin:/usr/bin:/bin",
		"FAKE=" + f.Dir,
		naming.EnvKafkaBootstrap + "=kafka:9092",
		EnvKafkaTopics + "=" + topics,
		EnvRetries + "=3",
		EnvInterval + "=0",
	}, extra...)
	return testtool.AsUID(f.t, podUID, KafkaTopics, nil, env)
}

var describe = testtool.DescribeOutput

func createCall(topic string, partitions, replicas int, retention int64, isr int) string {
	return testtool.CreateCall("kafka-topics", "kafka:9092", topic, partitions, replicas, retention, isr)
}

const week = 604800000

func TestKafkaTopicsCreatesEachTopicOnce(t *testing.T) {
	f := newFakeKafka(t)
	f.File("down", "2") // the broker answers on the third try
	out, errOut, code := f.run("user-events 3 1 604800000 1\nanalytics-events 6 1 86400000 1\n\norders.v1 2 1 604800000 1\n")
	require.Zero(t, code, "%s\n%s", out, errOut)
	assert.Empty(t, errOut)
	assert.Equal(t, "kafka-topics: Kafka at kafka:9092 does not answer yet (try 1/3), retrying in 0s\n"+
		"kafka-topics: Kafka at kafka:9092 does not answer yet (try 2/3), retrying in 0s\n"+
		"kafka-topics: Kafka at kafka:9092 answers (try 3/3)\n"+
		"kafka-topics: user-events: created with 3 partitions, replication factor 1, retention.ms=604800000, min.insync.replicas=1\n"+
		"kafka-topics: analytics-events: created with 6 partitions, replication factor 1, retention.ms=86400000, min.insync.replicas=1\n"+
		"kafka-topics: orders.v1: created with 2 partitions, replication factor 1, retention.ms=604800000, min.insync.replicas=1\n"+
		"kafka-topics: 3 topics checked\n", out)
	assert.Equal(t, []string{
		createCall("user-events", 3, 1, week, 1),
		createCall("analytics-events", 6, 1, 86400000, 1),
		createCall("orders.v1", 2, 1, week, 1),
	}, f.Calls("kafka-topics"), "exactly one create per topic, nothing else")
	assert.Len(t, f.Calls("kafka-broker-api-versions [--bootstrap-server] [kafka:9092]"), 3)
	assert.Empty(t, f.Calls("kafka-configs"))
	for _, c := range f.Calls("") {
		assert.NotContains(t, c, "zookeeper", "the --zookeeper flag is gone since Kafka 3.0")
	}
}

// TestKafkaTopicsOnExistingTopics: a topic that exists is grown, never
// shrunk (a warning names it and both counts), and its retention is set
// when it differs; a topic as the catalog says is left alone.
func TestKafkaTopicsOnExistingTopics(t *testing.T) {
	f := newFakeKafka(t)
	f.File("describe.grows", describe("grows", 3, 1, "min.insync.replicas=1,retention.ms=604800000"))
	f.File("describe.shrinks", describe("shrinks", 6, 1, "min.insync.replicas=1,retention.ms=604800000"))
	f.File("describe.same", describe("same", 3, 1, "cleanup.policy=delete,min.insync.replicas=1,retention.ms=604800000,segment.bytes=1073741824"))
	f.File("describe.retention", describe("retention", 3, 1, "delete.retention.ms=604800000,min.insync.replicas=1"))
	f.File("describe.replicas", describe("replicas", 3, 3, "min.insync.replicas=1,retention.ms=604800000"))
	out, errOut, code := f.run("grows 6 1 604800000 1\nshrinks 3 1 604800000 1\nsame 3 1 604800000 1\nretention 3 1 604800000 1\nreplicas 3 1 604800000 1\nnew 1 1 604800000 1\n")
	require.Zero(t, code, "%s\n%s", out, errOut)
	assert.Contains(t, out, "kafka-topics: grows: partitions raised from 3 to 6\n")
	assert.Contains(t, out, "kafka-topics: same: exists with 3 partitions\n")
	assert.Contains(t, out, "kafka-topics: retention: exists with 3 partitions; set retention.ms=604800000, min.insync.replicas=1\n")
	assert.Contains(t, out, "kafka-topics: new: created with 1 partitions")
	assert.Contains(t, out, "kafka-topics: 6 topics checked\n")
	assert.Equal(t, "kafka-topics: shrinks: exists with 6 partitions; WARNING: it has 6 partitions, the catalog says 3: partitions are never decreased\n"+
		"kafka-topics: replicas: exists with 3 partitions; WARNING: its replication factor is 3, the catalog says 1: not changed here (kafka-reassign-partitions does)\n", errOut)
	assert.Len(t, strings.Split(strings.TrimSpace(out+errOut), "\n"), 1+6+1, "one line per topic")

	assert.Equal(t, []string{"kafka-topics [--bootstrap-server] [kafka:9092] [--alter] [--topic] [grows] [--partitions] [6]"},
		f.Calls("kafka-topics [--bootstrap-server] [kafka:9092] [--alter]"), "only the topic with fewer partitions is altered")
	assert.Equal(t, []string{"kafka-configs [--bootstrap-server] [kafka:9092] [--alter] [--entity-type] [topics] [--entity-name] [retention] [--add-config] [retention.ms=604800000,min.insync.replicas=1]"},
		f.Calls("kafka-configs"))
	assert.Len(t, f.Calls("kafka-topics [--bootstrap-server] [kafka:9092] [--create]"), 6, "one create per topic")
	assert.Len(t, f.Calls("kafka-topics [--bootstrap-server] [kafka:9092] [--describe]"), 5, "a describe per topic that existed")
}

func TestKafkaTopicsFails(t *testing.T) {
	t.Run("a create fails", func(t *testing.T) {
		f := newFakeKafka(t)
		f.File("fail-create.b", "")
		out, errOut, code := f.run("a 1 1 604800000 1\nb 1 1 604800000 1\nc 1 1 604800000 1\n")
		assert.NotZero(t, code)
		assert.Contains(t, out, "kafka-topics: a: created")
		assert.Contains(t, out, "kafka-topics: c: created", "the other topics are still made")
		assert.Equal(t, "kafka-topics: b: create failed: [2025-01-01 00:00:00,000] ERROR org.apache.kafka.common.errors.TimeoutException (kafka.admin.TopicCommand$)\n"+
			"kafka-topics: 1 of 3 topics failed\n", errOut)
		assert.Len(t, f.Calls("kafka-topics"), 3)
	})
	t.Run("raising partitions fails", func(t *testing.T) {
		f := newFakeKafka(t)
		f.File("describe.a", describe("a", 1, 1, "min.insync.replicas=1,retention.ms=604800000"))
		f.File("fail-alter.a", "")
		_, errOut, code := f.run("a 4 1 604800000 1\n")
		assert.NotZero(t, code)
		assert.Contains(t, errOut, "kafka-topics: a: raising partitions from 1 to 4 failed: ")
		assert.Contains(t, errOut, "kafka-topics: 1 of 1 topics failed\n")
	})
	t.Run("the broker never answers", func(t *testing.T) {
		f := newFakeKafka(t)
		f.File("down", "99")
		out, errOut, code := f.run("a 1 1 604800000 1\n")
		assert.NotZero(t, code)
		assert.Contains(t, out, "does not answer yet (try 2/3)")
		assert.Equal(t, "kafka-topics: Kafka at kafka:9092 does not answer after 3 tries, giving up: java.lang.RuntimeException: Request METADATA failed on brokers List(kafka:9092 (id: -1 rack: null))\n", errOut)
		assert.Empty(t, f.Calls("kafka-topics"), "no topic is touched")
	})
}

// TestKafkaTopicsToolsDir: the apache/kafka image keeps the tools in
// /opt/kafka/bin as *.sh.
func TestKafkaTopicsToolsDir(t *testing.T) {
	f := &fakeKafka{FakeKafka: testtool.NewFakeKafka(t, ".sh"), t: t}
	out, errOut, code := f.run("a 1 1 604800000 1\n", EnvKafkaToolsDir+"="+f.Dir+"/", EnvKafkaToolsSuffix+"=.sh", "PATH=/usr/bin:/bin")
	require.Zero(t, code, "%s\n%s", out, errOut)
	assert.Equal(t, []string{testtool.CreateCall("kafka-topics.sh", "kafka:9092", "a", 1, 1, week, 1)}, f.Calls("kafka-topics.sh"))
}

// fakeExec prints how it was called: its name, its arguments and the
// variables the start scripts set.
const fakeExec = `echo "exec $(basename "$0") $*"
echo "ZOOKEEPER_SERVER_ID=${ZOOKEEPER_SERVER_ID:-}"
`

func TestZookeeperStart(t *testing.T) {
	bin := testtool.SharedDir(t)
	fake(t, bin, "run", fakeExec)
	run := func(env ...string) (string, string, int) {
		return testtool.AsUID(t, podUID, ZookeeperStart, []string{filepath.Join(bin, "run"), "--flag"}, append([]string{"PATH=/usr/bin:/bin"}, env...))
	}
	out, errOut, code := run()
	require.Zero(t, code, errOut)
	assert.Equal(t, "zookeeper-start: a single server (standalone)\nexec run --flag\nZOOKEEPER_SERVER_ID=\n", out)

	servers := EnvZookeeperServers + "=zookeeper-0.zookeeper-headless:2888:3888;zookeeper-1.zookeeper-headless:2888:3888;zookeeper-2.zookeeper-headless:2888:3888"
	out, errOut, code = run(servers, EnvPodIndex+"=2")
	require.Zero(t, code, errOut)
	assert.Equal(t, "zookeeper-start: server 3 of the ensemble zookeeper-0.zookeeper-headless:2888:3888;zookeeper-1.zookeeper-headless:2888:3888;zookeeper-2.zookeeper-headless:2888:3888\n"+
		"exec run --flag\nZOOKEEPER_SERVER_ID=3\n", out, "myid is the ordinal plus one: server.3 is the third")

	for _, index := range []string{"", "x", "-1"} {
		out, errOut, code = run(servers, EnvPodIndex+"="+index)
		assert.NotZero(t, code, index)
		assert.Contains(t, errOut, "POD_INDEX must be the pod's ordinal", index)
		assert.NotContains(t, out, "exec", index)
	}
}

// fakeKafkaBin prints each call with the JVM options it was given.
const fakeKafkaBin = `echo "$(basename "$0") $* | heap=${KAFKA_HEAP_OPTS:-} | jmx=${KAFKA_JMX_OPTS:-}"
`

func TestKafkaKRaftStart(t *testing.T) {
	home := testtool.SharedDir(t)
	require.NoError(t, os.Mkdir(filepath.Join(home, "bin"), 0o755))
	fake(t, filepath.Join(home, "bin"), "kafka-storage.sh", fakeKafkaBin)
	fake(t, filepath.Join(home, "bin"), "kafka-server-start.sh", fakeKafkaBin)
	template := filepath.Join(home, "server.properties")
	require.NoError(t, os.WriteFile(template, []byte("process.roles=broker,controller\nlog.dirs=/var/lib/kafka/data/logs\n"), 0o644))
	config := filepath.Join(home, "pod.properties")
	env := func(nodeID string) []string {
		return []string{
			"PATH=/usr/bin:/bin", EnvKafkaHome + "=" + home, EnvKafkaConfigIn + "=" + template, EnvKafkaConfigOut + "=" + config,
			EnvKafkaNodeID + "=" + nodeID, EnvKafkaAdvertised + "=PLAINTEXT://kafka-1.kafka-headless.ns.svc.cluster.local:9092",
			EnvKafkaClusterID + "=Mk3OEYBSD34fcwNTJENDM2", EnvKafkaJMXPort + "=9999",
			EnvKafkaJMXHostname + "=kafka-1.kafka-headless.ns.svc.cluster.local", EnvKafkaHeapOpts + "=-Xms1024m -Xmx1024m",
		}
	}
	out, errOut, code := testtool.AsUID(t, podUID, KafkaKRaftStart, nil, env("1"))
	require.Zero(t, code, errOut)
	jmx := "-Dcom.sun.management.jmxremote=true -Dcom.sun.management.jmxremote.authenticate=false -Dcom.sun.management.jmxremote.ssl=false " +
		"-Dcom.sun.management.jmxremote.local.only=false -Dcom.sun.management.jmxremote.port=9999 -Dcom.sun.management.jmxremote.rmi.port=9999 " +
		"-Djava.rmi.server.hostname=kafka-1.kafka-headless.ns.svc.cluster.local"
	assert.Equal(t, "kafka-start: node 1 of cluster Mk3OEYBSD34fcwNTJENDM2, advertised as PLAINTEXT://kafka-1.kafka-headless.ns.svc.cluster.local:9092\n"+
		"kafka-storage.sh format --cluster-id Mk3OEYBSD34fcwNTJENDM2 --config "+config+" --ignore-formatted | heap=-Xmx256m | jmx=\n"+
		"kafka-server-start.sh "+config+" | heap=-Xms1024m -Xmx1024m | jmx="+jmx+"\n", out, "JMX for the broker only, RMI on the JMX port")
	got, err := os.ReadFile(config)
	require.NoError(t, err)
	assert.Equal(t, "process.roles=broker,controller\nlog.dirs=/var/lib/kafka/data/logs\nnode.id=1\n"+
		"advertised.listeners=PLAINTEXT://kafka-1.kafka-headless.ns.svc.cluster.local:9092\n", string(got))

	out, errOut, code = testtool.AsUID(t, podUID, KafkaKRaftStart, nil, env(""))
	assert.NotZero(t, code)
	assert.Contains(t, errOut, "KAFKA_NODE_ID must be the pod's ordinal")
	assert.Empty(t, out)
}

func TestKafkaScriptsShellcheck(t *testing.T) {
	shellcheckClean(t, map[string]string{"ZookeeperStart": ZookeeperStart, "ZookeeperReady": ZookeeperReady, "KafkaKRaftStart": KafkaKRaftStart, "KafkaTopics": KafkaTopics})
}

// adminRuok is the admin server's answer to ruok, as ZooKeeper 3.8
// pretty-prints it.
func adminRuok(errorValue string) string {
	return "{\n  \"command\" : \"ruok\",\n  \"error\" : " + errorValue + "\n}"
}

// TestZookeeperReady: ready only when the admin server's ruok carries no
// error; curl first, wget where there is no curl.
func TestZookeeperReady(t *testing.T) {
	busybox := testtool.Require(t, "busybox")
	tests := []struct {
		name, client, body string
		fails              bool
		ready              bool
	}{
		{"serving", "curl", adminRuok("null"), false, true},
		{"not serving (HTTP 200 all the same)", "curl", adminRuok(`"This ZooKeeper instance is not currently serving requests"`), false, false},
		{"admin server down", "curl", "", true, false},
		{"wget where there is no curl", "wget", adminRuok("null"), false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			bin := testtool.SharedDir(t)
			require.NoError(t, os.Symlink(busybox, filepath.Join(bin, "tr")))
			rc := "0"
			if tt.fails {
				rc = "7"
			}
			fake(t, bin, tt.client, `echo "$*" >"$FAKE_ARGS"
printf '%s' "$FAKE_BODY"
exit `+rc+"\n")
			args := filepath.Join(bin, "args")
			_, errOut, code := testtool.AsUID(t, podUID, ZookeeperReady, nil, []string{
				"PATH=" + bin, EnvZookeeperAdminPort + "=8080", "FAKE_BODY=" + tt.body, "FAKE_ARGS=" + args,
			})
			assert.Equal(t, tt.ready, code == 0, errOut)
			got, err := os.ReadFile(args)
			require.NoError(t, err)
			assert.Contains(t, string(got), "http://127.0.0.1:8080/commands/ruok")
			if !tt.ready && !tt.fails {
				assert.Contains(t, errOut, "not currently serving requests")
			}
		})
	}
}
