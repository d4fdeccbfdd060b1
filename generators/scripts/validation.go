package scripts

// Environment of the validation scripts. Each check reads its targets
// from the catalog through these variables (and the clients' own:
// PGHOST..., REDISCLI_AUTH, CLICKHOUSE_*, KAFKA_BOOTSTRAP_SERVERS) and
// writes its results to REPORT_DIR/CHECK_NAME; ValidationReport reads
// them all.
const (
	EnvReportDir           = "REPORT_DIR"           // the shared emptyDir
	EnvCheckName           = "CHECK_NAME"           // this check's file in REPORT_DIR
	EnvValidationChecks    = "VALIDATION_CHECKS"    // every check's name, blank-separated, in order
	EnvValidationTitle     = "VALIDATION_TITLE"     // the report's first line
	EnvValidationDatabases = "VALIDATION_DATABASES" // PostgreSQL databases, blank-separated
	EnvValidationTopics    = "VALIDATION_TOPICS"    // one topic a line: name partitions
	EnvValidationTables    = "VALIDATION_TABLES"    // ClickHouse tables, blank-separated
	EnvValidationServices  = "VALIDATION_SERVICES"  // one service a line: name host:port [health path of an http service]
	EnvBusybox             = "BUSYBOX"              // busybox copied into the probe's image: its wget asks http services
	EnvRedisHost           = "REDIS_HOST"           // the Redis client Service
	EnvRedisPort           = "REDIS_PORT"           //
	EnvGRPCHealthProbe     = "GRPC_HEALTH_PROBE"    // the probe's path in its image
	EnvForceColor          = "FORCE_COLOR"          // colours even when stdout is no terminal
	EnvNoColor             = "NO_COLOR"             // no colours even on a terminal (no-color.org)
	ValidationPass         = "PASS"                 // the three results, first word of a line
	ValidationFail         = "FAIL"                 //
	ValidationWarn         = "WARN"                 //
	validationToolTimeout  = "60"                   // seconds, for one client call
	validationProbeTimeout = "5s"                   // grpc_health_probe's connect and RPC timeouts
	validationHTTPTimeout  = "5"                    // seconds, wget's for an http service
)

// checkPrelude starts every check: pass, fail and warn append a result
// line ("PASS message") to REPORT_DIR/CHECK_NAME and echo it, so the
// check's own log shows it too. It uses shell builtins only: the gRPC
// check runs where busybox sh is the only program besides the probe.
// A check never exits non-zero (an init container that fails stops the
// pod before the report); a check that cannot run says FAIL instead.
const checkPrelude = `set -u
set -f
result_file="${REPORT_DIR}/${CHECK_NAME}"
: >"${result_file}"
record() {
  printf '%s %s\n' "$1" "$2" >>"${result_file}"
  printf '%s %s\n' "$1" "$2"
}
pass() { record PASS "$*"; }
fail() { record FAIL "$*"; }
# shellcheck disable=SC2317 # not every check warns
warn() { record WARN "$*"; }
# first prints the first line of $1: a client's error, on one line.
# shellcheck disable=SC2317 # not every check uses it
first() {
  nl='
'
  printf '%s' "${1%%"${nl}"*}"
}
# present records, for each word of $3, whether it is a line of $2:
# "<$1><word> exists" or "<$1><word> is missing".
# shellcheck disable=SC2317 # not every check uses it
present() {
  for item in $3; do
    if printf '%s\n' "$2" | grep -qxF -- "${item}"; then
      pass "$1${item} exists"
    else
      fail "$1${item} is missing"
    fi
  done
}
`

// ValidatePostgres checks that PostgreSQL (PGHOST, PGPORT, the admin from
// PGUSER and PGPASSWORD) answers, and that every database of
// VALIDATION_DATABASES exists. No catalog value is ever part of SQL: the
// list of databases is read and compared in the shell.
const ValidatePostgres = checkPrelude + `where="postgres at ${PGHOST}:${PGPORT}"
if ! version=$(psql -X -A -t -v ON_ERROR_STOP=1 -c 'SHOW server_version' 2>&1 </dev/null); then
  fail "${where}: $(first "${version}")"
  exit 0
fi
pass "${where} answers (PostgreSQL ${version})"
if ! have=$(psql -X -A -t -v ON_ERROR_STOP=1 -c 'SELECT datname FROM pg_database' 2>&1 </dev/null); then
  fail "${where}: listing the databases: $(first "${have}")"
  exit 0
fi
present "database " "${have}" "${VALIDATION_DATABASES}"
exit 0
`

// ValidateRedis checks that the Redis Cluster behind REDIS_HOST:REDIS_PORT
// reports cluster_state:ok with every slot assigned (redis-cli reads the
// password from REDISCLI_AUTH), and warns about slots a node suspects.
const ValidateRedis = checkPrelude + `where="redis at ${REDIS_HOST}:${REDIS_PORT}"
out=$(timeout ` + validationToolTimeout + ` redis-cli -h "${REDIS_HOST}" -p "${REDIS_PORT}" cluster info 2>&1 </dev/null | tr -d '\r')
field() { printf '%s\n' "${out}" | sed -n "s/^$1://p"; }
state=$(field cluster_state)
case "${state}" in
  ok)
    slots=$(field cluster_slots_assigned)
    nodes=$(field cluster_known_nodes)
    if [ "${slots}" = 16384 ]; then
      pass "${where}: cluster_state:ok, 16384 slots assigned, ${nodes} nodes"
    else
      fail "${where}: cluster_state:ok but ${slots:-no} of 16384 slots assigned"
    fi
    pfail=$(field cluster_slots_pfail)
    if [ "${pfail:-0}" != 0 ]; then
      warn "${where}: ${pfail} slots on nodes suspected to fail (cluster_slots_pfail)"
    fi
    ;;
  '') fail "${where}: no cluster state: $(first "${out:-no answer within ` + validationToolTimeout + `s}")" ;;
  *) fail "${where}: cluster_state:${state}, $(field cluster_slots_ok) slots ok, $(field cluster_slots_fail) failed" ;;
esac
exit 0
`

// ValidateKafka checks that the brokers at KAFKA_BOOTSTRAP_SERVERS answer
// and that every topic of VALIDATION_TOPICS exists with the catalog's
// partitions: fewer fail, more warn (Kafka cannot lower them; the topic
// Job says the same). One describe of all topics, one JVM; no awk (not
// in every Kafka image).
const ValidateKafka = checkPrelude + `where="kafka at ${KAFKA_BOOTSTRAP_SERVERS}"
if ! desc=$(timeout ` + validationToolTimeout + ` "${KAFKA_TOOLS_DIR:-}kafka-topics${KAFKA_TOOLS_SUFFIX:-}" \
  --bootstrap-server "${KAFKA_BOOTSTRAP_SERVERS}" --describe 2>&1 </dev/null); then
  fail "${where}: $(printf '%s\n' "${desc}" | grep -v '^[[:space:]]*$' | tail -n 1)"
  exit 0
fi
pass "${where} answers"
# partitions prints the PartitionCount of topic $1 in the describe output,
# comparing names as strings (a topic's '.' is no pattern).
partitions() {
  printf '%s\n' "${desc}" | while read -r word topic rest; do
    if [ "${word}" != "Topic:" ] || [ "${topic}" != "$1" ]; then
      continue
    fi
    case "${rest}" in
      *PartitionCount:*)
        # shellcheck disable=SC2086 # its first word
        set -- ${rest#*PartitionCount:}
        echo "$1"
        break
        ;;
    esac
  done
}
while read -r name want; do
  if [ -z "${name}" ]; then
    continue
  fi
  have=$(partitions "${name}")
  if [ -z "${have}" ]; then
    fail "topic ${name} is missing"
  elif [ "${have}" -lt "${want}" ]; then
    fail "topic ${name} has ${have} partitions, the catalog says ${want}"
  elif [ "${have}" -gt "${want}" ]; then
    warn "topic ${name} has ${have} partitions, more than the catalog's ${want}"
  else
    pass "topic ${name} exists with ${have} partitions"
  fi
done <<EOF
${VALIDATION_TOPICS}
EOF
exit 0
`

// ValidateClickHouse checks that ClickHouse answers the schema Job's
// login and that every table of VALIDATION_TABLES is in
// CLICKHOUSE_DATABASE (the login may SHOW TABLES there). The database
// name is a query parameter, never SQL text.
const ValidateClickHouse = checkPrelude + `where="clickhouse at ${CLICKHOUSE_HOST}:${CLICKHOUSE_PORT}"
ch() {
  timeout ` + validationToolTimeout + ` clickhouse-client --host "${CLICKHOUSE_HOST}" --port "${CLICKHOUSE_PORT}" \
    --user "${CLICKHOUSE_USER}" --password "${CLICKHOUSE_PASSWORD}" "$@" </dev/null
}
if ! version=$(ch --query 'SELECT version()' 2>&1); then
  fail "${where}: $(first "${version}")"
  exit 0
fi
pass "${where} answers (ClickHouse ${version})"
if ! have=$(ch --param_db="${CLICKHOUSE_DATABASE}" \
  --query 'SELECT name FROM system.tables WHERE database = {db:String}' 2>&1); then
  fail "${where}: listing the tables of ${CLICKHOUSE_DATABASE}: $(first "${have}")"
  exit 0
fi
present "table ${CLICKHOUSE_DATABASE}." "${have}" "${VALIDATION_TABLES}"
exit 0
`

// ValidateGRPC asks every service of VALIDATION_SERVICES for its health:
// a grpc service (grpc.health.v1, the overall server) with
// grpc_health_probe at GRPC_HEALTH_PROBE, SERVING passes; an http service
// (a line with a health path) with busybox wget at BUSYBOX, a 2xx passes.
// Anything else fails. It runs in the probe's distroless image under
// busybox sh, so it uses builtins only.
const ValidateGRPC = checkPrelude + `while read -r name addr path; do
  if [ -z "${name}" ]; then
    continue
  fi
  if [ -n "${path}" ]; then
    url="http://${addr}${path}"
    # busybox timeout, not wget -T (which crashes some busybox builds).
    if out=$("${BUSYBOX}" timeout ` + validationHTTPTimeout + ` "${BUSYBOX}" wget -q -O /dev/null "${url}" 2>&1); then
      pass "service ${name}: GET ${url} answers"
    else
      fail "service ${name}: GET ${url}: $(first "${out:-wget failed}")"
    fi
    continue
  fi
  if out=$("${GRPC_HEALTH_PROBE}" -addr="${addr}" -connect-timeout ` + validationProbeTimeout + ` -rpc-timeout ` + validationProbeTimeout + ` 2>&1); then
    pass "service ${name} at ${addr}: $(first "${out}")"
  else
    fail "service ${name} at ${addr}: $(first "${out:-grpc_health_probe failed}")"
  fi
done <<EOF
${VALIDATION_SERVICES}
EOF
exit 0
`

// ValidationReport prints every check's results, in VALIDATION_CHECKS
// order, with the totals, and exits 1 when any failed (or a check left
// no result: it did not run to its end). Colours only on a terminal or
// with FORCE_COLOR set, never with NO_COLOR: in a Job's log, read
// through kubectl or Argo CD, escape codes are noise.
const ValidationReport = `set -u
set -f
if [ -z "${NO_COLOR:-}" ] && { [ -n "${FORCE_COLOR:-}" ] || [ -t 1 ]; }; then
  esc=$(printf '\033')
  green="${esc}[32m" red="${esc}[31m" yellow="${esc}[33m" bold="${esc}[1m" reset="${esc}[0m"
else
  green="" red="" yellow="" bold="" reset=""
fi
passed=0 failed=0 warned=0
echo "${bold}${VALIDATION_TITLE}${reset}"
for check in ${VALIDATION_CHECKS}; do
  file="${REPORT_DIR}/${check}"
  lines=0
  if [ -f "${file}" ]; then
    while IFS= read -r line; do
      case "${line}" in
        "PASS "*) passed=$((passed + 1)) colour=${green} ;;
        "FAIL "*) failed=$((failed + 1)) colour=${red} ;;
        "WARN "*) warned=$((warned + 1)) colour=${yellow} ;;
        *) continue ;;
      esac
      lines=$((lines + 1))
      printf '%s%s%s %s: %s\n' "${colour}" "${line%% *}" "${reset}" "${check}" "${line#* }"
    done <"${file}"
  fi
  if [ "${lines}" -eq 0 ]; then
    failed=$((failed + 1))
    printf '%sFAIL%s %s: no result (the check did not finish)\n' "${red}" "${reset}" "${check}"
  fi
done
total=$((passed + failed + warned))
printf '%s%d checks: %d passed, %d failed, %d warnings%s\n' "${bold}" "${total}" "${passed}" "${failed}" "${warned}" "${reset}"
if [ "${failed}" -gt 0 ]; then
  echo "${red}validation failed${reset}"
  exit 1
fi
echo "${green}validation passed${reset}"
`
