package catalog

import (
	"fmt"
	"slices"
	"strings"

	"github.com/novagen/novagen/naming"
)

// MetricsTarget is a port the monitoring pods scrape: the pods behind
// the in-namespace Service named Name, on Port (named PortName there).
// Exporter is set when the target is an exporter of the data tier;
// PodLabels when it is a component's own pods, which serve Prometheus
// metrics themselves (ClickHouse): Prometheus scrapes each pod (a
// PodMonitor), since one Service would hand every scrape to any replica.
type MetricsTarget struct {
	Name      string
	Port      int32
	PortName  string
	Exporter  *Exporter
	PodLabels map[string]string
}

// ClickHouseMetricsPort is where a managed ClickHouse serves its native
// Prometheus metrics when monitoring is on: the port ClickHouse's own
// documentation and the Altinity examples give its <prometheus> endpoint.
const ClickHouseMetricsPort = 9363

// ClickHouseComponent is the catalog's name of ClickHouse.
const ClickHouseComponent = "clickhouse"

// ClickHouseMetrics is the metrics target of a managed ClickHouse, if
// Prometheus scrapes it (the Prometheus Operator on and scrapers named):
// the clickhouse generator then switches the endpoint on.
func (c *Catalog) ClickHouseMetrics() (MetricsTarget, bool) {
	t, ok := c.MetricsTarget(ClickHouseComponent)
	return t, ok && t.PodLabels != nil
}

// Exporter is a Prometheus exporter novagen runs for a managed data
// component that has no Prometheus metrics of its own. It is a Deployment
// of its own, not a sidecar: adding it (switching monitoring on) or
// changing it never rolls the component's StatefulSet, so PostgreSQL,
// Redis and Kafka do not restart for their monitoring.
type Exporter struct {
	Name      string            // Deployment, Service, ServiceMonitor, NetworkPolicy: <component>-exporter
	Component string            // the component it reads: postgres, redis or kafka
	Port      int32             // where it serves its metrics (the exporter's usual port)
	Image     string            // from spec.images
	PodLabels map[string]string // its pods, for selectors and NetworkPolicies
	// Targets are the addresses Prometheus asks it to scrape one by one
	// (its /scrape?target= endpoint): every Redis Cluster node, since one
	// node's INFO says nothing about the others. None for an exporter
	// that reads the whole component through one address.
	Targets []string
}

// Exporter components and the exporters' own default ports.
const (
	ExporterPostgres     = "postgres"
	ExporterRedis        = "redis"
	ExporterKafka        = "kafka"
	PostgresExporterPort = 9187 // postgres_exporter's default
	RedisExporterPort    = 9121 // redis_exporter's default
	KafkaExporterPort    = 9308 // kafka_exporter's default
)

// Exporters are the data tier's exporters, sorted by name: one for each
// managed PostgreSQL, Redis and Kafka when the Prometheus Operator is
// enabled (without ServiceMonitors nothing would read them). A component
// provided from outside is its provider's to monitor. The slice is shared.
func (c *Catalog) Exporters() []Exporter { return c.index.exporters }

// exporters lists what Exporters returns.
func (c *Catalog) exporters() []Exporter {
	if !c.Spec.Monitoring.PrometheusOperator.Enabled || !c.Spec.Monitoring.Scrapes() {
		return nil
	}
	inf, img := &c.Spec.Infrastructure, &c.Spec.Images
	var out []Exporter
	add := func(component string, comp *Component, port int32, image string, targets []string) {
		if comp.IsManaged() {
			name := naming.Exporter(component)
			out = append(out, Exporter{Name: name, Component: component, Port: port, Image: image,
				PodLabels: map[string]string{naming.LabelName: name}, Targets: targets})
		}
	}
	// Sorted by name: kafka-, postgres-, redis-exporter.
	if inf.Kafka != nil {
		add(ExporterKafka, &inf.Kafka.Component, KafkaExporterPort, img.KafkaExporter, nil)
	}
	if inf.Postgres != nil {
		add(ExporterPostgres, &inf.Postgres.Component, PostgresExporterPort, img.PostgresExporter, nil)
	}
	if r := inf.Redis; r != nil {
		nodes := make([]string, r.Nodes)
		for i := range nodes {
			// The StatefulSet redis's pods, by their stable names, which
			// the exporter's namespace resolves: no namespace and domain
			// in each of up to 1000 endpoints of the ServiceMonitor, nor
			// redis://, which redis_exporter adds.
			nodes[i] = fmt.Sprintf("redis-%d.%s:%d", i, naming.RedisHeadless, r.Port)
		}
		add(ExporterRedis, &r.Component, RedisExporterPort, img.RedisExporter, nodes)
	}
	return out
}

// Scrapes says whether the catalog names the pods that scrape metrics
// (spec.monitoring.namespace or podLabels).
func (m *Monitoring) Scrapes() bool { return m.Namespace != "" || len(m.PodLabels) > 0 }

// MetricsTargets are what the monitoring pods may scrape, sorted by name:
// every service's metrics port, a managed ClickHouse's own (it serves
// Prometheus metrics natively) and every exporter's, none when the
// catalog names no scrapers.
// The NetworkPolicies admit the scrapers to exactly these ports and the
// ServiceMonitors (a PodMonitor for ClickHouse) point at exactly these,
// so the two cannot disagree. The exporters (Exporters) stand in for the
// components without Prometheus metrics of their own: PostgreSQL, Redis
// and Kafka (whose JMX port is not Prometheus' format). ZooKeeper has
// neither: the cp-zookeeper image lacks ZooKeeper's Prometheus metrics
// provider (Kafka's distribution ships zookeeper and zookeeper-jute
// only). The slice is shared.
func (c *Catalog) MetricsTargets() []MetricsTarget { return c.index.metrics }

// MetricsTarget looks up the metrics target of node name.
func (c *Catalog) MetricsTarget(name string) (MetricsTarget, bool) {
	i, ok := c.index.metric[name]
	if !ok {
		return MetricsTarget{}, false
	}
	return c.index.metrics[i], true
}

// indexMetrics lists the metrics targets, in endpoint (name) order.
func (c *Catalog) indexMetrics() {
	c.index.metrics, c.index.metric = nil, map[string]int{}
	if !c.Spec.Monitoring.Scrapes() {
		return
	}
	for _, e := range c.index.endpoints {
		if s, ok := c.Service(e.Name); ok && e.Kind == KindService {
			c.index.metric[s.Name] = len(c.index.metrics)
			c.index.metrics = append(c.index.metrics, MetricsTarget{Name: s.Name, Port: s.Ports.Metrics, PortName: naming.PortMetrics})
		}
	}
	if ch := c.Spec.Infrastructure.ClickHouse; ch != nil && ch.IsManaged() && c.Spec.Monitoring.PrometheusOperator.Enabled {
		if e, ok := c.Endpoint(ClickHouseComponent); ok && len(e.PodLabels) > 0 { // managed: its pods are here
			c.index.metrics = append(c.index.metrics, MetricsTarget{Name: e.Name, Port: ClickHouseMetricsPort, PortName: naming.PortNativeMetrics, PodLabels: e.PodLabels})
		}
	}
	c.index.exporters = c.exporters()
	for i := range c.index.exporters {
		e := &c.index.exporters[i]
		c.index.metric[e.Name] = len(c.index.metrics)
		c.index.metrics = append(c.index.metrics, MetricsTarget{Name: e.Name, Port: e.Port, PortName: naming.PortExporter, Exporter: e})
	}
	slices.SortFunc(c.index.metrics, func(a, b MetricsTarget) int { return strings.Compare(a.Name, b.Name) })
	for i, t := range c.index.metrics {
		c.index.metric[t.Name] = i
	}
}

// OwnsTarget says whether the objects of a metrics target are rendered:
// a service's in its partition, an exporter's or a component's with the
// infrastructure.
func (c *Catalog) OwnsTarget(t MetricsTarget) bool {
	if t.Exporter != nil || t.PodLabels != nil {
		return c.OwnsShared()
	}
	return c.Owns(t.Name)
}
