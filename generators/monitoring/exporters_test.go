package monitoring

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"

	"github.com/novagen/novagen/generators/kube"
	"github.com/novagen/novagen/generators/kube/promoperator"
	"github.com/novagen/novagen/internal/generatortest"
)

// objects are Generate's objects for testdata/name, by Kind/name.
func objects(t *testing.T, name string) map[string]kube.Object {
	t.Helper()
	objs, err := Generate(generatortest.Load(t, name))
	require.NoError(t, err)
	out := map[string]kube.Object{}
	for _, o := range objs {
		out[o.GetObjectKind().GroupVersionKind().Kind+"/"+o.GetName()] = o
	}
	return out
}

// TestExportersOfManagedComponents (testdata/provided): an exporter for
// each managed component (not the PostgreSQL provided from outside), Redis scraped
// node by node; rotated credentials restart the exporters that hold
// them; the dashboards go where monitoring.grafana says, labelled as it
// says.
func TestExportersOfManagedComponents(t *testing.T) {
	objs := objects(t, "provided")
	assert.NotContains(t, objs, "Deployment/postgres-exporter", "PostgreSQL is provided from outside")
	assert.NotContains(t, objs, "ConfigMap/t-dash-postgres")
	require.Contains(t, objs, "Deployment/redis-exporter")
	require.Contains(t, objs, "Deployment/kafka-exporter")
	require.Contains(t, objs, "Service/kafka-exporter")

	redis := objs["Deployment/redis-exporter"].(*appsv1.Deployment)
	assert.Equal(t, "r1", redis.Spec.Template.Annotations[kube.AnnotationRotation])
	assert.Equal(t, "redis-auth", redis.Annotations[kube.AnnotationReloader])
	kafka := objs["Deployment/kafka-exporter"].(*appsv1.Deployment)
	assert.Empty(t, kafka.Spec.Template.Annotations, "kafka_exporter reads no Secret")
	assert.NotContains(t, kafka.Annotations, kube.AnnotationReloader)
	c := kafka.Spec.Template.Spec.Containers[0]
	assert.Equal(t, int64(ExporterUID), *c.SecurityContext.RunAsUser)
	assert.Contains(t, c.Args, "--kafka.server=kafka:9092")

	sm, ok := objs["ServiceMonitor/redis-exporter"].(*promoperator.ServiceMonitor)
	require.True(t, ok)
	var targets []string
	for _, e := range sm.Spec.Endpoints {
		assert.Equal(t, ScrapePath, e.Path)
		targets = append(targets, e.Params["target"]...)
	}
	assert.Equal(t, []string{"redis-0.redis-headless:6379", "redis-1.redis-headless:6379",
		"redis-2.redis-headless:6379", "redis-3.redis-headless:6379",
		"redis-4.redis-headless:6379", "redis-5.redis-headless:6379"}, targets, "every node of the cluster")

	for _, name := range []string{"t-dash-services", "t-dash-redis", "t-dash-kafka"} {
		cm, ok := objs["ConfigMap/"+name].(*corev1.ConfigMap)
		require.True(t, ok, name)
		assert.Equal(t, "grafana", cm.Namespace, name)
		assert.Equal(t, "nova", cm.Labels["dashboards"], name)
		assert.NotContains(t, cm.Labels, "grafana_dashboard", name)
	}
}
