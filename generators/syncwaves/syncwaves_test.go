package syncwaves_test

import (
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"

	"github.com/novagen/novagen/catalog"
	"github.com/novagen/novagen/catalog/load"
	"github.com/novagen/novagen/generators"
	"github.com/novagen/novagen/generators/kube"
	"github.com/novagen/novagen/generators/syncwaves"
	"github.com/novagen/novagen/pipeline"
)

func staging(t *testing.T) *catalog.Catalog {
	t.Helper()
	cat, err := load.Load("../../services.yaml")
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
		if cat.WaitsForExternal(svc.Name) {
			assert.Equal(t, w.Last(), a, "%s waits for an external component: the last wave", svc.Name)
		} else {
			assert.Less(t, a, w.Last(), "%s before the last wave", svc.Name)
		}
		for _, dep := range g.DependsOn(svc.Name) {
			d := of(t, w, syncwaves.PhaseOfNode, dep)
			if d == a {
				// Only in the last wave, where init containers order them.
				assert.Equal(t, w.Last(), a, "%s waits for %s in its own wave", svc.Name, dep)
				continue
			}
			assert.Greater(t, a, d, "%s waits for %s", svc.Name, dep)
		}
	}
}

// TestLastWave: in the staging render the last wave is one more than
// every other and holds exactly what the sync must not wait for: the
// entry points, the checks, and every object that follows a service
// waiting for an external component (search-service and graph-service,
// graphql-gateway through search-service).
func TestLastWave(t *testing.T) {
	cat := staging(t)
	w := syncwaves.New(cat)
	nodes, err := pipeline.Run(cat, pipeline.Options{Registry: generators.Default()}, nil)
	require.NoError(t, err)
	phase := map[string]syncwaves.Phase{}
	for _, p := range generators.Default().Placements() {
		phase[p.Generator] = p.Phase
	}
	waiting := map[string]bool{"search-service": true, "graph-service": true, "graphql-gateway": true}
	other, seen := 0, map[string]bool{}
	for _, n := range nodes {
		wave, err := strconv.Atoi(n.GetAnnotations()[syncwaves.Annotation])
		require.NoError(t, err)
		gen := n.GetAnnotations()[kube.AnnotationGenerator]
		owner := n.GetLabels()[kube.LabelName] // as kube.Owner
		if node, ok := n.GetAnnotations()[kube.AnnotationNode]; ok {
			owner = node
		}
		want := phase[gen] == syncwaves.PhaseLast ||
			waiting[owner] && (phase[gen] == syncwaves.PhaseServices || phase[gen] == syncwaves.PhaseOfNode)
		assert.Equal(t, want, wave == w.Last(), "%s %s of %s (wave %d)", n.GetKind(), n.GetName(), gen, wave)
		if wave == w.Last() {
			seen[n.GetKind()+"/"+n.GetName()] = true
		} else {
			other = max(other, wave)
		}
	}
	assert.Equal(t, other+1, w.Last(), "one more than every other wave")
	for _, o := range []string{"Ingress/graphql-gateway", "Certificate/graphql-gateway-tls", "Deployment/search-service",
		"Deployment/graph-service", "NetworkPolicy/graphql-gateway", "ServiceMonitor/search-service", "Service/graph-service"} {
		assert.True(t, seen[o], "%s in the last wave", o)
	}
}

// TestEveryRenderedObjectHasItsWave runs every registered generator and
// transformer on services.yaml: each generated object must carry a wave,
// a service's objects carry the service's wave, and every object is in a
// later wave than the Namespace.
func TestEveryRenderedObjectHasItsWave(t *testing.T) {
	cat := staging(t)
	w := syncwaves.New(cat)
	nodes, err := pipeline.Run(cat, pipeline.Options{Registry: generators.Default()}, nil)
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
			d, ok := waves[dep]
			if !ok {
				continue
			}
			if d == w.Last() {
				// The last wave is one, ordered by init containers.
				assert.Equal(t, d, waves[svc.Name], "Deployment %s with Deployment %s", svc.Name, dep)
				continue
			}
			assert.Greater(t, waves[svc.Name], d, "Deployment %s after Deployment %s", svc.Name, dep)
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
	require.NoError(t, syncwaves.Annotate(w, syncwaves.PhaseLast, []kube.Object{obj}))
	assert.Equal(t, strconv.Itoa(w.Last()), obj.Annotations[syncwaves.Annotation])
}

// TestReadmeTables keeps the README's tables equal to the code and the
// registry.
func TestReadmeTables(t *testing.T) {
	readme, err := os.ReadFile("README.md")
	require.NoError(t, err)
	for _, table := range []string{
		syncwaves.PhaseMarkdown(generators.Default().Placements()),
		syncwaves.New(staging(t)).Markdown(generators.Default().Placements()),
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
	nodes, err := pipeline.Run(cat, pipeline.Options{Registry: generators.Default()}, nil)
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
