package scripts

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/novagen/novagen/internal/testtool"
	"github.com/novagen/novagen/naming"
)

// The checks that have no real program here (kafka-topics, clickhouse-
// client, grpc_health_probe) run under busybox sh as the pod's UID with
// fakes; test/postgres and test/redis run the PostgreSQL and Redis checks
// against real servers.

func TestValidationScriptsShellcheck(t *testing.T) {
	shellcheckClean(t, map[string]string{"ValidatePostgres": ValidatePostgres, "ValidateRedis": ValidateRedis,
		"ValidateKafka": ValidateKafka, "ValidateClickHouse": ValidateClickHouse, "ValidateGRPC": ValidateGRPC,
		"ValidateExternal": ValidateExternal, "ValidateEntryPoints": ValidateEntryPoints, "ValidationReport": ValidationReport})
}

// runCheck runs a check script as the pod's UID, with PATH first on
// PATH, and returns its stdout, exit code and result file.
func runCheck(t *testing.T, script, name, path string, env ...string) (string, int, string) {
	t.Helper()
	return runCheckIn(t, testtool.SharedDir(t), script, name, path, env...)
}

// runCheckIn is runCheck with dir as the report directory.
func runCheckIn(t *testing.T, dir, script, name, path string, env ...string) (string, int, string) {
	t.Helper()
	// busybox is where the pod has it for the checks that need it (date,
	// sleep, wget); the others never use it.
	env = append([]string{"PATH=" + path + ":/usr/local/bin:/usr/bin:/bin", EnvReportDir + "=" + dir, EnvCheckName + "=" + name,
		EnvBusybox + "=" + testtool.Require(t, "busybox")}, env...)
	out, errOut, code := testtool.AsUID(t, podUID, script, nil, env)
	assert.Empty(t, errOut)
	b, err := os.ReadFile(filepath.Join(dir, name))
	require.NoError(t, err, "the result file")
	assert.Equal(t, string(b), out, "the log shows what the report gets")
	return out, code, string(b)
}

// sortedLines are the lines of a waiting check's report, sorted: which
// round of retries a result comes in depends on the machine's load (the
// deadline may pass before a late answer is asked for again), what the
// results are does not.
func sortedLines(out string) []string {
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	slices.Sort(lines)
	return lines
}

// settle is VALIDATION_SETTLE_SECONDS: how long the waiting checks try.
func settle(seconds int) string { return EnvValidationSettle + "=" + strconv.Itoa(seconds) }

func TestValidateKafka(t *testing.T) {
	f := testtool.NewFakeKafka(t, ".sh")
	// One describe of every topic: the fake keys it by an empty topic.
	f.File("describe.", testtool.DescribeOutput("orders", 12, 3, "")+testtool.DescribeOutput("audit", 2, 1, "")+
		testtool.DescribeOutput("clicks", 8, 1, "")+testtool.DescribeOutput("orders-archive", 1, 1, ""))
	env := []string{"FAKE=" + f.Dir, naming.EnvKafkaBootstrap + "=kafka:9092", EnvKafkaToolsDir + "=" + f.Dir + "/", EnvKafkaToolsSuffix + "=.sh",
		EnvValidationTopics + "=orders 12\naudit 3\n\nclicks 6\nlost 1\norders-arch 1\n"}
	out, code, _ := runCheck(t, ValidateKafka, "kafka", "/nonexistent", env...)
	assert.Zero(t, code)
	assert.Equal(t, "PASS kafka at kafka:9092 answers\n"+
		"PASS topic orders exists with 12 partitions\n"+
		"FAIL topic audit has 2 partitions, the catalog says 3\n"+
		"WARN topic clicks has 8 partitions, more than the catalog's 6\n"+
		"FAIL topic lost is missing\n"+
		"FAIL topic orders-arch is missing\n", out)
	assert.Equal(t, []string{"kafka-topics.sh [--bootstrap-server] [kafka:9092] [--describe]"}, f.Calls(""))

	f.File("fail-describe.", "")
	out, code, _ = runCheck(t, ValidateKafka, "kafka", "/nonexistent", env...)
	assert.Zero(t, code, "a check never fails its container")
	assert.Equal(t, "FAIL kafka at kafka:9092: [2025-01-01 00:00:00,000] ERROR org.apache.kafka.common.errors.TimeoutException (kafka.admin.TopicCommand$)\n", out)
}

// fakeClickHouse answers SELECT version() unless $FAKE/down exists, and
// lists $FAKE/tables; it records its arguments.
const fakeClickHouse = `#!/bin/sh
printf '%s\n' "$*" >>"$FAKE/calls"
if [ -e "$FAKE/down" ]; then
  echo "Code: 210. DB::NetException: Connection refused (clickhouse:9000). (NETWORK_ERROR)" >&2
  echo "second line" >&2
  exit 210
fi
for a in "$@"; do
  case "$a" in
    *version*) echo 25.8.29.51; exit 0 ;;
    *system.tables*) cat "$FAKE/tables"; exit 0 ;;
  esac
done
exit 1
`

func TestValidateClickHouse(t *testing.T) {
	dir := testtool.SharedDir(t)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "clickhouse-client"), []byte(fakeClickHouse), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "tables"), []byte("events\ncontent_metrics_old\n"), 0o644))
	env := []string{"FAKE=" + dir, EnvClickHouseHost + "=clickhouse", EnvClickHousePort + "=9000", EnvClickHouseUser + "=novagen_schema_init",
		EnvClickHousePassword + "=s3cr;t $x", EnvClickHouseDatabase + "=analytics", EnvValidationTables + "=events content_metrics"}
	out, code, _ := runCheck(t, ValidateClickHouse, "clickhouse", dir, env...)
	assert.Zero(t, code)
	assert.Equal(t, "PASS clickhouse at clickhouse:9000 answers (ClickHouse 25.8.29.51)\n"+
		"PASS table analytics.events exists\n"+
		"FAIL table analytics.content_metrics is missing\n", out)
	calls, err := os.ReadFile(filepath.Join(dir, "calls"))
	require.NoError(t, err)
	assert.Contains(t, string(calls), "--param_db=analytics --query SELECT name FROM system.tables WHERE database = {db:String}",
		"the database is a parameter, not SQL text")
	assert.Contains(t, string(calls), "--password s3cr;t $x --query")

	require.NoError(t, os.WriteFile(filepath.Join(dir, "down"), nil, 0o644))
	out, code, _ = runCheck(t, ValidateClickHouse, "clickhouse", dir, env...)
	assert.Zero(t, code)
	assert.Equal(t, "FAIL clickhouse at clickhouse:9000: Code: 210. DB::NetException: Connection refused (clickhouse:9000). (NETWORK_ERROR)\n", out)
}

// fakeProbe answers like grpc_health_probe: SERVING for an address
// listed in $FAKE/serving (or in $FAKE/late once asked twice),
// NOT_SERVING (exit 4) for one in $FAKE/unhealthy, a connection error
// (exit 2) otherwise. It records each address it is asked.
const fakeProbe = `#!/bin/sh
addr=${1#-addr=}
echo "$addr" >>"$FAKE/asked"
if grep -qxF "$addr" "$FAKE/serving"; then echo "status: SERVING"; exit 0; fi
if grep -qxF "$addr" "$FAKE/late" && [ "$(grep -cxF "$addr" "$FAKE/asked")" -ge 2 ]; then echo "status: SERVING"; exit 0; fi
if grep -qxF "$addr" "$FAKE/unhealthy"; then echo 'service unhealthy (responded with "NOT_SERVING")'; exit 4; fi
echo "timeout: failed to connect service \"$addr\" within 5s"
exit 2
`

func TestValidateGRPC(t *testing.T) {
	dir := testtool.SharedDir(t)
	probe := filepath.Join(dir, "probe")
	require.NoError(t, os.WriteFile(probe, []byte(fakeProbe), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "serving"), []byte("user-service:50051\nfeed-service:6000\n"), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "unhealthy"), []byte("media-service:50051\n"), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "late"), nil, 0o644))
	// PATH leads nowhere: in the probe's image busybox sh has only its
	// builtins.
	out, code, _ := runCheck(t, ValidateGRPC, "grpc", "/nonexistent", "FAKE="+dir, EnvGRPCHealthProbe+"="+probe, settle(0),
		EnvValidationServices+"=user-service user-service:50051\nmedia-service media-service:50051\n\nfeed-service feed-service:6000\ngone gone:50051\n")
	assert.Zero(t, code)
	assert.Equal(t, "PASS service user-service at user-service:50051: status: SERVING\n"+
		"FAIL service media-service at media-service:50051: service unhealthy (responded with \"NOT_SERVING\")\n"+
		"PASS service feed-service at feed-service:6000: status: SERVING\n"+
		"FAIL service gone at gone:50051: timeout: failed to connect service \"gone:50051\" within 5s\n", out)
}

// TestValidateGRPCSettles: the check runs beside services that are still
// starting: one that answers before the deadline passes, one that never
// does fails with its last error once the deadline has passed, and not
// before.
func TestValidateGRPCSettles(t *testing.T) {
	t.Parallel() // seconds of waiting for a deadline: the four waiting tests overlap
	dir := testtool.SharedDir(t)
	probe := filepath.Join(dir, "probe")
	require.NoError(t, os.WriteFile(probe, []byte(fakeProbe), 0o755))
	for _, f := range []string{"serving", "unhealthy"} {
		require.NoError(t, os.WriteFile(filepath.Join(dir, f), nil, 0o644))
	}
	require.NoError(t, os.WriteFile(filepath.Join(dir, "late"), []byte("late:50051\n"), 0o644))
	start := time.Now()
	out, code, _ := runCheck(t, ValidateGRPC, "grpc", "/nonexistent", "FAKE="+dir, EnvGRPCHealthProbe+"="+probe, settle(4),
		EnvValidationServices+"=never never:50051\nlate late:50051\n")
	assert.Zero(t, code)
	assert.Equal(t, []string{
		"FAIL service never at never:50051: timeout: failed to connect service \"never:50051\" within 5s",
		"PASS service late at late:50051: status: SERVING",
	}, sortedLines(out))
	// The deadline is in whole seconds (busybox date +%s): at least 3 of
	// the 4 away.
	assert.GreaterOrEqual(t, time.Since(start), 3*time.Second, "never gave up before the deadline")
	asked, err := os.ReadFile(filepath.Join(dir, "asked"))
	require.NoError(t, err)
	assert.Equal(t, 2, strings.Count(string(asked), "late:50051\n"), "asked until it answered")
	// At least twice: how often fits into the deadline depends on the
	// machine's load, that it asks again does not.
	assert.GreaterOrEqual(t, strings.Count(string(asked), "never:50051\n"), 2, "asked again")
}

// TestValidateExternal: with real busybox sh and an nc that understands
// -z -w (the busybox image's), a listening port passes, one that opens
// before the deadline too, and one that never does fails, naming the
// component, its address and the services waiting for it.
func TestValidateExternal(t *testing.T) {
	t.Parallel() // seconds of waiting for a deadline: the four waiting tests overlap
	nc := testtool.NCDir(t)
	open, late, closed := testtool.FreePort(t), testtool.FreePort(t), testtool.FreePort(t)
	require.NoError(t, testtool.Listen(t, open))
	opened := make(chan error, 1)
	time.AfterFunc(time.Second, func() { opened <- testtool.Listen(t, late) })
	// The port opens after 1 s; the deadline leaves a loaded machine room
	// to try again after that.
	out, code, _ := runCheck(t, ValidateExternal, "external", nc, settle(5), EnvValidationExternals+"="+
		fmt.Sprintf("elasticsearch 127.0.0.1 %d search-service, graphql-gateway\n", open)+
		fmt.Sprintf("neo4j 127.0.0.1 %d graph-service\n\n", closed)+
		fmt.Sprintf("mail 127.0.0.1 %d\n", late)+
		fmt.Sprintf("ledger ::1 %d\n", closed))
	require.NoError(t, <-opened)
	assert.Zero(t, code)
	lines := sortedLines(out)
	require.Len(t, lines, 4, out)
	assert.Regexp(t, fmt.Sprintf(`^FAIL ledger at \[::1\]:%d accepts no connection( \(.*\))?: no service waits for it$`, closed), lines[0])
	assert.Regexp(t, fmt.Sprintf(`^FAIL neo4j at 127\.0\.0\.1:%d accepts no connection( \(.*\))?: graph-service waits for it$`, closed), lines[1])
	assert.Equal(t, fmt.Sprintf("PASS elasticsearch at 127.0.0.1:%d accepts connections", open), lines[2])
	assert.Equal(t, fmt.Sprintf("PASS mail at 127.0.0.1:%d accepts connections", late), lines[3])
}

// TestValidateEntryPoints: a certificate whose tls.crt is there passes,
// one that appears before the deadline (kubelet refreshing the optional
// Secret volume) too; one still missing then is a warning, which does
// not fail the validation.
func TestValidateEntryPoints(t *testing.T) {
	t.Parallel() // seconds of waiting for a deadline: the four waiting tests overlap
	certs := testtool.SharedDir(t)
	crt := func(secret string) string { return filepath.Join(certs, secret, "tls.crt") }
	write := func(secret string) error {
		if err := os.MkdirAll(filepath.Dir(crt(secret)), 0o755); err != nil {
			return err
		}
		return os.WriteFile(crt(secret), []byte("-----BEGIN CERTIFICATE-----\n"), 0o644)
	}
	require.NoError(t, write("api-tls"))
	issued := make(chan error, 1)
	time.AfterFunc(time.Second, func() { issued <- write("docs-tls") })
	out, code, _ := runCheck(t, ValidateEntryPoints, "entry-points", "/nonexistent", settle(5), EnvValidationEntries+"="+
		"api.example api-tls "+crt("api-tls")+"\nwww.example www-tls "+crt("www-tls")+"\ndocs.example docs-tls "+crt("docs-tls")+"\n")
	require.NoError(t, <-issued)
	assert.Zero(t, code)
	assert.Equal(t, []string{
		"PASS certificate for api.example issued (Secret api-tls)",
		"PASS certificate for docs.example issued (Secret docs-tls)",
		"WARN certificate for www.example not issued yet (Secret www-tls has no tls.crt): the entry point serves no TLS",
	}, sortedLines(out))
}

// TestSettleDeadlineIsThePods: the first waiting check of a pod sets the
// deadline; a later one keeps it, so together they wait no longer than
// the settle time.
func TestSettleDeadlineIsThePods(t *testing.T) {
	t.Parallel() // seconds of waiting for a deadline: the four waiting tests overlap
	dir := testtool.SharedDir(t)
	entries := EnvValidationEntries + "=www.example www-tls /nonexistent/tls.crt\n"
	start := time.Now()
	out, _, _ := runCheckIn(t, dir, ValidateEntryPoints, "entry-points", "/nonexistent", settle(2), entries)
	assert.True(t, strings.HasPrefix(out, "WARN certificate for www.example not issued yet"), out)
	assert.GreaterOrEqual(t, time.Since(start), 2*time.Second)
	b, err := os.ReadFile(filepath.Join(dir, ".settle-deadline"))
	require.NoError(t, err)
	deadline, err := strconv.ParseInt(strings.TrimSpace(string(b)), 10, 64)
	require.NoError(t, err)
	assert.InDelta(t, start.Unix()+2, deadline, 1)

	// The deadline has passed: a check with an hour to settle tries once.
	start = time.Now()
	out, _, _ = runCheckIn(t, dir, ValidateEntryPoints, "entry-points", "/nonexistent", settle(3600), entries)
	assert.True(t, strings.HasPrefix(out, "WARN certificate for www.example not issued yet"), out)
	assert.Less(t, time.Since(start), 10*time.Second)
}

// TestValidationReport: every check's lines in order, the totals, exit 1
// on any FAIL or a check without result, colours only when asked.
func TestValidationReport(t *testing.T) {
	cases := []struct {
		name    string
		results map[string]string
		env     []string
		want    string
		code    int
	}{
		{"all pass", map[string]string{"postgres": "PASS database a exists\nPASS database b exists\n", "grpc": "PASS service x: status: SERVING\n"}, nil,
			"Validation\nPASS postgres: database a exists\nPASS postgres: database b exists\nPASS grpc: service x: status: SERVING\n3 checks: 3 passed, 0 failed, 0 warnings\nvalidation passed\n", 0},
		{"a warning passes", map[string]string{"postgres": "PASS database a exists\n", "grpc": "WARN topic t has 8 partitions\nstray text\n"}, nil,
			"Validation\nPASS postgres: database a exists\nWARN grpc: topic t has 8 partitions\n2 checks: 1 passed, 0 failed, 1 warnings\nvalidation passed\n", 0},
		{"a failure fails", map[string]string{"postgres": "FAIL database a is missing\nPASS database b exists\n", "grpc": "PASS service x: status: SERVING\n"}, nil,
			"Validation\nFAIL postgres: database a is missing\nPASS postgres: database b exists\nPASS grpc: service x: status: SERVING\n3 checks: 2 passed, 1 failed, 0 warnings\nvalidation failed\n", 1},
		{"a check without results fails", map[string]string{"postgres": "PASS database a exists\n", "grpc": ""}, nil,
			"Validation\nPASS postgres: database a exists\nFAIL grpc: no result (the check did not finish)\n2 checks: 1 passed, 1 failed, 0 warnings\nvalidation failed\n", 1},
		{"a check that never ran fails", map[string]string{"postgres": "PASS database a exists\n"}, nil,
			"Validation\nPASS postgres: database a exists\nFAIL grpc: no result (the check did not finish)\n2 checks: 1 passed, 1 failed, 0 warnings\nvalidation failed\n", 1},
		{"FORCE_COLOR", map[string]string{"postgres": "PASS a\nWARN b\n", "grpc": "FAIL c\n"}, []string{EnvForceColor + "=1"},
			"\x1b[1mValidation\x1b[0m\n\x1b[32mPASS\x1b[0m postgres: a\n\x1b[33mWARN\x1b[0m postgres: b\n\x1b[31mFAIL\x1b[0m grpc: c\n" +
				"\x1b[1m3 checks: 1 passed, 1 failed, 1 warnings\x1b[0m\n\x1b[31mvalidation failed\x1b[0m\n", 1},
		{"NO_COLOR wins", map[string]string{"postgres": "PASS a\n", "grpc": "PASS c\n"}, []string{EnvForceColor + "=1", EnvNoColor + "=1"},
			"Validation\nPASS postgres: a\nPASS grpc: c\n2 checks: 2 passed, 0 failed, 0 warnings\nvalidation passed\n", 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := testtool.SharedDir(t)
			for name, body := range tc.results {
				require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644))
			}
			env := append([]string{"PATH=/usr/bin:/bin", EnvReportDir + "=" + dir, EnvValidationChecks + "=postgres grpc", EnvValidationTitle + "=Validation"}, tc.env...)
			out, errOut, code := testtool.AsUID(t, podUID, ValidationReport, nil, env)
			assert.Empty(t, errOut)
			assert.Equal(t, tc.want, out)
			assert.Equal(t, tc.code, code)
			if !strings.Contains(tc.name, "COLOR") {
				assert.NotContains(t, out, "\x1b", "no colours when stdout is no terminal")
			}
		})
	}
}

// TestValidateHTTP: an http service's line carries its health path; real
// busybox wget asks a real HTTP server, a 2xx passes and anything else
// (an error status, nothing listening) fails.
func TestValidateHTTP(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/healthz" {
			http.Error(w, "down", http.StatusServiceUnavailable)
		}
	}))
	defer srv.Close()
	addr := strings.TrimPrefix(srv.URL, "http://")
	closed := httptest.NewServer(http.NotFoundHandler())
	gone := strings.TrimPrefix(closed.URL, "http://")
	closed.Close()
	out, code, _ := runCheck(t, ValidateGRPC, "grpc", "/nonexistent", settle(0),
		EnvValidationServices+"=gateway "+addr+" /healthz\nsick "+addr+" /ready\ngone "+gone+" /healthz\n")
	assert.Zero(t, code)
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	require.Len(t, lines, 3, out)
	assert.Equal(t, "PASS service gateway: GET http://"+addr+"/healthz answers", lines[0])
	assert.True(t, strings.HasPrefix(lines[1], "FAIL service sick: GET http://"+addr+"/ready: "), lines[1])
	assert.Contains(t, lines[1], "503")
	assert.True(t, strings.HasPrefix(lines[2], "FAIL service gone: GET http://"+gone+"/healthz: "), lines[2])
}
