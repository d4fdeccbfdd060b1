package monitoring

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/novagen/novagen/catalog"
	"github.com/novagen/novagen/internal/generatortest"
	"github.com/novagen/novagen/naming"
)

// maxConfigMap is what the API server stores of one object (etcd's
// default request limit is a little more, 1.5 MiB); novagen's own limit
// on an object (pipeline.MaxObjectBytes) is half of it.
const maxConfigMap = 1 << 20

// dashboardSizes are the bytes of YAML of each dashboard ConfigMap of
// cat, by name.
func dashboardSizes(t *testing.T, cat *catalog.Catalog) map[string]int {
	t.Helper()
	out := map[string]int{}
	for _, n := range generatortest.Nodes(t, Generate, cat) {
		if n.GetKind() != "ConfigMap" || n.GetLabels()[cat.Spec.Monitoring.Grafana.Label] == "" {
			continue
		}
		s, err := n.String()
		require.NoError(t, err)
		out[n.GetName()] = len(s)
	}
	return out
}

// TestDashboardsAtScale (make scale-test runs it): no dashboard lists the
// services (a $service variable reads them from Prometheus), so with
// 10 000 services the overview is exactly as large as with 10, and
// every dashboard ConfigMap stays far below the 1 MiB the API server
// stores. The dashboards are shared: the infrastructure partition has
// them all, each once.
func TestDashboardsAtScale(t *testing.T) {
	generatortest.SkipLarge(t)
	small := dashboardSizes(t, generatortest.Synth(t, 10, 0))
	cat := generatortest.Synth(t, 10_000, 3)
	large := dashboardSizes(t, cat)
	overview := naming.Dashboard(cat.Metadata.Name, naming.DashboardServices)
	require.Contains(t, large, overview)
	_, clickhouse := cat.ClickHouseMetrics()
	require.True(t, clickhouse, "the synthetic catalog scrapes a managed ClickHouse")
	assert.Len(t, large, 1+len(cat.Exporters())+1, "the overview, one per exporter and ClickHouse's")
	assert.Equal(t, small[overview], large[overview], "the overview does not grow with the services")
	for name, size := range large {
		t.Logf("%s: %d bytes with 10 000 services", name, size)
		assert.Less(t, size, maxConfigMap/16, "%s", name)
	}
	generatortest.PartitionsAddUp(t, Generate, generatortest.Synth(t, 300, 3))
}

// maxApplied is the most an object may have for Argo CD's client-side
// apply, whose last-applied annotation holds the whole object (256 KiB).
const maxApplied = 256 << 10

// TestRedisMonitorAtScale (make scale-test runs it): the Redis exporter's
// ServiceMonitor has an endpoint per node; at the schema's 1000 nodes in
// a namespace of the longest name it stays under what Argo CD's
// client-side apply can annotate.
func TestRedisMonitorAtScale(t *testing.T) {
	cat := generatortest.Load(t, "scaledata/largest-redis.yaml")
	size, which := generatortest.LargestObject(t, Generate, cat)
	t.Logf("largest object with 1000 Redis nodes: %s, %d bytes", which, size)
	assert.Less(t, size, maxApplied)
}
