package testtool

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FakeKafka is a directory of fake Kafka CLI tools (kafka-topics,
// kafka-configs, kafka-broker-api-versions) for running the topic script
// without a broker: put Dir first on PATH and FAKE=Dir in the
// environment. Each tool records its name and arguments, each in
// brackets, as a line of Calls. kafka-topics answers like Kafka 3.x:
// a topic exists when File("describe.<topic>") holds its describe output
// (then --create --if-not-exists says nothing), File("fail-<op>.<topic>")
// makes that operation (create, describe, alter) fail, and
// File("down", "N") makes kafka-broker-api-versions refuse N calls. Any
// UID may use it.
type FakeKafka struct {
	t   testing.TB
	Dir string
}

const recordCall = `{ printf '%s' "$(basename "$0")"; for a in "$@"; do printf ' [%s]' "$a"; done; echo; } >>"$FAKE/calls"
`

const fakeKafkaTopics = recordCall + `op="" topic=""
while [ "$#" -gt 0 ]; do
  case "$1" in
    --create | --describe | --alter) op=${1#--} ;;
    --topic) topic=$2; shift ;;
  esac
  shift
done
if [ -e "$FAKE/fail-$op.$topic" ]; then
  echo "Error while executing topic command : Timed out waiting for a node assignment. Call: createTopics"
  echo "[2025-01-01 00:00:00,000] ERROR org.apache.kafka.common.errors.TimeoutException (kafka.admin.TopicCommand\$)"
  exit 1
fi
case "$op" in
  create)
    [ -e "$FAKE/describe.$topic" ] || echo "Created topic $topic."
    ;;
  describe) cat "$FAKE/describe.$topic" ;;
esac
`

const fakeKafkaAPIVersions = recordCall + `n=$(cat "$FAKE/down" 2>/dev/null || echo 0)
if [ "$n" -gt 0 ]; then
  echo $((n - 1)) >"$FAKE/down"
  echo "[2025-01-01 00:00:00,000] WARN Connection to node -1 (kafka/10.0.0.9:9092) could not be established."
  echo "java.lang.RuntimeException: Request METADATA failed on brokers List(kafka:9092 (id: -1 rack: null))"
  exit 1
fi
echo "kafka-0.kafka-headless:9092 (id: 0 rack: null) -> ( Produce(0): 0 to 11 [usable: 11] )"
`

// NewFakeKafka writes the fake tools, named with suffix (".sh" as in
// apache/kafka, "" as in cp-kafka), into a new shared directory.
func NewFakeKafka(t testing.TB, suffix string) *FakeKafka {
	t.Helper()
	f := &FakeKafka{t: t, Dir: SharedDir(t)}
	for name, body := range map[string]string{"kafka-topics": fakeKafkaTopics, "kafka-configs": recordCall, "kafka-broker-api-versions": fakeKafkaAPIVersions} {
		if err := os.WriteFile(filepath.Join(f.Dir, name+suffix), []byte("#!/bin/sh\n"+body), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	return f
}

// File writes a file the fakes read and may change as any UID.
func (f *FakeKafka) File(name, content string) {
	f.t.Helper()
	path := filepath.Join(f.Dir, name)
	if err := os.WriteFile(path, []byte(content), 0o666); err != nil {
		f.t.Fatal(err)
	}
	if err := os.Chmod(path, 0o666); err != nil { // whatever the umask
		f.t.Fatal(err)
	}
}

// Calls are the recorded calls whose line starts with prefix ("" for all).
func (f *FakeKafka) Calls(prefix string) []string {
	f.t.Helper()
	b, err := os.ReadFile(filepath.Join(f.Dir, "calls"))
	if err != nil {
		f.t.Fatal(err)
	}
	var out []string
	for _, c := range strings.Split(strings.TrimSuffix(string(b), "\n"), "\n") {
		if strings.HasPrefix(c, prefix) {
			out = append(out, c)
		}
	}
	return out
}

// DescribeOutput is kafka-topics --describe of a topic, as Kafka 3.7
// prints it.
func DescribeOutput(topic string, partitions, replicas int, configs string) string {
	out := fmt.Sprintf("Topic: %s\tTopicId: 5OQrCBXcRMy6xLrD8nVbkw\tPartitionCount: %d\tReplicationFactor: %d\tConfigs: %s\n", topic, partitions, replicas, configs)
	for p := range partitions {
		out += fmt.Sprintf("\tTopic: %s\tPartition: %d\tLeader: 0\tReplicas: 0\tIsr: 0\n", topic, p)
	}
	return out
}

// CreateCall is the call the topic script makes to create a topic, as
// Calls records it.
func CreateCall(tool, bootstrap, topic string, partitions, replicas int, retentionMillis int64, minInsync int) string {
	return fmt.Sprintf("%s [--bootstrap-server] [%s] [--create] [--if-not-exists] [--topic] [%s] [--partitions] [%d] [--replication-factor] [%d] [--config] [retention.ms=%d] [--config] [min.insync.replicas=%d]",
		tool, bootstrap, topic, partitions, replicas, retentionMillis, minInsync)
}
