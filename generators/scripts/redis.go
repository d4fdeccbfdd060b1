package scripts

// Environment of the Redis Cluster scripts. The password comes from the
// Secret as REDIS_PASSWORD (naming.EnvRedisPassword) for the server and
// REDISCLI_AUTH for every redis-cli, which reads it from there: never an
// argument of redis-cli, never a file, never a log line.
const (
	EnvRedisConfigFile  = "REDIS_CONFIG_FILE"         // redis.conf, as the ConfigMap is mounted
	EnvRedisClusterFile = "REDIS_CLUSTER_CONFIG_FILE" // redis.conf's cluster-config-file (nodes.conf)
	EnvPodName          = "POD_NAME"                  // the pod's name (downward API): redis-0
	EnvPodIP            = "POD_IP"                    // the pod's IP (downward API)
	EnvRedisHeadless    = "REDIS_HEADLESS_FQDN"       // <headless>.<namespace>.svc.cluster.local
	EnvRedisNodes       = "REDIS_NODES"               // every node as host:port, blank-separated
	EnvRedisReplicas    = "REDIS_REPLICAS_PER_MASTER" // --cluster-replicas
	EnvRedisCLIAuth     = "REDISCLI_AUTH"             // redis-cli's password
)

// RedisStart is the command of a Redis Cluster pod: it puts the pod's
// current addresses into nodes.conf, then execs redis-server with the
// mounted redis.conf.
//
// A node's identity is its node ID in nodes.conf, on the pod's own
// volume; its IP changes whenever the pod is rescheduled. Redis learns
// a peer's new address when the peer connects, but never its own, and a
// node only reaches peers at the addresses it has stored. So before the
// start, the line flagged myself gets $POD_IP, and every other line whose
// announced hostname (<pod>.<headless FQDN>, stored since Redis 7.0)
// resolves gets that address (getent ahosts, same address family, at
// most 5 s a name); a name that does not resolve yet keeps its old
// address, and that peer, once up, reaches this node at its new one.
// That way a single rescheduled pod rejoins, and so does a cluster whose
// pods all came back with new IPs (a scaled-to-zero staging cluster,
// a replaced node pool) instead of each node waiting for addresses that
// are gone.
//
// The password reaches redis-server only as arguments (requirepass, and
// masterauth for replicas); redis-server overwrites its argv with its
// process title. Arguments after the script's name ($0) are passed on to
// redis-server after the others, so they win: the pod has none; the
// loopback test uses them for its ports, paths and bind address.
const RedisStart = `set -eu
set -f
log() { echo "redis-start: $*"; }
: "${POD_IP:?must be the pod IP}"

# family prints 6 for an IPv6 address, else 4.
family() {
  case "$1" in
    *:*) echo 6 ;;
    *) echo 4 ;;
  esac
}

# resolve prints the first address of host $1 in family $2, or nothing.
resolve() {
  { timeout 5 getent ahosts "$1" 2>/dev/null || true; } |
    awk -v want="$2" '{ f = (index($1, ":") > 0) ? 6 : 4 } f == want { print $1; exit }'
}

# relocate prints nodes.conf line $1 with the node's current address:
# <id> <ip>:<port>@<cport>[,<hostname>[,...]] <flags> ...
relocate() {
  line=$1
  # shellcheck disable=SC2086 # split into fields; globbing is off
  set -- $1
  if [ "$#" -lt 3 ]; then
    printf '%s\n' "${line}"
    return
  fi
  id=$1 addr=$2 flags=$3
  case "${addr}" in
    *:*@*) ;;
    *)
      printf '%s\n' "${line}"
      return
      ;;
  esac
  hostport=${addr%%@*}
  bus=${addr#*@}
  old=${hostport%:*}
  host=""
  case "${bus}" in
    *,*)
      host=${bus#*,}
      host=${host%%,*}
      ;;
  esac
  case ",${flags}," in
    *,myself,*) new=${POD_IP} ;;
    *)
      new=""
      if [ -n "${host}" ]; then
        new=$(resolve "${host}" "$(family "${old}")")
      fi
      if [ -z "${new}" ]; then
        if [ -n "${host}" ]; then
          log "${host} (${id}) does not resolve yet; keeping ${old}" >&2
        fi
        printf '%s\n' "${line}"
        return
      fi
      ;;
  esac
  if [ "${new}" != "${old}" ]; then
    log "${host:-this node} (${id}) is now at ${new}, was ${old}" >&2
  fi
  printf '%s %s:%s@%s' "${id}" "${new}" "${hostport##*:}" "${bus}"
  printf '%s\n' "${line#"${id} ${addr}"}"
}

nodes_conf=${REDIS_CLUSTER_CONFIG_FILE}
if [ -s "${nodes_conf}" ]; then
  tmp="${nodes_conf}.novagen-tmp"
  : >"${tmp}"
  while IFS= read -r line || [ -n "${line}" ]; do
    relocate "${line}" >>"${tmp}"
  done <"${nodes_conf}"
  mv -f "${tmp}" "${nodes_conf}"
  log "${nodes_conf}: addresses brought up to date"
else
  log "no ${nodes_conf}: a new node"
fi

announce="${POD_NAME}.${REDIS_HEADLESS_FQDN}"
log "starting redis-server as ${announce} (${POD_IP})"
exec redis-server "${REDIS_CONFIG_FILE}" \
  --requirepass "${REDIS_PASSWORD}" \
  --masterauth "${REDIS_PASSWORD}" \
  --cluster-announce-hostname "${announce}" \
  "$@"
`

// RedisClusterInit forms the Redis Cluster once, from the Job that runs
// on every sync:
//
//  1. waits until every node of REDIS_NODES answers PING (WAIT_RETRIES
//     tries, WAIT_INTERVAL_SECONDS apart);
//  2. asks every node for CLUSTER INFO: if one reports cluster_state:ok
//     with all 16384 slots assigned, the cluster exists and the script
//     exits 0 having changed nothing;
//  3. if no node knows another or holds a slot, creates the cluster
//     (redis-cli --cluster create, REDIS_REPLICAS_PER_MASTER replicas per
//     master); if some do, it is a cluster on its way back (a restart):
//     it creates nothing;
//  4. waits until every node reports cluster_state:ok and 16384 slots,
//     and fails, naming a node's state, if they do not.
//
// Nodes are host:port with host names: redis-cli (7.0.5 and later)
// resolves the name it sends in CLUSTER MEET itself, and connects to the
// others by name. redis-cli authenticates with REDISCLI_AUTH. Every call
// is bounded by timeout(1), so a node whose packets are dropped cannot
// hang the Job.
const RedisClusterInit = `set -eu
set -f
log() { echo "redis-cluster-init: $*"; }
fail() {
  echo "redis-cluster-init: $*" >&2
  exit 1
}
# shellcheck disable=SC2086 # REDIS_NODES is a blank-separated list
set -- ${REDIS_NODES}
total=$#
if [ "${total}" -eq 0 ]; then
  fail "REDIS_NODES is empty"
fi

# cli runs redis-cli against node $1 (host:port) with the remaining arguments.
cli() {
  target=$1
  shift
  timeout 10 redis-cli -h "${target%:*}" -p "${target##*:}" "$@" 2>&1 | tr -d '\r'
}

# field prints the value of field $1 in CLUSTER INFO text $2.
field() {
  printf '%s\n' "$2" | sed -n "s/^$1://p"
}

# state prints node $1's view of the cluster in one line.
state() {
  info=$(cli "$1" cluster info || true)
  st=$(field cluster_state "${info}")
  if [ -z "${st}" ]; then
    printf '%s\n' "$(printf '%s' "${info}" | head -n 1)"
    return
  fi
  printf 'cluster_state:%s slots_assigned:%s known_nodes:%s\n' "${st}" \
    "$(field cluster_slots_assigned "${info}")" "$(field cluster_known_nodes "${info}")"
}

# pong prints why node $1 does not answer PING, nothing when it does.
pong() {
  reply=$(cli "$1" ping || true)
  if [ "${reply}" != PONG ]; then
    printf '%s\n' "$(printf '%s' "${reply}" | head -n 1)"
  fi
}

# healthy prints node $1's state unless it is ok with every slot assigned.
healthy() {
  s=$(state "$1")
  case "${s}" in
    "cluster_state:ok slots_assigned:16384 "*) ;;
    *) printf '%s\n' "${s}" ;;
  esac
}

# wait_for runs check $1 (pong or healthy) on every node until none
# complains, WAIT_RETRIES tries WAIT_INTERVAL_SECONDS apart, logging the
# first complaint of each try; $2 says what the nodes should do.
wait_for() {
  try=1
  while :; do
    bad=0
    first=""
    for node in ${REDIS_NODES}; do
      why=$("$1" "${node}")
      if [ -n "${why}" ]; then
        bad=$((bad + 1))
        if [ -z "${first}" ]; then
          first="${node}: ${why}"
        fi
      fi
    done
    if [ "${bad}" -eq 0 ]; then
      log "all ${total} nodes $2 (try ${try}/${WAIT_RETRIES})"
      return
    fi
    if [ "${try}" -ge "${WAIT_RETRIES}" ]; then
      fail "${bad} of ${total} nodes do not $2 after ${WAIT_RETRIES} tries, giving up (${first})"
    fi
    log "${bad} of ${total} nodes do not $2 yet (${first}); try ${try}/${WAIT_RETRIES}, retrying in ${WAIT_INTERVAL_SECONDS}s"
    try=$((try + 1))
    sleep "${WAIT_INTERVAL_SECONDS}"
  done
}

wait_for pong "answer PING"

formed=""
for node in ${REDIS_NODES}; do
  s=$(state "${node}")
  log "${node}: ${s}"
  case "${s}" in
    "cluster_state:ok slots_assigned:16384 "*)
      log "the cluster exists: ${node} reports cluster_state:ok with 16384 slots assigned; nothing to do"
      exit 0
      ;;
    "cluster_state:"*" slots_assigned:0 known_nodes:1") ;;
    "cluster_state:"*) formed=${formed:-${node}} ;;
    *) fail "${node} gives no CLUSTER INFO (${s}): is it down again, or not in cluster mode?" ;;
  esac
done

if [ -n "${formed}" ]; then
  log "${formed} already knows other nodes or holds slots: not creating the cluster, waiting for it to recover"
else
  log "creating the cluster: ${total} nodes, ${REDIS_REPLICAS_PER_MASTER} replicas per master"
  # shellcheck disable=SC2086 # one argument per node
  if ! out=$(timeout 120 redis-cli --cluster create ${REDIS_NODES} --cluster-replicas "${REDIS_REPLICAS_PER_MASTER}" --cluster-yes 2>&1); then
    printf '%s\n' "${out}" >&2
    fail "redis-cli --cluster create failed"
  fi
  log "redis-cli --cluster create succeeded"
fi

wait_for healthy "report cluster_state:ok with 16384 slots assigned"
`
