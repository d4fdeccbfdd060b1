package catalog

import "github.com/novagen/novagen/naming"

// MetricsTarget is a port the monitoring pods scrape: the pods behind
// the in-namespace Service named Name, on Port (named PortName there).
type MetricsTarget struct {
	Name     string
	Port     int32
	PortName string
}

// Scrapes says whether the catalog names the pods that scrape metrics
// (spec.monitoring.namespace or podLabels).
func (m *Monitoring) Scrapes() bool { return m.Namespace != "" || len(m.PodLabels) > 0 }

// MetricsTargets are what the monitoring pods may scrape, sorted by name:
// every service's metrics port, none when the catalog names no scrapers.
// The NetworkPolicies admit the scrapers to exactly these ports and the
// ServiceMonitors point at exactly these, so the two cannot disagree.
// No infrastructure component exposes Prometheus metrics today (Kafka's
// JMX port is not Prometheus' format), so none is a target. The slice is
// shared.
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
}
