package tracing

import (
	"encoding/json"
	"maps"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"

	"github.com/novagen/novagen/catalog"
	"github.com/novagen/novagen/generators/kube"
	"github.com/novagen/novagen/internal/generatortest"
	"github.com/novagen/novagen/naming"
)

func TestGolden(t *testing.T) { generatortest.GeneratorCases(t, Generate) }

// TestCollectorOnlyWhereNovagenRunsIt: no objects with tracing off, with
// a collector provided from outside, or in a service partition's render;
// the infrastructure partition's render has them.
func TestCollectorOnlyWhereNovagenRunsIt(t *testing.T) {
	cat := generatortest.Load(t, "managed")
	for name, c := range map[string]*catalog.Catalog{
		"off":      generatortest.Load(t, "../networkpolicy/testdata/minimal/catalog.yaml"),
		"provided": generatortest.Load(t, "../networkpolicy/testdata/tracing-provided/catalog.yaml"),
		"shop":     inPartition(t, cat, "shop"),
	} {
		objs, err := Generate(c)
		require.NoError(t, err, name)
		assert.Empty(t, objs, name)
	}
	objs, err := Generate(inPartition(t, cat, catalog.InfrastructurePartition))
	require.NoError(t, err)
	assert.Len(t, objs, 4, "ConfigMap, Deployment, Service, NetworkPolicy")
}

func inPartition(t *testing.T, cat *catalog.Catalog, p string) *catalog.Catalog {
	t.Helper()
	c, err := cat.InPartition(p)
	require.NoError(t, err)
	return c
}

// collectorConfig is what the test reads of the collector's config.
type collectorConfig struct {
	Extensions map[string]json.RawMessage `json:"extensions"`
	Receivers  map[string]json.RawMessage `json:"receivers"`
	Processors map[string]json.RawMessage `json:"processors"`
	Exporters  map[string]map[string]any  `json:"exporters"`
	Service    struct {
		Extensions []string `json:"extensions"`
		Pipelines  map[string]struct {
			Receivers, Processors, Exporters []string
		} `json:"pipelines"`
	} `json:"service"`
}

// TestConfigIsConsistent: every component a pipeline or the service
// names is configured (the collector refuses to start otherwise), the
// exporter is the catalog's, and the pod mounts the config where its
// argument points and probes the health_check port it configures.
func TestConfigIsConsistent(t *testing.T) {
	for _, e := range []catalog.TracingExporter{
		{Kind: catalog.ExporterDebug},
		{Kind: catalog.ExporterOTLP, Endpoint: "tempo.monitoring.svc.cluster.local:4317", Insecure: true},
	} {
		text, err := Config(e)
		require.NoError(t, err)
		var c collectorConfig
		require.NoError(t, json.Unmarshal([]byte(text), &c))
		require.Contains(t, c.Service.Pipelines, "traces")
		assert.Len(t, c.Service.Pipelines, 1, "traces only")
		p := c.Service.Pipelines["traces"]
		configured := map[string][]string{"receivers": keys(c.Receivers), "processors": keys(c.Processors), "exporters": keys(c.Exporters), "extensions": keys(c.Extensions)}
		for kind, names := range map[string][]string{"receivers": p.Receivers, "processors": p.Processors, "exporters": p.Exporters, "extensions": c.Service.Extensions} {
			require.NotEmpty(t, names, kind)
			for _, n := range names {
				assert.Contains(t, configured[kind], n, "%s %s is named but not configured", kind, n)
			}
		}
		assert.Equal(t, []string{e.Kind}, p.Exporters)
		if e.Kind == catalog.ExporterOTLP {
			assert.Equal(t, e.Endpoint, c.Exporters["otlp"]["endpoint"])
		}
	}

	cat := generatortest.Load(t, "managed")
	objs, err := Generate(cat)
	require.NoError(t, err)
	var cm *corev1.ConfigMap
	var d *appsv1.Deployment
	for _, o := range objs {
		switch o := o.(type) {
		case *corev1.ConfigMap:
			cm = o
		case *appsv1.Deployment:
			d = o
		}
	}
	require.NotNil(t, cm)
	require.NotNil(t, d)
	var c collectorConfig
	require.NoError(t, json.Unmarshal([]byte(cm.Data[configKey]), &c))
	pod := d.Spec.Template.Spec
	ctr := pod.Containers[0]
	var mount string
	for _, m := range ctr.VolumeMounts {
		if m.Name == configVol {
			mount = m.MountPath
		}
	}
	assert.Equal(t, []string{"--config=" + mount + "/" + configKey}, ctr.Args)
	assert.Equal(t, naming.TracingCollectorConfig, pod.Volumes[0].ConfigMap.Name)
	assert.JSONEq(t, `{"endpoint": "0.0.0.0:13133"}`, string(c.Extensions["health_check"]))
	assert.Equal(t, int32(catalog.CollectorHealthPort), ctr.ReadinessProbe.HTTPGet.Port.IntVal)
	assert.Equal(t, kube.ContentHash(cm.Data), d.Spec.Template.Annotations[AnnotationConfig], "a changed config rolls the pods")
}

func keys[V any](m map[string]V) []string { return slices.Sorted(maps.Keys(m)) }
