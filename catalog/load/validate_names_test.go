package load

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/novagen/novagen/catalog"
	"github.com/novagen/novagen/naming"
)

// TestEveryFeatureIsKnown: the loader knows when the catalog has each
// feature of naming's tables; one it did not know would leave the names
// that need it unchecked.
func TestEveryFeatureIsKnown(t *testing.T) {
	svc := catalog.Service{Name: "a", Database: "a", DependsOn: []string{"clickhouse"}, Expose: &catalog.Expose{Host: "a.example", TLS: true}}
	cat := &catalog.Catalog{Spec: catalog.Spec{
		Contracts:  &catalog.Contracts{Previous: &catalog.PreviousContracts{}},
		Monitoring: catalog.Monitoring{PrometheusOperator: catalog.PrometheusOperator{Enabled: true}},
		Partitions: &catalog.Partitions{Hashed: 2},
		Ingress:    &catalog.Ingress{},
		Infrastructure: catalog.Infrastructure{
			ClickHouse: &catalog.ClickHouse{},
		},
		Services: []catalog.Service{svc},
	}}
	v := &validator{cat: cat}
	for f := range naming.FeatureCount {
		assert.True(t, v.serviceHas(&cat.Spec.Services[0], f), "feature %d", f)
	}
	bare := &validator{cat: &catalog.Catalog{}}
	for f := range naming.FeatureCount {
		assert.Equal(t, f == naming.Always, bare.serviceHas(&catalog.Service{Name: "a"}, f), "feature %d of a bare catalog", f)
	}
}
