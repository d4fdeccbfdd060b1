package syncwaves_test

import (
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"

	"github.com/novagen/novagen/generators"
	"github.com/novagen/novagen/generators/kube"
	"github.com/novagen/novagen/generators/syncwaves"
	"github.com/novagen/novagen/pipeline"
	"github.com/novagen/novagen/schema"
)

func staging(t *testing.T) *schema.Catalog {
	t.Helper()
	cat, err := schema.Load("../../services.yaml")
	require.NoError(t, err)
	return cat
}

// of is the wave of an object, failing the test when it has none.
func of(t *testing.T, w *syncwaves.Waves, phase syncwaves.Phase, owner string) int {
	t.Helper()
	wave, err := w.Of(phase, owner)
	require.NoError(t, err)
	return wave
}

// TestPhasesFollowTheGraph checks the order Argo CD must follow for the
// staging catalog, phase by phase and edge by edge.
func TestPhasesFollowTheGraph(t *testing.T) {
	cat := staging(t)
	w := syncwaves.New(cat)
	namespace := of(t, w, syncwaves.PhaseNamespace, "")
	credentials := of(t, w, syncwaves.PhaseCredentials, "auth-service-db")
	postgres := of(t, w, syncwaves.PhaseOfNode, "postgres")
	dbInit := of(t, w, syncwaves.PhaseDatabaseInit, "postgres-db-init")
	migrations := of(t, w, syncwaves.PhaseMigrations, "sqlx-migrate")
	infra := func(name string) int { return of(t, w, syncwaves.PhaseInfrastructure, name) }

	assert.Less(t, namespace, credentials, "the namespace first")
	assert.Less(t, credentials, postgres, "credentials before postgres")
	assert.Equal(t, postgres, of(t, w, syncwaves.PhaseDatabaseServer, "postgres"), "postgres is the database server")
	assert.Less(t, postgres, dbInit, "postgres before db-init")
	assert.Less(t, dbInit, migrations, "db-init before migrations")
	assert.Less(t, infra("zookeeper"), infra("kafka"), "zookeeper before kafka")
	for _, name := range []string{"redis", "zookeeper", "kafka", "clickhouse", "elasticsearch", "neo4j"} {
		assert.Less(t, migrations, infra(name), "%s after migrations", name)
		assert.Equal(t, infra(name), of(t, w, syncwaves.PhaseOfNode, name), "%s: its policy goes with it", name)
	}
	g := cat.Graph()
	for _, svc := range cat.Spec.Services {
		a := w.Service(svc.Name)
		assert.Equal(t, a, of(t, w, syncwaves.PhaseServices, svc.Name))
		assert.Equal(t, a, of(t, w, syncwaves.PhaseOfNode, svc.Name))
		assert.Less(t, migrations, a, "%s after migrations", svc.Name)
		assert.Less(t, a, w.Validation(), "%s before validation", svc.Name)
		for _, dep := range g.DependsOn(svc.Name) {
			assert.Greater(t, a, of(t, w, syncwaves.PhaseOfNode, dep), "%s waits for %s", svc.Name, dep)
		}
	}
}

// TestEveryRenderedObjectHasItsWave runs every registered generator and
// transformer on services.yaml: each generated object must carry a wave,
// a service's objects carry the service's wave, and every object is in a
// later wave than the Namespace.
func TestEveryRenderedObjectHasItsWave(t *testing.T) {
	cat := staging(t)
	w := syncwaves.New(cat)
	nodes, err := pipeline.Run(cat, pipeline.Options{}, nil)
	require.NoError(t, err)
	waves := map[string]int{} // Deployment name -> wave
	sawNamespace := false
	for _, n := range nodes {
		v, ok := n.GetAnnotations()[syncwaves.Annotation]
		require.True(t, ok, "%s %s has no sync wave", n.GetKind(), n.GetName())
		wave, err := strconv.Atoi(v)
		require.NoError(t, err, "%s %s", n.GetKind(), n.GetName())
		if _, isService := cat.Service(n.GetName()); isService {
			assert.Equal(t, w.Service(n.GetName()), wave, "%s %s has its service's wave", n.GetKind(), n.GetName())
		}
		switch n.GetKind() {
		case "Deployment":
			waves[n.GetName()] = wave
		case "Namespace":
			sawNamespace = true
			assert.Equal(t, syncwaves.WaveNamespace, wave)
		default:
			if n.GetName() != "default-deny" {
				assert.Greater(t, wave, syncwaves.WaveNamespace, "%s %s after the namespace", n.GetKind(), n.GetName())
			}
		}
	}
	assert.True(t, sawNamespace, "the staging render has its Namespace")
	for _, svc := range cat.Spec.Services {
		for _, dep := range cat.Graph().DependsOn(svc.Name) {
			if d, ok := waves[dep]; ok {
				assert.Greater(t, waves[svc.Name], d, "Deployment %s after Deployment %s", svc.Name, dep)
			}
		}
	}
}

// TestObjectOfNoNode: an object that follows its node but names none is a
// generator bug, reported with the object.
func TestObjectOfNoNode(t *testing.T) {
	w := syncwaves.New(staging(t))
	_, err := w.Of(syncwaves.PhaseOfNode, "protos")
	assert.ErrorContains(t, err, `"protos" names no service or component`)
	obj := &corev1.ConfigMap{TypeMeta: kube.TypeMeta("v1", "ConfigMap")}
	obj.Name = "protos"
	obj.Labels = map[string]string{kube.LabelName: "protos"}
	assert.ErrorContains(t, syncwaves.Annotate(w, syncwaves.PhaseOfNode, []kube.Object{obj}), "ConfigMap protos:")
	require.NoError(t, syncwaves.Annotate(w, syncwaves.PhaseValidation, []kube.Object{obj}))
	assert.Equal(t, strconv.Itoa(w.Validation()), obj.Annotations[syncwaves.Annotation])
}

// TestReadmeTables keeps the README's tables equal to the code and the
// registry.
func TestReadmeTables(t *testing.T) {
	readme, err := os.ReadFile("README.md")
	require.NoError(t, err)
	for _, table := range []string{
		syncwaves.PhaseMarkdown(generators.Placements()),
		syncwaves.New(staging(t)).Markdown(generators.Placements()),
	} {
		assert.True(t, strings.Contains(string(readme), table), "README.md must contain the table:\n%s", table)
	}
}

// TestObjectsFollowTheirNode: every object of the kafka generator (the
// topic Job, kafka-headless, whatever it is named) belongs to kafka by
// its novagen.nova.dev/node annotation and so takes Kafka's wave, after
// ZooKeeper's: the Job never waits in a wave before the brokers exist.
func TestObjectsFollowTheirNode(t *testing.T) {
	cat := staging(t)
	w := syncwaves.New(cat)
	kafka, zk := of(t, w, syncwaves.PhaseOfNode, "kafka"), of(t, w, syncwaves.PhaseOfNode, "zookeeper")
	require.Greater(t, kafka, zk)
	nodes, err := pipeline.Run(cat, pipeline.Options{}, nil)
	require.NoError(t, err)
	seen := map[string]bool{}
	for _, n := range nodes {
		ann := n.GetAnnotations()
		if ann[kube.AnnotationGenerator] != "kafka" {
			continue
		}
		seen[n.GetKind()] = true
		assert.Equal(t, strconv.Itoa(kafka), ann[syncwaves.Annotation], "%s %s", n.GetKind(), n.GetName())
	}
	assert.True(t, seen["Job"] && seen["StatefulSet"] && seen["Service"], "the topic Job and the brokers: %v", seen)

	obj := &corev1.ConfigMap{TypeMeta: kube.TypeMeta("v1", "ConfigMap")}
	obj.Name = "kafka-config"
	obj.Labels = map[string]string{kube.LabelName: "kafka-config"}
	kube.BelongTo("kafka", []kube.Object{obj})
	require.NoError(t, syncwaves.Annotate(w, syncwaves.PhaseOfNode, []kube.Object{obj}))
	assert.Equal(t, strconv.Itoa(kafka), obj.Annotations[syncwaves.Annotation])
}
