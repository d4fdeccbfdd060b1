package clickhouse

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"

	"github.com/novagen/novagen/catalog"
	"github.com/novagen/novagen/catalog/load"
	"github.com/novagen/novagen/generators/kube"
	"github.com/novagen/novagen/generators/scripts"
	"github.com/novagen/novagen/internal/generatortest"
	"github.com/novagen/novagen/internal/testtool"
	"github.com/novagen/novagen/naming"
)

func TestGolden(t *testing.T) { generatortest.GeneratorCases(t, Generate) }

// catalogs are every catalog of this package's cases and services.yaml.
func catalogs(t *testing.T) map[string]*catalog.Catalog {
	t.Helper()
	paths, err := filepath.Glob("testdata/*/catalog.yaml")
	require.NoError(t, err)
	paths = append(paths, "../../services.yaml")
	out := map[string]*catalog.Catalog{}
	for _, p := range paths {
		cat, err := load.Load(p)
		require.NoError(t, err, p)
		out[p] = cat
	}
	return out
}

// The seed's installation: 1 shard × 1 replica on a 50Gi volume kept on
// deletion, a login per client service with its password from a Secret
// and the pod network, the five tables.
func TestStaging(t *testing.T) {
	cat, err := load.Load("../../services.yaml")
	require.NoError(t, err)
	objs, err := Generate(cat)
	require.NoError(t, err)
	var chi *Installation
	var cm *corev1.ConfigMap
	for _, o := range objs {
		switch o := o.(type) {
		case *Installation:
			chi = o
		case *corev1.ConfigMap:
			cm = o
		}
	}
	require.NotNil(t, chi)
	require.NotNil(t, cm)
	require.Len(t, chi.Spec.Configuration.Clusters, 1)
	assert.Equal(t, Layout{ShardsCount: 1, ReplicasCount: 1}, chi.Spec.Configuration.Clusters[0].Layout)
	vct := chi.Spec.Templates.VolumeClaimTemplates
	require.Len(t, vct, 1)
	assert.Equal(t, "Retain", vct[0].ReclaimPolicy)
	assert.Equal(t, "50Gi", vct[0].Spec.Resources.Requests.Storage().String())
	assert.Equal(t, vct[0].Name, chi.Spec.Defaults.Templates.DataVolumeClaimTemplate)
	assert.Contains(t, chi.Spec.Configuration.Users, "analytics_service/password")
	ddl := map[string]bool{}
	for k := range cm.Data {
		ddl[k] = true
	}
	for _, table := range []string{"events", "user_activity", "content_metrics", "feed_analytics", "service_metrics"} {
		assert.True(t, ddl["table-"+table+".sql"], table)
	}
	assert.Contains(t, cm.Data["table-events.sql"], "INTERVAL 90 DAY")
}

// Every client service, and the schema Job, has a login whose password
// comes only from its Secret, which may connect from the client networks
// and has the catalog's grants on the analytics database alone. No user
// has a password literal (password, password_sha256_hex, …).
func TestUsers(t *testing.T) {
	for path, cat := range catalogs(t) {
		ch := cat.Spec.Infrastructure.ClickHouse
		if ch == nil || !ch.IsManaged() {
			continue
		}
		users := Users(cat, ch)
		want := map[string]string{naming.ClickHouseSchemaUser: naming.ClickHouseSchemaSecret}
		for _, svc := range cat.ClickHouseClients() {
			want[naming.ClickHouseUser(svc)] = naming.ClickHouseSecret(svc)
		}
		require.NotEmpty(t, cat.ClickHouseClients(), path)
		for user, secret := range want {
			assert.Equal(t, map[string]any{"valueFrom": map[string]any{"secretKeyRef": map[string]any{"name": secret, "key": naming.KeyPassword}}},
				users[user+"/password"], "%s: %s", path, user)
			assert.Equal(t, ch.ClientNetworks, users[user+"/networks/ip"], "%s: %s", path, user)
			grants := users[user+"/grants/query"].([]string)
			if user == naming.ClickHouseSchemaUser && ch.Replicated() {
				// ON CLUSTER DDL needs the global CLUSTER privilege, and
				// nothing else global.
				require.Len(t, grants, 2)
				assert.Equal(t, "GRANT CLUSTER ON *.*", grants[1], path)
				grants = grants[:1]
			}
			require.Len(t, grants, 1)
			assert.True(t, strings.HasSuffix(grants[0], " ON `"+ch.Database+"`.*"), "%s: %s grants only on the database: %s", path, user, grants[0])
		}
		for key := range users {
			user, setting, _ := strings.Cut(key, "/")
			assert.Contains(t, want, user, "%s: no user but the clients and the schema Job", path)
			assert.Contains(t, []string{"password", "networks/ip", "profile", "grants/query"}, setting, "%s: %s", path, key)
		}
		assert.Equal(t, "GRANT "+strings.Join(ch.Grants, ", ")+" ON `"+ch.Database+"`.*",
			users[naming.ClickHouseUser(cat.ClickHouseClients()[0])+"/grants/query"].([]string)[0], path)
	}
}

// The DDL, parsed back statement by statement, has exactly the catalog's
// columns, engine, partitioning, sorting key and TTL, a TTL operand of
// type Date or DateTime, and one statement per file.
func TestDDLMatchesCatalog(t *testing.T) {
	tables := 0
	for path, cat := range catalogs(t) {
		ch := cat.Spec.Infrastructure.ClickHouse
		if ch == nil {
			continue
		}
		data := Schema(ch)
		db := parseDDL(t, data[scripts.ClickHouseDatabaseFile])
		wantDB := []string{"CREATE", "DATABASE", "IF", "NOT", "EXISTS", ident(ch.Database)}
		if ch.Replicated() {
			wantDB = append(wantDB, "ON", "CLUSTER", ident(ch.Cluster))
		}
		assert.Equal(t, append(wantDB, ";"), db.tokens, path)
		assert.Len(t, data, 1+len(ch.Tables), "%s: database.sql and a file per table", path)
		for _, tbl := range ch.Tables {
			tables++
			name := fmt.Sprintf("%s: table %s", path, tbl.Name)
			got := parseTable(t, data[scripts.ClickHouseTablePrefix+tbl.Name+scripts.ClickHouseTableSuffix])
			assert.Equal(t, ch.Database+"."+tbl.Name, got.name, name)
			var cols [][2]string
			types := map[string]string{}
			for _, c := range tbl.Columns {
				canon, err := catalog.ParseColumnType(c.Type)
				require.NoError(t, err)
				cols = append(cols, [2]string{c.Name, canon.String()})
				types[c.Name] = canon.String()
			}
			assert.Equal(t, cols, got.columns, name)
			// A replicated table: the Replicated engine, its state under
			// the shard's ZooKeeper path, the replica's name, on every host.
			engine, args := tbl.Engine, got.engineArgs
			if ch.Replicated() {
				engine = "Replicated" + engine
				assert.Equal(t, ch.Cluster, got.cluster, name)
				replica := "'/clickhouse/tables/{shard}/{database}/{table}','{replica}'"
				assert.True(t, strings.HasPrefix(args, replica), "%s: engine arguments %s", name, args)
				args = strings.TrimPrefix(strings.TrimPrefix(args, replica), ",")
			} else {
				assert.Empty(t, got.cluster, name)
			}
			assert.Equal(t, engine, got.engine, name)
			switch {
			case tbl.Engine == catalog.EngineSummingMergeTree && len(tbl.Sum) > 0:
				assert.Equal(t, "("+strings.Join(tbl.Sum, ",")+")", args, name)
			case tbl.Engine == catalog.EngineReplacingMergeTree && tbl.Version != "":
				assert.Equal(t, tbl.Version, args, name)
			default:
				assert.Empty(t, args, name)
			}
			if len(tbl.OrderBy) == 0 {
				assert.Equal(t, "tuple()", got.orderBy, name)
			} else {
				assert.Equal(t, "("+strings.Join(tbl.OrderBy, ",")+")", got.orderBy, name)
			}
			if tbl.PartitionBy == "" {
				assert.Empty(t, got.partitionBy, name)
			} else {
				assert.Equal(t, "toYYYYMM("+tbl.PartitionBy+")", got.partitionBy, name)
			}
			if tbl.TTL == nil {
				assert.Empty(t, got.ttl, name)
				continue
			}
			// TTL <operand> + INTERVAL <days> DAY, the operand a Date or
			// DateTime: the column itself, or converted.
			operand, interval, ok := strings.Cut(got.ttl, "+")
			require.True(t, ok, "%s: TTL %q", name, got.ttl)
			assert.Equal(t, fmt.Sprintf("INTERVAL%dDAY", tbl.TTL.Days), interval, name)
			colType := types[tbl.TTL.Column]
			switch operand {
			case tbl.TTL.Column:
				assert.Contains(t, []string{"Date", "DateTime"}, colType, "%s: a bare TTL column is a Date or DateTime", name)
			case "toDateTime(" + tbl.TTL.Column + ")":
				assert.True(t, strings.HasPrefix(colType, "DateTime64("), "%s: toDateTime wraps a DateTime64, not %s", name, colType)
			case "toDate(" + tbl.TTL.Column + ")":
				assert.Equal(t, "Date32", colType, name)
			default:
				t.Errorf("%s: TTL operand %q is not column %s", name, operand, tbl.TTL.Column)
			}
		}
	}
	assert.GreaterOrEqual(t, tables, 10, "every case's tables were checked")
}

// The schema Job, run as the pod runs it (its command, environment and
// UID, the ConfigMap's files) against a stand-in clickhouse-client that
// records what it is asked: it waits until ClickHouse answers, creates
// the database first and then every table, logs one line per table, and
// never prints the password.
func TestSchemaJobRuns(t *testing.T) {
	cat, err := load.Load("../../services.yaml")
	require.NoError(t, err)
	objs, err := Generate(cat)
	require.NoError(t, err)
	var job *batchv1.Job
	var cm *corev1.ConfigMap
	for _, o := range objs {
		switch o := o.(type) {
		case *batchv1.Job:
			job = o
		case *corev1.ConfigMap:
			cm = o
		}
	}
	require.NotNil(t, job)
	pod := job.Spec.Template.Spec
	c := pod.Containers[0]
	require.Equal(t, []string{"/bin/sh", "-c"}, c.Command[:2])

	dir := testtool.SharedDir(t)
	schemaDir := filepath.Join(dir, "schema")
	require.NoError(t, os.Mkdir(schemaDir, 0o755))
	for k, v := range cm.Data {
		require.NoError(t, os.WriteFile(filepath.Join(schemaDir, k), []byte(v), 0o644))
	}
	bin := filepath.Join(dir, "bin")
	require.NoError(t, os.Mkdir(bin, 0o755))
	log := filepath.Join(dir, "log")
	// Not up for the first two tries; content_metrics exists already.
	fake := `#!/bin/sh
log=` + log + `
[ "$1 $3 $5 $7" = "--host --port --user --password" ] || { echo "bad args: $*" >&2; exit 2; }
[ "$8" = "s3cret pass" ] || { echo "wrong password" >&2; exit 4; }
shift 8
case "$*" in
"--query SELECT 1")
  n=$(cat ` + dir + `/tries 2>/dev/null || echo 0); n=$((n + 1)); echo "$n" > ` + dir + `/tries
  [ "$n" -ge 3 ] || { echo "Connection refused" >&2; exit 210; } ;;
--queries-file*) cat "$2" >> "$log" ;;
*system.tables*) case "$*" in *--param_table=content_metrics*) echo 1 ;; *) echo 0 ;; esac ;;
*) echo "unexpected: $*" >&2; exit 3 ;;
esac
`
	require.NoError(t, os.WriteFile(filepath.Join(bin, "clickhouse-client"), []byte(fake), 0o755))

	env := []string{"PATH=" + bin + ":/usr/bin:/bin"}
	for _, e := range c.Env {
		v := e.Value
		switch {
		case e.ValueFrom != nil && e.ValueFrom.SecretKeyRef.Key == naming.KeyPassword:
			v = "s3cret pass"
		case e.ValueFrom != nil:
			v = naming.ClickHouseSchemaUser
		case e.Name == scripts.EnvSchemaDir:
			v = schemaDir
		case e.Name == scripts.EnvInterval:
			v = "0"
		}
		env = append(env, e.Name+"="+v)
	}
	out, errOut, code := testtool.AsUID(t, *pod.SecurityContext.RunAsUser, c.Command[2], nil, env)
	require.Equal(t, 0, code, "stdout:\n%s\nstderr:\n%s", out, errOut)
	assert.Equal(t, `database analytics: ready (after 3 tries)
table analytics.content_metrics: exists, left as it is
table analytics.events: created
table analytics.feed_analytics: created
table analytics.service_metrics: created
table analytics.user_activity: created
schema of analytics applied: 5 tables
`, out)
	assert.NotContains(t, out+errOut, "s3cret")
	applied, err := os.ReadFile(log)
	require.NoError(t, err)
	stmts := strings.SplitAfter(strings.TrimSpace(string(applied)), ";")
	require.Len(t, stmts, 7, "6 statements and what follows the last ';'")
	require.Empty(t, stmts[6])
	stmts = stmts[:6]
	assert.Contains(t, stmts[0], "CREATE DATABASE IF NOT EXISTS `analytics`", "the database first")
	for i, s := range stmts[1:] {
		assert.Contains(t, s, "CREATE TABLE IF NOT EXISTS", "statement %d", i+1)
	}
}

// A failing statement fails the Job, naming the table.
func TestSchemaJobFails(t *testing.T) {
	dir := testtool.SharedDir(t)
	require.NoError(t, os.WriteFile(filepath.Join(dir, scripts.ClickHouseDatabaseFile), []byte("CREATE DATABASE IF NOT EXISTS `a`;\n"), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "table-t.sql"), []byte("CREATE TABLE broken;\n"), 0o644))
	fake := "#!/bin/sh\ncase \"$*\" in *broken*|*table-t.sql*) echo 'Code: 62. Syntax error' >&2; exit 62 ;; *system.tables*) echo 0 ;; esac\n"
	require.NoError(t, os.WriteFile(filepath.Join(dir, "clickhouse-client"), []byte(fake), 0o755))
	env := []string{"PATH=" + dir + ":/usr/bin:/bin", "CLICKHOUSE_HOST=h", "CLICKHOUSE_PORT=9000", "CLICKHOUSE_USER=u", "CLICKHOUSE_PASSWORD=p",
		"CLICKHOUSE_DATABASE=a", "SCHEMA_DIR=" + dir, "WAIT_RETRIES=1", "WAIT_INTERVAL_SECONDS=0"}
	out, errOut, code := testtool.AsUID(t, 10001, scripts.ClickHouseSchema, nil, env)
	assert.NotEqual(t, 0, code, out)
	assert.Contains(t, errOut, "Syntax error")
	assert.Contains(t, errOut, "table a.t: failed")
}

// The Job mounts the ConfigMap at SCHEMA_DIR and waits long enough.
func TestSchemaJobWiring(t *testing.T) {
	for path, cat := range catalogs(t) {
		if cat.Spec.Infrastructure.ClickHouse == nil {
			continue
		}
		objs, err := Generate(cat)
		require.NoError(t, err)
		for _, o := range objs {
			job, ok := o.(*batchv1.Job)
			if !ok {
				continue
			}
			c := job.Spec.Template.Spec.Containers[0]
			assert.Contains(t, c.VolumeMounts, corev1.VolumeMount{Name: schemaVolume, MountPath: SchemaDir, ReadOnly: true}, path)
			assert.Contains(t, c.Env, corev1.EnvVar{Name: scripts.EnvSchemaDir, Value: SchemaDir}, path)
			assert.True(t, slices.ContainsFunc(job.Spec.Template.Spec.Volumes, func(v corev1.Volume) bool {
				return v.ConfigMap != nil && v.ConfigMap.Name == naming.ClickHouseSchema
			}), path)
			assert.Equal(t, ComponentSchema, job.Labels[kube.LabelComponent], path)
		}
	}
}

// TestPartitionsAddUp: everything here is shared, the infrastructure
// partition's.
func TestPartitionsAddUp(t *testing.T) {
	generatortest.SharedPartitionsAddUp(t, Generate, generatortest.Synth(t, 300, 3))
}

// TestMetricsEndpoint: ClickHouse serves its Prometheus metrics exactly
// when the catalog scrapes it (catalog.Catalog.ClickHouseMetrics), on
// the target's port, declared as the container port the PodMonitor
// names; without monitoring the installation has neither.
func TestMetricsEndpoint(t *testing.T) {
	scraped := 0
	for path, cat := range catalogs(t) {
		objs, err := Generate(cat)
		require.NoError(t, err, path)
		for _, o := range objs {
			chi, ok := o.(*Installation)
			if !ok {
				continue
			}
			ports := chi.Spec.Templates.PodTemplates[0].Spec.Containers[0].Ports
			settings := chi.Spec.Configuration.Settings
			target, on := cat.ClickHouseMetrics()
			if !on {
				require.Empty(t, ports, path)
				require.Empty(t, settings, path)
				continue
			}
			scraped++
			require.Equal(t, []corev1.ContainerPort{{Name: target.PortName, ContainerPort: target.Port, Protocol: corev1.ProtocolTCP}}, ports, path)
			require.Equal(t, map[string]string{
				"prometheus/endpoint": MetricsPath, "prometheus/port": strconv.Itoa(int(target.Port)),
				"prometheus/metrics": "true", "prometheus/events": "true", "prometheus/asynchronous_metrics": "true",
			}, settings, path)
		}
	}
	require.Equal(t, 1, scraped, "services.yaml scrapes ClickHouse, the cases do not")
}
