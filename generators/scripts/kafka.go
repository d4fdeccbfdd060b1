package scripts

// Environment of the ZooKeeper and Kafka scripts. Values other than the
// pod's identity come from the catalog through the generator, never
// through the script's text.
const (
	EnvPodIndex           = "POD_INDEX"                   // the pod's ordinal (label apps.kubernetes.io/pod-index)
	EnvZookeeperServers   = "ZOOKEEPER_SERVERS"           // host:follower:election;... of every server; empty: standalone
	EnvZookeeperServerID  = "ZOOKEEPER_SERVER_ID"         // set by ZookeeperStart: POD_INDEX + 1
	EnvZookeeperAdminPort = "ZOOKEEPER_ADMIN_SERVER_PORT" // the admin server's port
	EnvKafkaNodeID        = "KAFKA_NODE_ID"               // the pod's ordinal: node.id
	EnvKafkaHome          = "KAFKA_HOME"                  // the Kafka installation (bin/kafka-storage.sh...)
	EnvKafkaConfigIn      = "KAFKA_CONFIG_TEMPLATE"       // server.properties as mounted from the ConfigMap
	EnvKafkaConfigOut     = "KAFKA_CONFIG_FILE"           // the pod's server.properties, written at start
	EnvKafkaAdvertised    = "KAFKA_ADVERTISED_LISTENERS"  // PLAINTEXT://<pod>.<headless FQDN>:<port>
	EnvKafkaClusterID     = "CLUSTER_ID"                  // the KRaft cluster ID
	EnvKafkaJMXPort       = "KAFKA_JMX_PORT"              // JMX and RMI port
	EnvKafkaJMXHostname   = "KAFKA_JMX_HOSTNAME"          // java.rmi.server.hostname: the pod's DNS name
	EnvKafkaTopics        = "KAFKA_TOPICS"                // one topic a line: name partitions replicas retention.ms min.insync.replicas
	EnvKafkaToolsDir      = "KAFKA_TOOLS_DIR"             // prefix of the CLI tools ("" for PATH, /opt/kafka/bin/)
	EnvKafkaToolsSuffix   = "KAFKA_TOOLS_SUFFIX"          // suffix of the CLI tools ("", .sh)
	EnvKafkaHeapOpts      = "KAFKA_HEAP_OPTS"             // the JVM heap of every Kafka program
	EnvKafkaLogDir        = "LOG_DIR"                     // where kafka-run-class puts GC and file logs
)

// kafkaToolTimeout bounds one CLI call of KafkaTopics, in seconds.
const kafkaToolTimeout = "120"

// ZookeeperStart is the command of a ZooKeeper pod in front of the image's
// own entrypoint ("$@": /etc/confluent/docker/run). In an ensemble
// (ZOOKEEPER_SERVERS set) each server needs its id in myid, which the
// cp-zookeeper image writes from ZOOKEEPER_SERVER_ID; its
// ZOOKEEPER_SERVERS become server.1, server.2... in order, so the id is
// the pod's ordinal plus one, which the environment alone cannot
// compute. A single server runs standalone and needs none.
const ZookeeperStart = `set -eu
log() { echo "zookeeper-start: $*"; }
if [ -n "${ZOOKEEPER_SERVERS:-}" ]; then
  case "${POD_INDEX:-}" in
    '' | *[!0-9]*)
      echo "zookeeper-start: POD_INDEX must be the pod's ordinal (label apps.kubernetes.io/pod-index), not '${POD_INDEX:-}'" >&2
      exit 1
      ;;
  esac
  ZOOKEEPER_SERVER_ID=$((POD_INDEX + 1))
  export ZOOKEEPER_SERVER_ID
  log "server ${ZOOKEEPER_SERVER_ID} of the ensemble ${ZOOKEEPER_SERVERS}"
else
  log "a single server (standalone)"
fi
exec "$@"
`

// ZookeeperReady is the readiness check of a ZooKeeper pod: the admin
// server's ruok command (on ZOOKEEPER_ADMIN_SERVER_PORT), which answers
// HTTP 200 even while the server does not serve (an ensemble without a
// quorum), then with an error in its JSON; ready only when the error is
// null. curl, else wget (the cp images carry both).
const ZookeeperReady = `set -eu
url="http://127.0.0.1:${ZOOKEEPER_ADMIN_SERVER_PORT}/commands/ruok"
if command -v curl >/dev/null 2>&1; then
  body=$(curl -fsS --max-time 3 "${url}")
else
  body=$(wget -q -T 3 -O - "${url}")
fi
case "$(printf '%s' "${body}" | tr -d ' \t\r\n')" in
  *'"error":null'*) exit 0 ;;
esac
echo "zookeeper-ready: ${body}" >&2
exit 1
`

// KafkaKRaftStart is the command of a Kafka pod in kraft mode (combined
// broker and controller). It writes the pod's server.properties: the
// mounted one (what every pod shares: roles, listeners, the controller
// quorum, replication, retention) followed by node.id (the pod's
// ordinal, matching its entry in controller.quorum.voters) and
// advertised.listeners (the pod's stable DNS name); formats the data
// volume with the cluster ID unless it is formatted already (a restart
// keeps its data); and execs kafka-server-start.sh with JMX on
// KAFKA_JMX_PORT (the RMI port too, so one port reaches it) announced
// as KAFKA_JMX_HOSTNAME. JMX is set for the broker alone: the format
// step, in the same container, must not bind the port.
const KafkaKRaftStart = `set -eu
log() { echo "kafka-start: $*"; }
case "${KAFKA_NODE_ID:-}" in
  '' | *[!0-9]*)
    echo "kafka-start: KAFKA_NODE_ID must be the pod's ordinal (label apps.kubernetes.io/pod-index), not '${KAFKA_NODE_ID:-}'" >&2
    exit 1
    ;;
esac
config=${KAFKA_CONFIG_FILE}
{
  cat "${KAFKA_CONFIG_TEMPLATE}"
  echo "node.id=${KAFKA_NODE_ID}"
  echo "advertised.listeners=${KAFKA_ADVERTISED_LISTENERS}"
} >"${config}"
log "node ${KAFKA_NODE_ID} of cluster ${CLUSTER_ID}, advertised as ${KAFKA_ADVERTISED_LISTENERS}"
KAFKA_HEAP_OPTS="-Xmx256m" "${KAFKA_HOME}/bin/kafka-storage.sh" format \
  --cluster-id "${CLUSTER_ID}" --config "${config}" --ignore-formatted
KAFKA_JMX_OPTS="-Dcom.sun.management.jmxremote=true -Dcom.sun.management.jmxremote.authenticate=false"
KAFKA_JMX_OPTS="${KAFKA_JMX_OPTS} -Dcom.sun.management.jmxremote.ssl=false -Dcom.sun.management.jmxremote.local.only=false"
KAFKA_JMX_OPTS="${KAFKA_JMX_OPTS} -Dcom.sun.management.jmxremote.port=${KAFKA_JMX_PORT}"
KAFKA_JMX_OPTS="${KAFKA_JMX_OPTS} -Dcom.sun.management.jmxremote.rmi.port=${KAFKA_JMX_PORT}"
KAFKA_JMX_OPTS="${KAFKA_JMX_OPTS} -Djava.rmi.server.hostname=${KAFKA_JMX_HOSTNAME}"
export KAFKA_JMX_OPTS
exec "${KAFKA_HOME}/bin/kafka-server-start.sh" "${config}"
`

// KafkaTopics creates and grows the catalog's topics, from the Job that
// runs on every sync, with Kafka's own CLI tools (kafka-topics,
// kafka-configs, kafka-broker-api-versions: KAFKA_TOOLS_DIR and
// KAFKA_TOOLS_SUFFIX say where the image keeps them):
//
//  1. waits until the brokers at KAFKA_BOOTSTRAP_SERVERS answer
//     (WAIT_RETRIES tries, WAIT_INTERVAL_SECONDS apart);
//  2. for each line of KAFKA_TOPICS ("name partitions replicas
//     retention.ms min.insync.replicas"), kafka-topics --create
//     --if-not-exists with those settings. A topic that existed is
//     described: fewer partitions than the catalog's are raised (--alter
//     --partitions); more are reported in a warning naming both counts
//     and never decreased (Kafka cannot); a different replication factor
//     is reported too; retention.ms and min.insync.replicas are set
//     (kafka-configs) when they differ;
//  3. logs one line per topic, and exits non-zero, naming how many, when
//     a create, describe or alter failed (after trying every topic).
//
// Every call is bounded by timeout(1), so an unreachable broker cannot
// hang the Job (a Job that never ends holds its sync wave). Only
// --bootstrap-server is used: the --zookeeper flag is gone since Kafka
// 3.0. The tools read nothing from stdin.
const KafkaTopics = `set -eu
set -f
log() { echo "kafka-topics: $*"; }
warn() { echo "kafka-topics: $*" >&2; }
# tool runs Kafka CLI tool $1 with the remaining arguments.
tool() {
  tool_name=$1
  shift
  timeout ` + kafkaToolTimeout + ` "${KAFKA_TOOLS_DIR:-}${tool_name}${KAFKA_TOOLS_SUFFIX:-}" "$@" </dev/null
}
# last prints the last non-empty line of $1: a tool's error.
last() {
  printf '%s\n' "$1" | sed '/^[[:space:]]*$/d' | tail -n 1
}
# field prints the number after "$1:" in describe output $2.
field() {
  printf '%s\n' "$2" | sed -n "s/.*$1:[[:space:]]*\([0-9][0-9]*\).*/\1/p" | head -n 1
}
# config prints the value of topic config $1 (dots escaped) in describe output $2.
config() {
  printf '%s\n' "$2" | sed -n "s/.*[[:space:],]$1=\([^,[:space:]]*\).*/\1/p" | head -n 1
}
bootstrap=${KAFKA_BOOTSTRAP_SERVERS}

try=1
while ! out=$(tool kafka-broker-api-versions --bootstrap-server "${bootstrap}" 2>&1); do
  if [ "${try}" -ge "${WAIT_RETRIES}" ]; then
    warn "Kafka at ${bootstrap} does not answer after ${WAIT_RETRIES} tries, giving up: $(last "${out}")"
    exit 1
  fi
  log "Kafka at ${bootstrap} does not answer yet (try ${try}/${WAIT_RETRIES}), retrying in ${WAIT_INTERVAL_SECONDS}s"
  try=$((try + 1))
  sleep "${WAIT_INTERVAL_SECONDS}"
done
log "Kafka at ${bootstrap} answers (try ${try}/${WAIT_RETRIES})"

total=0
failed=0
while read -r name partitions replicas retention isr; do
  if [ -z "${name}" ]; then
    continue
  fi
  total=$((total + 1))
  if ! out=$(tool kafka-topics --bootstrap-server "${bootstrap}" --create --if-not-exists \
    --topic "${name}" --partitions "${partitions}" --replication-factor "${replicas}" \
    --config "retention.ms=${retention}" --config "min.insync.replicas=${isr}" 2>&1); then
    warn "${name}: create failed: $(last "${out}")"
    failed=$((failed + 1))
    continue
  fi
  case "${out}" in
    *"Created topic"*)
      log "${name}: created with ${partitions} partitions, replication factor ${replicas}, retention.ms=${retention}, min.insync.replicas=${isr}"
      continue
      ;;
  esac
  if ! desc=$(tool kafka-topics --bootstrap-server "${bootstrap}" --describe --topic "${name}" 2>&1); then
    warn "${name}: exists, but describe failed: $(last "${desc}")"
    failed=$((failed + 1))
    continue
  fi
  have=$(field PartitionCount "${desc}")
  factor=$(field ReplicationFactor "${desc}")
  if [ -z "${have}" ]; then
    warn "${name}: exists, but describe shows no partition count: $(last "${desc}")"
    failed=$((failed + 1))
    continue
  fi
  msg="exists with ${have} partitions"
  warning=""
  if [ "${have}" -lt "${partitions}" ]; then
    if ! out=$(tool kafka-topics --bootstrap-server "${bootstrap}" --alter --topic "${name}" --partitions "${partitions}" 2>&1); then
      warn "${name}: raising partitions from ${have} to ${partitions} failed: $(last "${out}")"
      failed=$((failed + 1))
      continue
    fi
    msg="partitions raised from ${have} to ${partitions}"
  elif [ "${have}" -gt "${partitions}" ]; then
    warning="${warning}; WARNING: it has ${have} partitions, the catalog says ${partitions}: partitions are never decreased"
  fi
  if [ -n "${factor}" ] && [ "${factor}" != "${replicas}" ]; then
    warning="${warning}; WARNING: its replication factor is ${factor}, the catalog says ${replicas}: not changed here (kafka-reassign-partitions does)"
  fi
  if [ "$(config 'retention\.ms' "${desc}")" != "${retention}" ] || [ "$(config 'min\.insync\.replicas' "${desc}")" != "${isr}" ]; then
    if ! out=$(tool kafka-configs --bootstrap-server "${bootstrap}" --alter --entity-type topics --entity-name "${name}" \
      --add-config "retention.ms=${retention},min.insync.replicas=${isr}" 2>&1); then
      warn "${name}: ${msg}, but setting retention.ms=${retention}, min.insync.replicas=${isr} failed: $(last "${out}")"
      failed=$((failed + 1))
      continue
    fi
    msg="${msg}; set retention.ms=${retention}, min.insync.replicas=${isr}"
  fi
  if [ -n "${warning}" ]; then
    warn "${name}: ${msg}${warning}"
  else
    log "${name}: ${msg}"
  fi
done <<EOF
${KAFKA_TOPICS}
EOF
if [ "${failed}" -gt 0 ]; then
  warn "${failed} of ${total} topics failed"
  exit 1
fi
log "${total} topics checked"
`
