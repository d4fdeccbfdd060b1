package promql

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/promql/parser"
)

// exporterMetrics are the metrics each data-tier exporter (and ClickHouse,
// which serves its own) exposes that the dashboards may read, by the
// name of the ServiceMonitor or PodMonitor that scrapes it, which is also
// the service label of its series. None can be asked offline, so the
// names come from each one's source at the tag novagen pins
// (catalog/defaults.go), where they were looked up:
//   - postgres_exporter v0.20.1: pg_up in exporter/postgres_exporter.go
//     (namespace pg, name up); pg_stat_database_* in
//     collector/pg_stat_database.go (subsystem stat_database: numbackends,
//     xact_commit, xact_rollback, blks_read, blks_hit, deadlocks);
//     pg_database_size_bytes in collector/pg_database.go;
//     pg_settings_<name> in collector/pg_setting.go (one per integer
//     setting of pg_settings, max_connections among them).
//   - redis_exporter v1.88.0, namespace redis (main.go): up
//     (exporter/exporter.go), the INFO renames of metricMapGauges and
//     metricMapCounters in exporter/exporter.go (connected_clients,
//     used_memory -> memory_used_bytes, maxmemory -> memory_max_bytes,
//     total_commands_processed -> commands_processed_total, keyspace_hits
//     -> keyspace_hits_total, keyspace_misses -> keyspace_misses_total,
//     evicted_keys -> evicted_keys_total), db_keys (exporter/info.go) and
//     CLUSTER INFO's fields as they are (cluster_state, "ok" read as 1,
//     exporter/info.go and metrics.go).
//   - kafka_exporter v1.9.0, namespace kafka (kafka_exporter.go):
//     brokers, topic_partitions, topic_partition_current_offset,
//     topic_partition_under_replicated_partition, consumergroup_lag.
//   - ClickHouse 25.8 itself (its PodMonitor clickhouse, named like the
//     component): src/Server/PrometheusMetricsWriter.cpp writes every
//     ProfileEvents counter as ClickHouseProfileEvents_<name>, every
//     CurrentMetrics gauge as ClickHouseMetrics_<name> and every
//     asynchronous metric as ClickHouseAsyncMetrics_<name>; the names are
//     those of src/Common/ProfileEvents.cpp (Query, FailedQuery,
//     InsertedRows, DelayedInserts, RejectedInserts, MergedRows,
//     ReplicatedPartFailedFetches, ZooKeeperHardwareExceptions),
//     src/Common/CurrentMetrics.cpp (Merge, MemoryTracking,
//     TCPConnection, HTTPConnection, ReadonlyReplica, ZooKeeperSession)
//     and src/Interpreters/ServerAsynchronousMetrics.cpp and
//     src/Common/AsynchronousMetrics.cpp (MemoryResident,
//     MaxPartCountForPartition, TotalPartsOfMergeTreeTables,
//     ReplicasMaxAbsoluteDelay).
var exporterMetrics = map[string][]string{
	"postgres-exporter": {"pg_up", "pg_stat_database_numbackends", "pg_stat_database_xact_commit", "pg_stat_database_xact_rollback",
		"pg_stat_database_blks_read", "pg_stat_database_blks_hit", "pg_stat_database_deadlocks", "pg_database_size_bytes", "pg_settings_max_connections"},
	"redis-exporter": {"redis_up", "redis_connected_clients", "redis_memory_used_bytes", "redis_memory_max_bytes", "redis_commands_processed_total",
		"redis_keyspace_hits_total", "redis_keyspace_misses_total", "redis_evicted_keys_total", "redis_db_keys", "redis_cluster_state"},
	"kafka-exporter": {"kafka_brokers", "kafka_topic_partitions", "kafka_topic_partition_current_offset",
		"kafka_topic_partition_under_replicated_partition", "kafka_consumergroup_lag"},
	"clickhouse": {"ClickHouseProfileEvents_Query", "ClickHouseProfileEvents_FailedQuery", "ClickHouseProfileEvents_InsertedRows",
		"ClickHouseProfileEvents_DelayedInserts", "ClickHouseProfileEvents_RejectedInserts", "ClickHouseProfileEvents_MergedRows",
		"ClickHouseProfileEvents_ReplicatedPartFailedFetches", "ClickHouseProfileEvents_ZooKeeperHardwareExceptions",
		"ClickHouseMetrics_Merge", "ClickHouseMetrics_MemoryTracking", "ClickHouseMetrics_TCPConnection", "ClickHouseMetrics_HTTPConnection",
		"ClickHouseMetrics_ReadonlyReplica", "ClickHouseMetrics_ZooKeeperSession",
		"ClickHouseAsyncMetrics_MemoryResident", "ClickHouseAsyncMetrics_MaxPartCountForPartition",
		"ClickHouseAsyncMetrics_TotalPartsOfMergeTreeTables", "ClickHouseAsyncMetrics_ReplicasMaxAbsoluteDelay"},
}

// grpcServerMetrics are what a service's metrics port serves when its
// gRPC server is instrumented with go-grpc-prometheus or grpc-ecosystem's
// go-grpc-middleware/providers/prometheus (both name them alike; the
// handling-time histogram is the servers' to switch on).
var grpcServerMetrics = []string{"grpc_server_started_total", "grpc_server_handled_total", "grpc_server_msg_received_total",
	"grpc_server_msg_sent_total", "grpc_server_handling_seconds_bucket", "grpc_server_handling_seconds_sum", "grpc_server_handling_seconds_count"}

// promQL is Prometheus' parser with its default options, as the rule
// loader uses it.
var promQL = parser.NewParser(parser.Options{})

// grafanaDashboard is what the test reads of a dashboard's JSON.
type grafanaDashboard struct {
	Templating struct {
		List []struct {
			Name, Type, Query, AllValue string
		}
	}
	Panels []struct {
		Title   string
		Targets []struct{ Expr string }
	}
}

// dashboards returns every Grafana dashboard in file, by ConfigMap key.
func dashboards(t *testing.T, file string) map[string]grafanaDashboard {
	t.Helper()
	out := map[string]grafanaDashboard{}
	for _, d := range documents[goldenObject[struct{}]](t, file) {
		if d.Kind != "ConfigMap" || d.Metadata.Labels["grafana_dashboard"] == "" {
			continue
		}
		for key, text := range d.Data {
			var g grafanaDashboard
			if err := json.Unmarshal([]byte(text), &g); err != nil {
				t.Errorf("%s: %s: %v", file, key, err)
				continue
			}
			out[key] = g
		}
	}
	return out
}

// scraped is what file makes Prometheus scrape and evaluate: the
// ServiceMonitors and PodMonitors by name and their ports, and the
// metrics its alert rules read.
type scraped struct {
	monitors map[string][]string // name -> endpoint ports
	rules    map[string]bool     // metric names in the PrometheusRules
}

func scrapedBy(t *testing.T, file string) scraped {
	t.Helper()
	type endpoint struct {
		Port string `yaml:"port"`
	}
	type monitorSpec struct {
		Endpoints           []endpoint `yaml:"endpoints"`           // a ServiceMonitor's
		PodMetricsEndpoints []endpoint `yaml:"podMetricsEndpoints"` // a PodMonitor's
	}
	s := scraped{monitors: map[string][]string{}, rules: map[string]bool{}}
	for _, d := range documents[goldenObject[monitorSpec]](t, file) {
		if d.Kind == "ServiceMonitor" || d.Kind == "PodMonitor" {
			for _, e := range append(d.Spec.Endpoints, d.Spec.PodMetricsEndpoints...) {
				s.monitors[d.Metadata.Name] = append(s.monitors[d.Metadata.Name], e.Port)
			}
		}
	}
	for name, spec := range ruleSpecs(t, file) {
		groups, errs := load(spec)
		if len(errs) > 0 || groups == nil {
			t.Fatalf("%s: PrometheusRule %s does not load: %v", file, name, errs)
		}
		for _, g := range groups.Groups {
			for _, r := range g.Rules {
				e, err := promQL.ParseExpr(r.Expr)
				if err != nil {
					t.Fatal(err)
				}
				for _, vs := range selectors(e) {
					s.rules[vs.Name] = true
				}
			}
		}
	}
	return s
}

func selectors(e parser.Expr) []*parser.VectorSelector {
	var out []*parser.VectorSelector
	parser.Inspect(e, func(n parser.Node, _ []parser.Node) error {
		if vs, ok := n.(*parser.VectorSelector); ok {
			out = append(out, vs)
		}
		return nil
	})
	return out
}

// grafanaVariable is a Grafana variable reference in a query.
var grafanaVariable = regexp.MustCompile(`\$\{?(\w+)\}?`)

// expand replaces the variables Grafana substitutes before the query
// reaches Prometheus: its built-in $__rate_interval and the dashboard's
// own variables, by the value All gives them. Any other variable is an
// error: Grafana would send it as is.
func expand(expr string, vars map[string]string) (string, error) {
	var err error
	out := grafanaVariable.ReplaceAllStringFunc(expr, func(m string) string {
		name := grafanaVariable.FindStringSubmatch(m)[1]
		switch v, ok := vars[name]; {
		case name == "__rate_interval":
			return "1m"
		case ok:
			return v
		}
		err = fmt.Errorf("unknown variable %s", m)
		return m
	})
	return out, err
}

// labelValues is Grafana's label_values(selector, label) variable query.
var labelValues = regexp.MustCompile(`^label_values\((.*), *(\w+)\)$`)

// check parses expr and says what is wrong with the metrics it names.
func (s scraped) check(expr string) []string {
	e, err := promQL.ParseExpr(expr)
	if err != nil {
		return []string{err.Error()}
	}
	var problems []string
	for _, vs := range selectors(e) {
		if p := s.source(vs); p != "" {
			problems = append(problems, p)
		}
	}
	return problems
}

// source says why the metric of vs is not scraped, or "".
func (s scraped) source(vs *parser.VectorSelector) string {
	name := vs.Name
	switch {
	case name == "":
		return fmt.Sprintf("%s: a selector without a metric name", vs)
	case name == "up":
		return "" // Prometheus' own, for every target
	case slices.Contains(grpcServerMetrics, name):
		for _, ports := range s.monitors {
			if slices.Contains(ports, "http-metrics") {
				return ""
			}
		}
		return name + ": no ServiceMonitor scrapes a service's metrics port"
	case strings.HasPrefix(name, "kube_"):
		if s.rules[name] {
			return ""
		}
		return name + ": a kube-state-metrics series the alert rules do not read"
	}
	for exporter, metrics := range exporterMetrics {
		if !slices.Contains(metrics, name) {
			continue
		}
		if _, ok := s.monitors[exporter]; !ok {
			return fmt.Sprintf("%s: no ServiceMonitor or PodMonitor %s", name, exporter)
		}
		for _, m := range vs.LabelMatchers {
			if m.Name == "service" && m.Type == labels.MatchEqual && m.Value == exporter {
				return ""
			}
		}
		return fmt.Sprintf("%s: not selected from %s (service=%q)", vs, exporter, exporter)
	}
	return name + ": neither scraped by a ServiceMonitor nor exposed by an exporter"
}

// TestDashboardQueries: every panel and variable query of every generated
// dashboard is PromQL Prometheus parses once Grafana has put in its
// variables, and reads only metrics that the render scrapes: the
// services' gRPC server metrics (their ServiceMonitors), the exporters'
// (their ServiceMonitors, selected by their service label), and the
// kube-state-metrics series the generated alert rules already rely on.
func TestDashboardQueries(t *testing.T) {
	queries := 0
	seen := map[string]bool{}
	for _, f := range goldenFiles(t) {
		s := scrapedBy(t, f)
		for key, d := range dashboards(t, f) {
			seen[strings.TrimSuffix(key[strings.LastIndex(key, "-dash-")+1:], ".json")] = true
			vars := map[string]string{}
			var exprs []string
			for _, v := range d.Templating.List {
				if v.Type != "query" {
					continue
				}
				vars[v.Name] = v.AllValue
				m := labelValues.FindStringSubmatch(v.Query)
				if m == nil {
					t.Errorf("%s: %s: variable %s: %q is no label_values query", f, key, v.Name, v.Query)
					continue
				}
				exprs = append(exprs, m[1])
			}
			for _, p := range d.Panels {
				if len(p.Targets) == 0 {
					t.Errorf("%s: %s: panel %q has no query", f, key, p.Title)
				}
				for _, q := range p.Targets {
					exprs = append(exprs, q.Expr)
				}
			}
			for _, raw := range exprs {
				expr, err := expand(raw, vars)
				if err != nil {
					t.Errorf("%s: %s: %s: %v", f, key, raw, err)
					continue
				}
				for _, p := range s.check(expr) {
					t.Errorf("%s: %s: %s", f, key, p)
				}
				queries++
			}
		}
	}
	for _, want := range []string{"dash-services", "dash-postgres", "dash-redis", "dash-kafka", "dash-clickhouse"} {
		if !seen[want] {
			t.Errorf("no %s dashboard in the golden files", want)
		}
	}
	t.Logf("%d dashboard queries parse and read scraped metrics", queries)
}

// TestDashboardCheckRejects: the check finds what it looks for.
func TestDashboardCheckRejects(t *testing.T) {
	s := scraped{
		monitors: map[string][]string{"svc": {"http-metrics"}, "postgres-exporter": {"exporter"}, "clickhouse": {"metrics"}},
		rules:    map[string]bool{"kube_deployment_spec_replicas": true},
	}
	for expr, ok := range map[string]bool{
		`sum(rate(grpc_server_handled_total{service=~".*"}[1m]))`:   true,
		`kube_deployment_spec_replicas{deployment="a"}`:             true,
		`pg_up{service="postgres-exporter"}`:                        true,
		`ClickHouseMetrics_Merge{service="clickhouse"}`:             true,
		`ClickHouseMetrics_Merge{service="postgres-exporter"}`:      false, // not where it comes from
		`ClickHouseMetrics_Query{service="clickhouse"}`:             false, // not in the list
		`pg_up{service="redis-exporter"}`:                           false, // not where it comes from
		`pg_up`:                                                     false,
		`redis_up{service="redis-exporter"}`:                        false, // no ServiceMonitor
		`kube_pod_info`:                                             false, // no rule reads it
		`pg_stat_activity_count{service="postgres-exporter"}`:       false, // not in the list
		`rate(grpc_server_handled_total[1m]`:                        false, // does not parse
		`{__name__=~"grpc_.*"}`:                                     false,
		`grpc_server_handled_total / on() group_left kafka_brokers`: false,
	} {
		if got := len(s.check(expr)) == 0; got != ok {
			t.Errorf("%s: accepted %v, want %v (%v)", expr, got, ok, s.check(expr))
		}
	}
	if _, err := expand(`rate(x[$__rate_interval]) * $other`, map[string]string{}); err == nil {
		t.Error("an unknown variable expands")
	}
}
