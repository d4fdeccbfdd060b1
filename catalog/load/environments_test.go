package load

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// An environment is the catalog plus its overlay: mappings merge key by
// key, values and lists replace, services are patched by name; the
// catalog as written is untouched by it.
func TestEnvironmentOverlay(t *testing.T) {
	const catalog = `apiVersion: catalog.nova.dev/v1alpha1
kind: ServiceCatalog
metadata: {name: t}
spec:
  namespace: t-staging
  defaults:
    image: {registry: registry.example/t, tag: "1.0.0"}
    replicas: 1
  monitoring: {namespace: monitoring}
  infrastructure:
    redis: {nodes: 3, memory: 512Mi}
    kafka: {brokers: 1, mode: zookeeper}
    zookeeper: {}
    external:
      - {name: search, host: search.example.com, port: 9200}
  topics: [{name: events, partitions: 3}]
  services:
    - name: a
      dependsOn: [redis, kafka]
    - name: b
      labels: {tier: web}
  environments:
    production:
      namespace: t-production
      monitoring: {namespace: observability}
      defaults: {replicas: 3}
      infrastructure:
        redis: {nodes: 6, replicasPerMaster: 1}
        kafka: {mode: kraft, brokers: 3}
        external:
          - {name: search, host: search.prod.example.com, port: 9300}
      services:
        b: {replicas: 5, labels: {tier: edge}}
`
	base, err := Parse("c.yaml", []byte(catalog))
	require.NoError(t, err)
	assert.Equal(t, []string{"production"}, base.EnvironmentNames)
	assert.Equal(t, "", base.Environment)
	assert.Equal(t, "t-staging", base.Spec.Namespace)
	assert.Equal(t, 3, base.Spec.Infrastructure.Redis.Nodes)

	prod, err := ParseEnv("c.yaml", []byte(catalog), "production")
	require.NoError(t, err)
	s := prod.Spec
	assert.Equal(t, "production", prod.Environment)
	assert.Equal(t, "t-production", s.Namespace)
	assert.Equal(t, "observability", s.Monitoring.Namespace)
	assert.Equal(t, int32(3), *s.Defaults.Replicas)
	assert.Equal(t, "registry.example/t", s.Defaults.Image.Registry, "the rest of a merged mapping stays")
	assert.Equal(t, 6, s.Infrastructure.Redis.Nodes)
	assert.Equal(t, 1, s.Infrastructure.Redis.ReplicasPerMaster)
	assert.Equal(t, "512Mi", s.Infrastructure.Redis.Memory)
	assert.True(t, s.Infrastructure.Kafka.KRaft())
	require.Len(t, s.Infrastructure.External, 1, "a list replaces")
	assert.Equal(t, int32(9300), s.Infrastructure.External[0].Port)
	a, _ := prod.Service("a")
	b, _ := prod.Service("b")
	assert.Equal(t, int32(3), *a.Replicas, "the new default")
	assert.Equal(t, int32(5), *b.Replicas, "the service's patch")
	assert.Equal(t, map[string]string{"tier": "edge"}, b.Labels)
	assert.Equal(t, "registry.example/t/b", b.Image.Repository)
}

// An error in an environment points at the overlay's line when the
// overlay wrote the value, at the catalog's when it did not.
func TestEnvironmentErrorPositions(t *testing.T) {
	const catalog = `apiVersion: catalog.nova.dev/v1alpha1
kind: ServiceCatalog
metadata: {name: t}
spec:
  namespace: t
  defaults:
    image: {registry: registry.example/t, tag: "1.0.0"}
  infrastructure:
    redis: {nodes: 4, replicasPerMaster: 1}
  services:
    - name: a
  environments:
    production:
      infrastructure:
        redis: {nodes: 5}
`
	_, err := Parse("c.yaml", []byte(catalog))
	require.ErrorContains(t, err, "c.yaml:9:20: redis has 4 nodes")
	_, err = ParseEnv("c.yaml", []byte(catalog), "production")
	require.ErrorContains(t, err, "c.yaml:15:24: redis has 5 nodes, not a multiple of 2")
	_, err = ParseEnv("c.yaml", []byte(catalog), "qa")
	require.ErrorContains(t, err, `c.yaml:12:3: environment "qa" is not in the catalog's spec.environments: it has production`)
}
