package load

import (
	"fmt"
	"strings"
	"testing"
)

// scaleCatalog has services a000.. with a ClickHouse-using service per
// entry of clickhouse, plus one service (big) with deps dependencies,
// labels labels and produces topics.
func scaleCatalog(clickhouse, deps, labels, produces int) string {
	var b strings.Builder
	b.WriteString(`apiVersion: catalog.nova.dev/v1alpha1
kind: ServiceCatalog
metadata: {name: t}
spec:
  namespace: t
  defaults:
    image: {registry: registry.example/t, tag: "1.0"}
  infrastructure:
    kafka: {mode: kraft}
    clickhouse: {database: analytics}
  topics:
    - {name: events, partitions: 1}
`)
	for i := range produces {
		fmt.Fprintf(&b, "    - {name: t%03d, partitions: 1}\n", i)
	}
	b.WriteString("  services:\n")
	for i := range max(clickhouse, deps) {
		fmt.Fprintf(&b, "    - name: a%03d\n", i)
		if i < clickhouse {
			b.WriteString("      dependsOn: [clickhouse]\n")
		}
	}
	b.WriteString("    - name: big\n      dependsOn: [")
	for i := range deps {
		fmt.Fprintf(&b, "a%03d, ", i)
	}
	b.WriteString("kafka]\n      labels: {")
	for i := range labels {
		fmt.Fprintf(&b, "l%03d: v, ", i)
	}
	b.WriteString("team: x}\n      produces: [events")
	for i := range produces {
		fmt.Fprintf(&b, ", t%03d", i)
	}
	b.WriteString("]\n")
	return b.String()
}

func TestScaleLimits(t *testing.T) {
	if _, err := Parse("services.yaml", []byte(scaleCatalog(MaxClickHouseClients, MaxDependsOn-1, MaxServiceLabels-1, MaxServiceTopics-1))); err != nil {
		t.Fatalf("a catalog at every limit loads: %v", err)
	}
	for _, tc := range []struct {
		name string
		text string
		want string
	}{
		{"clickhouse clients", scaleCatalog(MaxClickHouseClients+2, 0, 0, 0),
			fmt.Sprintf(`services.yaml:%d:19: service "a%03d" is ClickHouse client number %d: %d services use ClickHouse, at most %d fit in one ClickHouseInstallation`, 14+2*MaxClickHouseClients+1, MaxClickHouseClients, MaxClickHouseClients+1, MaxClickHouseClients+2, MaxClickHouseClients)},
		{"dependencies", scaleCatalog(0, MaxDependsOn+1, 0, 0), fmt.Sprintf(`service "big" depends on %d nodes: at most %d`, MaxDependsOn+2, MaxDependsOn)},
		{"labels", scaleCatalog(0, 0, MaxServiceLabels, 0), fmt.Sprintf(`service "big" has %d labels: at most %d`, MaxServiceLabels+1, MaxServiceLabels)},
		{"topics", scaleCatalog(0, 0, 0, MaxServiceTopics), fmt.Sprintf(`service "big" produces %d topics: at most %d`, MaxServiceTopics+1, MaxServiceTopics)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse("services.yaml", []byte(tc.text))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v\nwant an error containing %s", err, tc.want)
			}
			if !strings.HasPrefix(err.Error(), "services.yaml:") || strings.HasPrefix(err.Error(), "services.yaml: ") {
				t.Errorf("not located: %v", err)
			}
		})
	}
}
