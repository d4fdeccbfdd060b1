package monitoring

import (
	"encoding/json"
	"fmt"
	"hash/fnv"
	"strings"

	corev1 "k8s.io/api/core/v1"

	"github.com/novagen/novagen/catalog"
	"github.com/novagen/novagen/generators/kube"
	"github.com/novagen/novagen/naming"
)

// The dashboards, one ConfigMap each for Grafana's sidecar: an overview
// of every service, one per exporter (PostgreSQL, Redis, Kafka) and one
// for a managed ClickHouse, from its own metrics (its PodMonitor).
// None lists the services: a $service variable reads them from
// Prometheus (the targets of the services' ServiceMonitors), so a new
// service appears without a new dashboard and no ConfigMap grows with
// the catalog. ZooKeeper has none: its image has no Prometheus metrics
// provider (catalog.Catalog.MetricsTargets), and novagen runs no exporter
// for it.

// rateWindow is Grafana's window for rate(): at least four scrapes.
const rateWindow = "$__rate_interval"

// serverErrorCodes are the gRPC codes a server's fault produces; the
// others (NotFound, InvalidArgument, PermissionDenied...) answer the
// caller's mistakes and are no error of the service.
var serverErrorCodes = []string{"Unknown", "DeadlineExceeded", "Unimplemented", "Internal", "Unavailable", "DataLoss"}

// query is one PromQL expression of a panel and its series' legend.
type query struct{ expr, legend string }

// chart is a panel before layout.
type chart struct {
	title, description, unit string
	stat                     bool // a single value, not a time series
	queries                  []query
}

// dashboards are the ConfigMaps of the overview and of each exporter.
func dashboards(cat *catalog.Catalog) ([]kube.Object, error) {
	out := []kube.Object{}
	cm, err := dashboardConfigMap(cat, naming.DashboardServices, "Services", "Requests, errors and latency of every catalog service from its gRPC server metrics; restarts and readiness from kube-state-metrics.",
		[]variable{serviceVariable(cat)}, servicesCharts(cat))
	if err != nil {
		return nil, err
	}
	out = append(out, cm)
	for _, x := range cat.Exporters() {
		charts, title := exporterCharts(cat, x)
		cm, err := dashboardConfigMap(cat, x.Component, title, fmt.Sprintf("%s through %s (%s).", title, x.Name, x.Image), nil, charts)
		if err != nil {
			return nil, err
		}
		out = append(out, cm)
	}
	if t, ok := cat.ClickHouseMetrics(); ok {
		cm, err := dashboardConfigMap(cat, t.Name, "ClickHouse", "ClickHouse from its own Prometheus endpoint (port "+fmt.Sprint(t.Port)+" of every pod).", nil, clickHouseCharts(cat, t))
		if err != nil {
			return nil, err
		}
		out = append(out, cm)
	}
	return out, nil
}

// clickHouseCharts are the panels of ClickHouse's dashboard: its current
// metrics (ClickHouseMetrics_*, gauges), profile events (ClickHouseProfile
// Events_*, counters since the server started) and asynchronous metrics
// (ClickHouseAsyncMetrics_*, gauges it recomputes every second), per pod.
// Native metrics carry no table label: the parts panels show the largest
// partition and the total, which is what "Too many parts" is about.
func clickHouseCharts(cat *catalog.Catalog, t catalog.MetricsTarget) []chart {
	of := func(metric string) string {
		return selector(metric, eq("namespace", cat.Spec.Namespace), eq("service", t.Name))
	}
	rate := func(metric string) string {
		return fmt.Sprintf("sum by (pod) (rate(%s[%s]))", of(metric), rateWindow)
	}
	perPod := func(metric, legend string) query {
		return query{fmt.Sprintf("max by (pod) (%s)", of(metric)), "{{pod}}" + legend}
	}
	return []chart{
		{title: "Up", stat: true, description: "Pods whose metrics endpoint Prometheus reaches.", queries: []query{{fmt.Sprintf("sum(%s)", of("up")), ""}}},
		{title: "Queries", unit: "ops", description: "Queries started per second, and those that failed.", queries: []query{
			{rate("ClickHouseProfileEvents_Query"), "{{pod}} all"},
			{rate("ClickHouseProfileEvents_FailedQuery"), "{{pod}} failed"},
		}},
		{title: "Inserted rows", unit: "suffix: rows/s", queries: []query{{rate("ClickHouseProfileEvents_InsertedRows"), "{{pod}}"}}},
		{title: "Inserts delayed and rejected", unit: "ops", description: "INSERTs throttled or refused (Too many parts) for the active parts of a partition.", queries: []query{
			{rate("ClickHouseProfileEvents_DelayedInserts"), "{{pod}} delayed"},
			{rate("ClickHouseProfileEvents_RejectedInserts"), "{{pod}} rejected"},
		}},
		{title: "Merges", description: "Background merges running, and rows merged per second.", queries: []query{
			perPod("ClickHouseMetrics_Merge", " running"),
			{rate("ClickHouseProfileEvents_MergedRows"), "{{pod}} rows/s"},
		}},
		{title: "Memory", unit: "bytes", description: "Memory the server tracks as allocated, and its resident set.", queries: []query{
			perPod("ClickHouseMetrics_MemoryTracking", " tracked"),
			perPod("ClickHouseAsyncMetrics_MemoryResident", " resident"),
		}},
		{title: "Parts", description: "Active parts of the largest partition (inserts slow down, then fail, as it grows) and of all MergeTree tables.", queries: []query{
			perPod("ClickHouseAsyncMetrics_MaxPartCountForPartition", " largest partition"),
			perPod("ClickHouseAsyncMetrics_TotalPartsOfMergeTreeTables", " all tables"),
		}},
		{title: "Connections", queries: []query{
			perPod("ClickHouseMetrics_TCPConnection", " native"),
			perPod("ClickHouseMetrics_HTTPConnection", " HTTP"),
		}},
		{title: "Replication", description: "Read-only replicas (no ZooKeeper session), the largest replication delay, and part fetches that failed.", queries: []query{
			perPod("ClickHouseMetrics_ReadonlyReplica", " read-only"),
			perPod("ClickHouseAsyncMetrics_ReplicasMaxAbsoluteDelay", " delay (s)"),
			{rate("ClickHouseProfileEvents_ReplicatedPartFailedFetches"), "{{pod}} failed fetches/s"},
		}},
		{title: "ZooKeeper", description: "Sessions to ZooKeeper (one when replicated, none otherwise) and its network errors (connection loss and the like).", queries: []query{
			perPod("ClickHouseMetrics_ZooKeeperSession", " sessions"),
			{rate("ClickHouseProfileEvents_ZooKeeperHardwareExceptions"), "{{pod}} errors/s"},
		}},
	}
}

// serviceVariable lists the services Prometheus scrapes in the namespace:
// the targets of their ServiceMonitors, on the services' metrics port
// (the exporters' has another name). All, selected when the dashboard
// opens, is every one, as a regular expression, not a list of thousands;
// the readiness panels then show the exporters' Deployments too.
func serviceVariable(cat *catalog.Catalog) variable {
	return variable{
		Name: "service", Label: "Service", Type: "query", Datasource: promDatasource,
		Query:   fmt.Sprintf("label_values(%s, service)", selector("up", eq("namespace", cat.Spec.Namespace), eq("endpoint", naming.PortMetrics))),
		Refresh: 2, Multi: true, IncludeAll: true, AllValue: ".*", Sort: 1, Current: allSelected,
	}
}

// servicesCharts: the overview's panels, for the services $service picks.
func servicesCharts(cat *catalog.Catalog) []chart {
	ns := eq("namespace", cat.Spec.Namespace)
	svc := matcher{"service", "=~", "$service"}
	handled := func(ms ...matcher) string {
		return fmt.Sprintf("sum by (service) (rate(%s[%s]))", selector("grpc_server_handled_total", append([]matcher{ns, svc}, ms...)...), rateWindow)
	}
	latency := func(q, name string) query {
		return query{fmt.Sprintf("histogram_quantile(%s, sum by (service, le) (rate(%s[%s])))", q, selector("grpc_server_handling_seconds_bucket", ns, svc), rateWindow), "{{service}} " + name}
	}
	a := cat.Spec.Monitoring.PrometheusOperator.Alerts
	window := duration(a.RestartWindow.Duration)
	deployment, container := matcher{"deployment", "=~", "$service"}, matcher{"container", "=~", "$service"}
	return []chart{
		{title: "Requests", unit: "reqps", description: "gRPC calls handled per second (grpc_server_handled_total).",
			queries: []query{{handled(), "{{service}}"}}},
		{title: "Server errors", unit: "percentunit", description: "Share of calls ending in " + strings.Join(serverErrorCodes, ", ") + ".",
			queries: []query{{handled(oneOf("grpc_code", serverErrorCodes, "")) + " / " + handled(), "{{service}}"}}},
		{title: "Latency", unit: "s", description: "p50 and p99 of the time to handle a call (grpc_server_handling_seconds, the servers' optional handling-time histogram).",
			queries: []query{latency("0.5", "p50"), latency("0.99", "p99")}},
		{title: "Restarts within " + window, description: fmt.Sprintf("Container restarts (kube-state-metrics); ServiceRestarting fires at %d.", a.Restarts),
			queries: []query{{fmt.Sprintf("sum by (container) (increase(%s[%s]))", selector("kube_pod_container_status_restarts_total", ns, container), window), "{{container}}"}}},
		{title: "Available replicas", description: "Available replicas against those wanted (kube-state-metrics); ServiceNotReady fires after " + duration(a.NotReadyFor.Duration) + " short.",
			queries: []query{
				{selector("kube_deployment_status_replicas_available", ns, deployment), "{{deployment}} available"},
				{selector("kube_deployment_spec_replicas", ns, deployment), "{{deployment}} wanted"},
			}},
		{title: "Not ready", stat: true, description: "Deployments with fewer available replicas than wanted.",
			queries: []query{{fmt.Sprintf("count(%s < %s) or vector(0)", selector("kube_deployment_status_replicas_available", ns, deployment), selector("kube_deployment_spec_replicas", ns, deployment)), ""}}},
	}
}

// exporterCharts are the panels of an exporter's dashboard, on the
// metrics it exposes (test/promql checks the names against its
// documented list), and the dashboard's title.
func exporterCharts(cat *catalog.Catalog, x catalog.Exporter) ([]chart, string) {
	of := func(metric string) string {
		return selector(metric, eq("namespace", cat.Spec.Namespace), eq("service", x.Name))
	}
	rate := func(metric, by string) string {
		return fmt.Sprintf("sum by (%s) (rate(%s[%s]))", by, of(metric), rateWindow)
	}
	switch x.Component {
	case catalog.ExporterPostgres:
		return []chart{
			{title: "Up", stat: true, description: "1 when the exporter reaches PostgreSQL.", queries: []query{{of("pg_up"), ""}}},
			{title: "Connections", description: "Backends per database, and max_connections.", queries: []query{
				{fmt.Sprintf("sum by (datname) (%s)", of("pg_stat_database_numbackends")), "{{datname}}"},
				{of("pg_settings_max_connections"), "max_connections"},
			}},
			{title: "Commits", unit: "ops", queries: []query{{rate("pg_stat_database_xact_commit", "datname"), "{{datname}}"}}},
			{title: "Rollbacks", unit: "ops", queries: []query{{rate("pg_stat_database_xact_rollback", "datname"), "{{datname}}"}}},
			{title: "Cache hit ratio", unit: "percentunit", description: "Blocks found in shared buffers against all blocks read.", queries: []query{{
				fmt.Sprintf("%s / (%s + %s)", rate("pg_stat_database_blks_hit", "datname"), rate("pg_stat_database_blks_hit", "datname"), rate("pg_stat_database_blks_read", "datname")), "{{datname}}"}}},
			{title: "Database size", unit: "bytes", queries: []query{{fmt.Sprintf("sum by (datname) (%s)", of("pg_database_size_bytes")), "{{datname}}"}}},
			{title: "Deadlocks", unit: "ops", queries: []query{{rate("pg_stat_database_deadlocks", "datname"), "{{datname}}"}}},
		}, "PostgreSQL"
	case catalog.ExporterRedis:
		return []chart{
			{title: "Nodes up", stat: true, description: "Cluster nodes the exporter reaches.", queries: []query{{fmt.Sprintf("sum(%s)", of("redis_up")), ""}}},
			{title: "Cluster state", stat: true, description: "1 on every node when the cluster is ok (CLUSTER INFO).", queries: []query{{fmt.Sprintf("min(%s)", of("redis_cluster_state")), ""}}},
			{title: "Commands", unit: "ops", queries: []query{{rate("redis_commands_processed_total", "instance"), "{{instance}}"}}},
			{title: "Memory", unit: "bytes", description: "Used, and maxmemory.", queries: []query{
				{of("redis_memory_used_bytes"), "{{instance}} used"},
				{of("redis_memory_max_bytes"), "{{instance}} max"},
			}},
			{title: "Hit ratio", unit: "percentunit", queries: []query{{
				fmt.Sprintf("%s / (%s + %s)", rate("redis_keyspace_hits_total", "instance"), rate("redis_keyspace_hits_total", "instance"), rate("redis_keyspace_misses_total", "instance")), "{{instance}}"}}},
			{title: "Clients", queries: []query{{of("redis_connected_clients"), "{{instance}}"}}},
			{title: "Keys", queries: []query{{fmt.Sprintf("sum by (instance) (%s)", of("redis_db_keys")), "{{instance}}"}}},
			{title: "Evictions", unit: "ops", queries: []query{{rate("redis_evicted_keys_total", "instance"), "{{instance}}"}}},
		}, "Redis"
	case catalog.ExporterKafka:
		return []chart{
			{title: "Brokers", stat: true, queries: []query{{of("kafka_brokers"), ""}}},
			{title: "Under-replicated partitions", stat: true, queries: []query{{fmt.Sprintf("sum(%s)", of("kafka_topic_partition_under_replicated_partition")), ""}}},
			{title: "Messages in", unit: "ops", description: "Growth of the topics' newest offsets.", queries: []query{{rate("kafka_topic_partition_current_offset", "topic"), "{{topic}}"}}},
			{title: "Consumer lag", description: "Messages behind, per consumer group and topic.", queries: []query{{fmt.Sprintf("sum by (consumergroup, topic) (%s)", of("kafka_consumergroup_lag")), "{{consumergroup}} {{topic}}"}}},
			{title: "Partitions", queries: []query{{of("kafka_topic_partitions"), "{{topic}}"}}},
		}, "Kafka"
	}
	return nil, x.Component
}

// promDatasource is the $datasource variable every panel reads.
var promDatasource = &datasourceRef{Type: "prometheus", UID: "${datasource}"}

// dashboardConfigMap lays charts out two to a row under the datasource
// variable and vars, and wraps the dashboard in its ConfigMap.
func dashboardConfigMap(cat *catalog.Catalog, what, title, description string, vars []variable, charts []chart) (*corev1.ConfigMap, error) {
	name := naming.Dashboard(cat.Metadata.Name, what)
	d := dashboard{
		UID:           dashboardUID(cat, name),
		Title:         fmt.Sprintf("%s / %s (%s)", cat.Metadata.Name, title, cat.Spec.Namespace),
		Description:   description,
		Tags:          []string{"novagen", cat.Metadata.Name},
		SchemaVersion: grafanaSchemaVersion,
		Time:          timeRange{From: "now-6h", To: "now"},
		Refresh:       "1m",
		Templating: templating{List: append([]variable{{
			Name: "datasource", Label: "Data source", Type: "datasource", Query: "prometheus",
		}}, vars...)},
	}
	for i, c := range charts {
		kind := "timeseries"
		if c.stat {
			kind = "stat"
		}
		p := panel{ID: i + 1, Type: kind, Title: c.title, Description: c.description, Datasource: promDatasource,
			GridPos: gridPos{H: 8, W: 12, X: 12 * (i % 2), Y: 8 * (i / 2)}, FieldConfig: fieldConfig{Defaults: fieldDefaults{Unit: c.unit}, Overrides: []struct{}{}}}
		for j, q := range c.queries {
			p.Targets = append(p.Targets, target{RefID: string(rune('A' + j)), Expr: q.expr, LegendFormat: q.legend, Datasource: promDatasource})
		}
		d.Panels = append(d.Panels, p)
	}
	// PromQL's < and > as themselves, not as \u003c: readable in the
	// ConfigMap and in Grafana's JSON view.
	var text strings.Builder
	enc := json.NewEncoder(&text)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(d); err != nil {
		return nil, fmt.Errorf("dashboard %s: %w", name, err)
	}
	m := meta(cat, name)
	g := cat.Spec.Monitoring.Grafana
	m.Labels[g.Label] = g.LabelValue
	if g.Namespace != "" {
		m.Namespace = g.Namespace
	}
	return &corev1.ConfigMap{
		TypeMeta:   kube.TypeMeta("v1", "ConfigMap"),
		ObjectMeta: m,
		Data:       map[string]string{name + ".json": text.String()},
	}, nil
}

// dashboardUID is stable and differs between catalogs and namespaces
// sharing one Grafana: Grafana keys dashboards by it (at most 40
// characters).
func dashboardUID(cat *catalog.Catalog, name string) string {
	h := fnv.New64a()
	h.Write([]byte(cat.Spec.Namespace + "/" + name))
	return fmt.Sprintf("novagen-%016x", h.Sum64())
}
