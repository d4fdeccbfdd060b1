package load

import (
	"fmt"
	"slices"

	"github.com/novagen/novagen/catalog"
)

// Limits on catalog lists that still drive the size of one object after
// everything that grows with the catalog was split into groups: they keep
// every object well under Argo CD's 256 KiB (client-side apply copies an
// object into an annotation) and the API server's 1 MiB.
const (
	// MaxDependsOn bounds a service's dependsOn: its Deployment gets a
	// wait-for init container (about 1 KiB) and its NetworkPolicy an
	// egress rule per dependency.
	MaxDependsOn = 100
	// MaxServiceLabels bounds a service's labels, which go on its
	// Deployment, its pods and its other objects (up to 380 bytes each).
	MaxServiceLabels = 64
	// MaxServiceTopics bounds what one service produces and consumes
	// (each list): its Deployment's environment and the registry entry
	// name every topic.
	MaxServiceTopics = 100
	// MaxClickHouseClients bounds the services that use ClickHouse: each
	// is a user of the one ClickHouseInstallation, about 360 bytes (600
	// with the longest names), which cannot be split.
	MaxClickHouseClients = 400
)

// checkScale: the lists above within their limits, each error at the
// entry that goes over, naming the object that would grow.
func (v *validator) checkScale() {
	clickhouse := 0
	for i := range v.cat.Spec.Services {
		s := &v.cat.Spec.Services[i]
		at := fmt.Sprintf("/spec/services/%d", i)
		if n := len(s.DependsOn); n > MaxDependsOn {
			v.errorf(fmt.Sprintf("%s/dependsOn/%d", at, MaxDependsOn), "service %q depends on %d nodes: at most %d (its Deployment gets a wait-for init container per dependency): split the service or drop dependencies it need not wait for", s.Name, n, MaxDependsOn)
		}
		if n := len(s.Labels); n > MaxServiceLabels {
			v.errorf(at+"/labels", "service %q has %d labels: at most %d (they go on every object and pod of the service)", s.Name, n, MaxServiceLabels)
		}
		for _, l := range []struct {
			field  string
			topics []string
		}{{"produces", s.Produces}, {"consumes", s.Consumes}} {
			if n := len(l.topics); n > MaxServiceTopics {
				v.errorf(fmt.Sprintf("%s/%s/%d", at, l.field, MaxServiceTopics), "service %q %s %d topics: at most %d", s.Name, l.field, n, MaxServiceTopics)
			}
		}
		if v.cat.Spec.Infrastructure.ClickHouse != nil && s.UsesClickHouse() {
			clickhouse++
			if clickhouse == MaxClickHouseClients+1 {
				v.errorf(fmt.Sprintf("%s/dependsOn/%d", at, slices.Index(s.DependsOn, "clickhouse")),
					"service %q is ClickHouse client number %d: %d services use ClickHouse, at most %d fit in one ClickHouseInstallation (a user each): let fewer services depend on clickhouse",
					s.Name, clickhouse, clickHouseClients(v.cat), MaxClickHouseClients)
			}
		}
	}
}

// clickHouseClients counts the services that use ClickHouse.
func clickHouseClients(c *catalog.Catalog) int {
	n := 0
	for i := range c.Spec.Services {
		if c.Spec.Services[i].UsesClickHouse() {
			n++
		}
	}
	return n
}
