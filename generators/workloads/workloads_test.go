package workloads

import (
	"fmt"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"

	"github.com/novagen/novagen/catalog"
	"github.com/novagen/novagen/catalog/load"
	"github.com/novagen/novagen/internal/generatortest"
	"github.com/novagen/novagen/naming"
)

func TestGolden(t *testing.T) { generatortest.GeneratorCases(t, Generate) }

// TestCredentialsReachPods: a service that depends on Redis gets its
// address and password Secret; secrets.rotation rolls every pod template
// and secrets.reloader names each Deployment's Secrets for Reloader.
func TestCredentialsReachPods(t *testing.T) {
	cat, err := load.Load("../../test/catalogs/data-tier-production.yaml")
	require.NoError(t, err)
	objs, err := Generate(cat)
	require.NoError(t, err)
	var deployments []*appsv1.Deployment
	for _, o := range objs {
		if d, ok := o.(*appsv1.Deployment); ok {
			deployments = append(deployments, d)
		}
	}
	require.Len(t, deployments, 2)
	for _, d := range deployments {
		assert.Equal(t, cat.Spec.Secrets.Rotation, d.Spec.Template.Annotations[AnnotationRotation], d.Name)
		env := map[string]corev1.EnvVar{}
		for _, e := range d.Spec.Template.Spec.Containers[0].Env {
			env[e.Name] = e
		}
		assert.Equal(t, "redis:6379", env["REDIS_ADDR"].Value, d.Name)
		require.NotNil(t, env["REDIS_PASSWORD"].ValueFrom, d.Name)
		assert.Equal(t, "redis-auth", env["REDIS_PASSWORD"].ValueFrom.SecretKeyRef.Name, d.Name)
		if d.Name != "feed-service" {
			assert.Equal(t, d.Name+"-db,redis-auth", d.Annotations[AnnotationReloader], d.Name)
			assert.NotContains(t, env, "CLICKHOUSE_HOST", "only ClickHouse's clients get it")
			continue
		}
		// feed-service depends on ClickHouse: its address, database and
		// own login.
		assert.Equal(t, "feed-service-db,redis-auth,feed-service-clickhouse", d.Annotations[AnnotationReloader], d.Name)
		ch := cat.Spec.Infrastructure.ClickHouse
		assert.Equal(t, "clickhouse", env["CLICKHOUSE_HOST"].Value)
		assert.Equal(t, fmt.Sprint(ch.Port), env["CLICKHOUSE_PORT"].Value)
		assert.Equal(t, fmt.Sprint(ch.HTTPPort), env["CLICKHOUSE_HTTP_PORT"].Value)
		assert.Equal(t, ch.Database, env["CLICKHOUSE_DATABASE"].Value)
		for _, k := range []string{"CLICKHOUSE_USER", "CLICKHOUSE_PASSWORD"} {
			require.NotNil(t, env[k].ValueFrom, k)
			assert.Equal(t, "feed-service-clickhouse", env[k].ValueFrom.SecretKeyRef.Name, k)
		}
	}
}

// TestKafkaClientsGetTheBootstrap: every producer, consumer and service
// that waits for Kafka gets KAFKA_BOOTSTRAP_SERVERS; nobody else does.
func TestKafkaClientsGetTheBootstrap(t *testing.T) {
	cat, err := load.Load("../../services.yaml")
	require.NoError(t, err)
	objs, err := Generate(cat)
	require.NoError(t, err)
	var clients []string
	for _, o := range objs {
		d := o.(*appsv1.Deployment)
		for _, e := range d.Spec.Template.Spec.Containers[0].Env {
			if e.Name == naming.EnvKafkaBootstrap {
				assert.Equal(t, "kafka:9092", e.Value, d.Name)
				clients = append(clients, d.Name)
			}
		}
	}
	slices.Sort(clients)
	assert.Equal(t, cat.KafkaClients(), clients)
	assert.Subset(t, clients, []string{"feed-service", "analytics-service", "trust-safety-service", "feature-store", "user-service"},
		"the seed's consumers, feature-store and a producer")
}

// TestPodLabelsAreTheCatalogsOrGenerated: every label of a service's pods
// is the catalog's or one of naming.GeneratedLabels, the keys the loader
// keeps catalog labels off; a new generated label must join them.
func TestPodLabelsAreTheCatalogsOrGenerated(t *testing.T) {
	cat, deployments := loadDeployments(t, "../../services.yaml")
	checked := 0
	for _, d := range deployments {
		svc, ok := cat.Service(d.Name)
		require.True(t, ok, d.Name)
		for k := range d.Spec.Template.Labels {
			if _, fromCatalog := svc.Labels[k]; !fromCatalog {
				assert.Contains(t, naming.GeneratedLabels(), k, "%s: pod label %s", d.Name, k)
			}
		}
		checked++
	}
	assert.NotZero(t, checked)
}

// TestTracingSettings: with tracing on, every service's container has
// the OpenTelemetry SDK's settings: its name, the collector the catalog
// points at, the protocol, and resource attributes naming the namespace,
// its own image tag, the environment and its partition; with tracing off,
// none of them.
func TestTracingSettings(t *testing.T) {
	cat, deployments := loadDeployments(t, "../tracing/testdata/managed/catalog.yaml")
	checked := 0
	for _, d := range deployments {
		svc, ok := cat.Service(d.Name)
		require.True(t, ok)
		env := map[string]string{}
		for _, e := range d.Spec.Template.Spec.Containers[0].Env {
			env[e.Name] = e.Value
		}
		assert.Equal(t, d.Name, env["OTEL_SERVICE_NAME"])
		assert.Equal(t, "http://otel-collector:4317", env["OTEL_EXPORTER_OTLP_ENDPOINT"], "the managed collector's Service, gRPC port")
		assert.Equal(t, "grpc", env["OTEL_EXPORTER_OTLP_PROTOCOL"])
		assert.Equal(t, "parentbased_traceidratio", env["OTEL_TRACES_SAMPLER"])
		assert.Equal(t, "1", env["OTEL_TRACES_SAMPLER_ARG"])
		part := cat.PartitionOf(d.Name)
		require.NotEmpty(t, part)
		assert.Equal(t, "service.namespace=traced,service.version="+svc.Image.Tag+",deployment.environment=staging,novagen.partition="+part,
			env["OTEL_RESOURCE_ATTRIBUTES"])
		checked++
	}
	assert.Equal(t, 3, checked)
	mailer, _ := cat.Service("mailer")
	assert.Equal(t, "0.9.0", mailer.Image.Tag, "a service's own tag is its version")

	_, deployments = loadDeployments(t, "testdata/minimal/catalog.yaml")
	require.NotEmpty(t, deployments)
	for _, d := range deployments {
		for _, e := range d.Spec.Template.Spec.Containers[0].Env {
			assert.NotContains(t, e.Name, "OTEL_", "tracing is off")
		}
	}
}

// loadDeployments loads the catalog at path and returns the Deployments
// the generator makes of it.
func loadDeployments(t *testing.T, path string) (*catalog.Catalog, []*appsv1.Deployment) {
	t.Helper()
	cat, err := load.Load(path)
	require.NoError(t, err)
	objs, err := Generate(cat)
	require.NoError(t, err)
	var out []*appsv1.Deployment
	for _, o := range objs {
		if d, ok := o.(*appsv1.Deployment); ok {
			out = append(out, d)
		}
	}
	return cat, out
}
