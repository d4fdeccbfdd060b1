package syncwaves_test

import (
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/novagen/novagen/fns"
	"github.com/novagen/novagen/generators"
	"github.com/novagen/novagen/generators/kube"
	"github.com/novagen/novagen/generators/syncwaves"
	"github.com/novagen/novagen/schema"
)

func staging(t *testing.T) *schema.Catalog {
	t.Helper()
	cat, err := schema.Load("../../services.yaml")
	require.NoError(t, err)
	return cat
}

// of is the wave of an object, failing the test when it has none.
func of(t *testing.T, w *syncwaves.Waves, generator, kind, name string, labels map[string]string) int {
	t.Helper()
	wave, err := w.Of(generator, kind, name, labels)
	require.NoError(t, err)
	return wave
}

// TestPhasesFollowTheGraph checks the order Argo CD must follow for the
// staging catalog, phase by phase and edge by edge.
func TestPhasesFollowTheGraph(t *testing.T) {
	cat := staging(t)
	w := syncwaves.New(cat)
	credentials := of(t, w, syncwaves.GeneratorSecrets, "ExternalSecret", "auth-service-db", nil)
	postgres := of(t, w, "postgres", "StatefulSet", "postgres", map[string]string{kube.LabelName: "postgres"})
	dbInit := of(t, w, syncwaves.GeneratorDBInit, "Job", "postgres-db-init", nil)
	migrations := of(t, w, syncwaves.GeneratorMigrations, "Job", "migrations", nil)
	infra := func(name string) int { return of(t, w, name, "StatefulSet", name, nil) }

	assert.Less(t, credentials, postgres, "credentials before postgres")
	assert.Less(t, postgres, dbInit, "postgres before db-init")
	assert.Less(t, dbInit, migrations, "db-init before migrations")
	assert.Less(t, infra("zookeeper"), infra("kafka"), "zookeeper before kafka")
	for _, name := range []string{"redis", "zookeeper", "kafka", "clickhouse"} {
		assert.Less(t, migrations, infra(name), "%s after migrations", name)
	}
	g := cat.Graph()
	for _, svc := range cat.Spec.Services {
		a := w.Service(svc.Name)
		assert.Less(t, migrations, a, "%s after migrations", svc.Name)
		assert.Less(t, a, w.Validation(), "%s before validation", svc.Name)
		for _, dep := range g.DependsOn(svc.Name) {
			if e, _ := cat.Endpoint(dep); e.Kind == schema.KindExternal {
				continue // not deployed here
			}
			assert.Greater(t, a, of(t, w, "", "Deployment", dep, map[string]string{kube.LabelName: dep}), "%s waits for %s", svc.Name, dep)
		}
	}
}

// TestEveryRenderedObjectHasItsWave runs every registered generator and
// transformer on services.yaml: each generated object must carry a wave,
// and a service's objects carry the service's wave.
func TestEveryRenderedObjectHasItsWave(t *testing.T) {
	cat := staging(t)
	w := syncwaves.New(cat)
	nodes, err := fns.Run(cat, generators.All(), generators.Transformers(), nil)
	require.NoError(t, err)
	waves := map[string]int{} // Deployment name -> wave
	for _, n := range nodes {
		v, ok := n.GetAnnotations()[syncwaves.Annotation]
		require.True(t, ok, "%s %s has no sync wave", n.GetKind(), n.GetName())
		wave, err := strconv.Atoi(v)
		require.NoError(t, err, "%s %s", n.GetKind(), n.GetName())
		if _, isService := cat.Service(n.GetName()); isService {
			assert.Equal(t, w.Service(n.GetName()), wave, "%s %s has its service's wave", n.GetKind(), n.GetName())
		}
		if n.GetKind() == "Deployment" {
			waves[n.GetName()] = wave
		}
	}
	for _, svc := range cat.Spec.Services {
		for _, dep := range cat.Graph().DependsOn(svc.Name) {
			if d, ok := waves[dep]; ok {
				assert.Greater(t, waves[svc.Name], d, "Deployment %s after Deployment %s", svc.Name, dep)
			}
		}
	}
}

func TestUnknownObjectsHaveNoWave(t *testing.T) {
	w := syncwaves.New(staging(t))
	_, err := w.Of("protoregistry", "ConfigMap", "protos", nil)
	assert.ErrorContains(t, err, "add a case to generators/syncwaves")
}

// TestReadmeTable keeps the README's staging table equal to the code.
func TestReadmeTable(t *testing.T) {
	readme, err := os.ReadFile("README.md")
	require.NoError(t, err)
	table := syncwaves.New(staging(t)).Markdown()
	assert.True(t, strings.Contains(string(readme), table), "README.md must contain the staging table:\n%s", table)
}
