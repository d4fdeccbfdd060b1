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
	EnvBusybox             = "BUSYBOX"              // busybox (copied into the probe's image): date, sleep, wget
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
	validationRetrySeconds = "2"                    // between two tries of what still fails
)

// Environment of the checks that wait (settlePrelude) and of their
// targets.
const (
	EnvValidationSettle    = "VALIDATION_SETTLE_SECONDS" // how long the waiting checks keep trying, all together
	EnvValidationExternals = "VALIDATION_EXTERNALS"      // one external component a line: name host port [the services waiting for it]
	EnvValidationEntries   = "VALIDATION_ENTRY_POINTS"   // one entry point a line: host, its certificate's Secret, the path of its tls.crt
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
# shellcheck disable=SC2317 # not every check fails (the entry points' warn)
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

// settlePrelude follows checkPrelude in the checks that wait: they run
// beside the sync's last wave, whose services may still be starting, so
// each retries what fails until the settle deadline. The deadline is the
// pod's, not each check's: the first waiting check to run sets it
// VALIDATION_SETTLE_SECONDS ahead in REPORT_DIR, so together they wait
// no longer than that. date and sleep are BUSYBOX's (the probe's image
// has nothing else).
const settlePrelude = `now() { "${BUSYBOX}" date +%s; }
deadline_file="${REPORT_DIR}/.settle-deadline"
if [ -s "${deadline_file}" ]; then
  read -r deadline <"${deadline_file}"
else
  deadline=$(($(now) + VALIDATION_SETTLE_SECONDS))
  echo "${deadline}" >"${deadline_file}"
fi
# until_settled calls attempt with the fields of each line of $1 (a
# success records its PASS) and again, every ` + validationRetrySeconds + ` s, with the lines that
# fail, until all have passed or the deadline has passed; then each line
# still failing gets a last try and, failing it, give_up with the same
# fields (attempt leaves its error in out). Nothing reads stdin.
until_settled() {
  pending=$1
  final=''
  while [ -n "${pending}" ]; do
    if [ "$(now)" -ge "${deadline}" ]; then
      final=1
    fi
    next=''
    while IFS= read -r line; do
      if [ -z "${line}" ]; then
        continue
      fi
      # shellcheck disable=SC2086 # the line's fields (set -f: no globbing)
      if attempt ${line} </dev/null; then
        continue
      elif [ -n "${final}" ]; then
        # shellcheck disable=SC2086
        give_up ${line}
      else
        next="${next}${line}
"
      fi
    done <<EOF
${pending}
EOF
    pending=${next}
    if [ -n "${pending}" ]; then
      "${BUSYBOX}" sleep ` + validationRetrySeconds + `
    fi
  done
}
`

// ValidateGRPC asks every service of VALIDATION_SERVICES for its health
// until it answers or the settle deadline passes: a grpc service
// (grpc.health.v1, the overall server) with grpc_health_probe at
// GRPC_HEALTH_PROBE, SERVING passes; an http service (a line with a
// health path) with busybox wget at BUSYBOX, a 2xx passes. A service
// that never does fails with its last error. It runs in the probe's
// distroless image under busybox sh, so it uses builtins and BUSYBOX only.
const ValidateGRPC = checkPrelude + settlePrelude + `attempt() {
  if [ -n "${3:-}" ]; then
    url="http://$2$3"
    # busybox timeout, not wget -T (which crashes some busybox builds).
    if out=$("${BUSYBOX}" timeout ` + validationHTTPTimeout + ` "${BUSYBOX}" wget -q -O /dev/null "${url}" 2>&1); then
      pass "service $1: GET ${url} answers"
      return 0
    fi
    out="GET ${url}: $(first "${out:-wget failed}")"
    return 1
  fi
  if out=$("${GRPC_HEALTH_PROBE}" -addr="$2" -connect-timeout ` + validationProbeTimeout + ` -rpc-timeout ` + validationProbeTimeout + ` 2>&1); then
    pass "service $1 at $2: $(first "${out}")"
    return 0
  fi
  out="$(first "${out:-grpc_health_probe failed}")"
  return 1
}
give_up() {
  if [ -n "${3:-}" ]; then
    fail "service $1: ${out}"
  else
    fail "service $1 at $2: ${out}"
  fi
}
until_settled "${VALIDATION_SERVICES}"
exit 0
`

// ValidateExternal checks that every external component of
// VALIDATION_EXTERNALS accepts TCP connections (nc -z), retried until the
// settle deadline; one that never does fails, naming its address and the
// services that wait for it (they stay in their init containers).
const ValidateExternal = checkPrelude + settlePrelude + `# address prints host $1 and port $2 as one address ([IPv6]:port).
address() {
  case "$1" in
    *:*) printf '[%s]:%s' "$1" "$2" ;;
    *) printf '%s:%s' "$1" "$2" ;;
  esac
}
attempt() {
  if out=$(nc -z -w 2 "$2" "$3" 2>&1); then
    pass "$1 at $(address "$2" "$3") accepts connections"
    return 0
  fi
  return 1
}
give_up() {
  name=$1
  where=$(address "$2" "$3")
  shift 3
  fail "$name at $where accepts no connection${out:+ ($(first "${out}"))}: ${*:-no service} waits for it"
}
until_settled "${VALIDATION_EXTERNALS}"
exit 0
`

// ValidateEntryPoints checks that the certificate of every entry point of
// VALIDATION_ENTRY_POINTS has been issued: cert-manager has written
// tls.crt to its Secret, which the pod mounts (optional, that key only)
// and kubelet refreshes once the Secret appears. It waits until the settle
// deadline; a certificate still missing then is a warning, not a
// failure: issuing takes as long as DNS takes to point at the cluster,
// and until then the entry point serves no TLS, but nothing else is
// broken.
const ValidateEntryPoints = checkPrelude + settlePrelude + `attempt() {
  if [ -s "$3" ]; then
    pass "certificate for $1 issued (Secret $2)"
    return 0
  fi
  return 1
}
give_up() {
  warn "certificate for $1 not issued yet (Secret $2 has no tls.crt): the entry point serves no TLS"
}
until_settled "${VALIDATION_ENTRY_POINTS}"
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
