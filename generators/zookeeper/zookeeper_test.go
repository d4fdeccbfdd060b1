package zookeeper

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"

	"github.com/novagen/novagen/catalog"
	"github.com/novagen/novagen/generators/kube"
	"github.com/novagen/novagen/generators/scripts"
	"github.com/novagen/novagen/internal/generatortest"
	"github.com/novagen/novagen/naming"
)

// TestGolden: staging (one server), ensemble (three, sized) and provided
// (from outside: no objects).
func TestGolden(t *testing.T) { generatortest.GeneratorCases(t, Generate) }

func load(t *testing.T, name string) *catalog.Catalog { return generatortest.Load(t, name) }

func objects(t *testing.T, cat *catalog.Catalog) map[string]kube.Object {
	return generatortest.Objects(t, Generate, cat)
}

func statefulSet(t *testing.T, name string) *appsv1.StatefulSet {
	t.Helper()
	sts, ok := objects(t, load(t, name))["StatefulSet/"+Component].(*appsv1.StatefulSet)
	require.True(t, ok, "StatefulSet zookeeper")
	return sts
}

func env(c corev1.Container) map[string]string {
	out := map[string]string{}
	for _, e := range c.Env {
		out[e.Name] = e.Value
	}
	return out
}

func TestNothingWithoutAManagedZookeeper(t *testing.T) {
	objs, err := Generate(load(t, "provided"))
	require.NoError(t, err)
	assert.Empty(t, objs, "provided from outside")
	cat := load(t, "staging")
	cat.Spec.Infrastructure.Zookeeper = nil
	objs, err = Generate(cat)
	require.NoError(t, err)
	assert.Empty(t, objs, "no zookeeper")
}

// TestStaging: one standalone server, its volumes exactly where the image
// keeps data and transaction log (a volume at a parent path would leave
// the image's own VOLUMEs in charge), the writable /etc/kafka its
// entrypoint needs, ruok readiness through the admin server.
func TestStaging(t *testing.T) {
	sts := statefulSet(t, "staging")
	assert.Equal(t, int32(1), *sts.Spec.Replicas)
	pod := sts.Spec.Template.Spec
	c := pod.Containers[0]
	assert.Equal(t, "confluentinc/cp-zookeeper:7.7.1", c.Image)
	assert.Equal(t, []string{"/bin/sh", "-c", scripts.ZookeeperStart, "zookeeper-start", Entrypoint}, c.Command)
	assert.NotContains(t, env(c), scripts.EnvZookeeperServers, "standalone")
	assert.Equal(t, "2181", env(c)["ZOOKEEPER_CLIENT_PORT"])
	assert.Equal(t, "-Xms512m -Xmx512m", env(c)["KAFKA_HEAP_OPTS"])
	assert.Subset(t, c.VolumeMounts, []corev1.VolumeMount{
		{Name: dataVolume, MountPath: "/var/lib/zookeeper/data"},
		{Name: txlogVolume, MountPath: "/var/lib/zookeeper/log"},
		{Name: configVolume, MountPath: "/etc/kafka"},
	})
	require.Len(t, sts.Spec.VolumeClaimTemplates, 2)
	assert.Equal(t, []string{"/bin/sh", "-c", scripts.ZookeeperReady}, c.ReadinessProbe.Exec.Command)
	assert.Equal(t, "8080", env(c)[scripts.EnvZookeeperAdminPort], "where the readiness check asks ruok")
	assert.Subset(t, generatortest.EnvNames(c), generatortest.ScriptVars(scripts.ZookeeperReady))
	var ports []int32
	for _, p := range c.Ports {
		ports = append(ports, p.ContainerPort)
	}
	assert.Equal(t, []int32{2181, 2888, 3888, 8080}, ports)
	assert.Equal(t, kube.Ptr(false), pod.EnableServiceLinks)
	assert.Nil(t, pod.Affinity)
	assert.NotContains(t, objects(t, load(t, "staging")), "PodDisruptionBudget/zookeeper")
}

func TestEnsemble(t *testing.T) {
	cat := load(t, "ensemble")
	objs := objects(t, cat)
	sts := statefulSet(t, "ensemble")
	assert.Equal(t, int32(3), *sts.Spec.Replicas)
	assert.Equal(t, appsv1.ParallelPodManagement, sts.Spec.PodManagementPolicy)
	c := sts.Spec.Template.Spec.Containers[0]
	assert.Equal(t, "zookeeper-0.zookeeper-headless.nova-prod.svc.cluster.local:2888:3888;"+
		"zookeeper-1.zookeeper-headless.nova-prod.svc.cluster.local:2888:3888;"+
		"zookeeper-2.zookeeper-headless.nova-prod.svc.cluster.local:2888:3888", env(c)[scripts.EnvZookeeperServers])
	for _, e := range c.Env {
		if e.Name == scripts.EnvPodIndex {
			assert.Equal(t, kube.PodIndexPath, e.ValueFrom.FieldRef.FieldPath)
		}
	}
	assert.Contains(t, env(c), scripts.EnvPodIndex)
	require.NotNil(t, sts.Spec.Template.Spec.Affinity)
	assert.Len(t, sts.Spec.Template.Spec.Affinity.PodAntiAffinity.RequiredDuringSchedulingIgnoredDuringExecution, 1)
	assert.Contains(t, objs, "PodDisruptionBudget/zookeeper")
	headless, ok := objs["Service/"+naming.ZookeeperHeadless].(*corev1.Service)
	require.True(t, ok)
	assert.True(t, headless.Spec.PublishNotReadyAddresses, "an ensemble resolves its members before they are ready")
	assert.Equal(t, Component, kube.Owner(headless))
}

// TestPartitionsAddUp: everything here is shared, the infrastructure
// partition's.
func TestPartitionsAddUp(t *testing.T) {
	generatortest.SharedPartitionsAddUp(t, Generate, generatortest.Synth(t, 300, 3))
}
