package schema

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/novagen/novagen/naming"
)

// TestEveryFeatureIsKnown: the loader knows when the catalog has each
// feature of naming's tables; one it did not know would leave the names
// that need it unchecked.
func TestEveryFeatureIsKnown(t *testing.T) {
	svc := Service{Name: "a", Database: "a", DependsOn: []string{"clickhouse"}, Expose: &Expose{Host: "a.example", TLS: true}}
	cat := &Catalog{Spec: Spec{
		Contracts:  &Contracts{Previous: &PreviousContracts{}},
		Monitoring: Monitoring{PrometheusOperator: PrometheusOperator{Enabled: true}},
		Partitions: &Partitions{Hashed: 2},
		Ingress:    &Ingress{},
		Infrastructure: Infrastructure{
			ClickHouse: &ClickHouse{},
		},
		Services: []Service{svc},
	}}
	v := &validator{cat: cat}
	for f := range naming.FeatureCount {
		assert.True(t, v.serviceHas(&cat.Spec.Services[0], f), "feature %d", f)
	}
	bare := &validator{cat: &Catalog{}}
	for f := range naming.FeatureCount {
		assert.Equal(t, f == naming.Always, bare.serviceHas(&Service{Name: "a"}, f), "feature %d of a bare catalog", f)
	}
}
