package pipeline

import (
	"bytes"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/novagen/novagen/catalog"
	"github.com/novagen/novagen/catalog/load"
	"github.com/novagen/novagen/generators"
	"github.com/novagen/novagen/internal/golden"
	"github.com/novagen/novagen/render"
	"github.com/novagen/novagen/synth"
)

// reg is novagen's own registry.
var reg = generators.Default()

func staging(t testing.TB) *catalog.Catalog {
	t.Helper()
	cat, err := load.Load("../services.yaml")
	require.NoError(t, err)
	return cat
}

// renderBytes runs the pipeline and serializes sorted, as `novagen render`.
func renderBytes(t *testing.T, cat *catalog.Catalog, opts Options) []byte {
	t.Helper()
	out, err := Run(cat, opts, nil)
	require.NoError(t, err)
	render.Sort(out)
	b, err := render.Bytes(out)
	require.NoError(t, err)
	return b
}

// TestTransformersIdempotent: the generated Deployments of the staging
// catalog get their wait containers; running the transformers again over
// the whole render changes nothing.
func TestTransformersIdempotent(t *testing.T) {
	cat := staging(t)
	bare := renderBytes(t, cat, Options{Registry: reg, Transformers: []string{}})
	once := renderBytes(t, cat, Options{Registry: reg})
	if bytes.Equal(once, bare) {
		t.Fatal("the transformers added nothing to the staging Deployments")
	}
	items, err := render.Parse(once)
	require.NoError(t, err)
	for _, tr := range reg.Transformers() {
		items, err = tr.Transform(cat, items)
		require.NoError(t, err)
	}
	render.Sort(items)
	twice, err := render.Bytes(items)
	require.NoError(t, err)
	if !bytes.Equal(once, twice) {
		t.Errorf("not idempotent:\n%s", golden.Diff("once", once, "twice", twice))
	}
}

// TestOptions: nil selects everything, an empty list of transformers none,
// an unknown name is an error that says what exists.
func TestOptions(t *testing.T) {
	cat := staging(t)
	_, err := Run(cat, Options{Registry: reg, Generators: []string{"nope"}}, nil)
	require.ErrorContains(t, err, `generators: unknown "nope": expected one of namespace, secrets`)
	_, err = Run(cat, Options{Registry: reg, Transformers: []string{"nope"}}, nil)
	require.ErrorContains(t, err, `transformers: unknown "nope": expected one of init-containers`)
	one := renderBytes(t, cat, Options{Registry: reg, Generators: []string{"grpc-services"}})
	require.NotContains(t, string(one), "kind: Deployment")
	require.Contains(t, string(one), "kind: Service")
	// No generators: a transformer over what exists (a kustomize
	// transformers: entry), which adds nothing.
	deployments, err := Run(cat, Options{Registry: reg, Generators: []string{"workloads"}, Transformers: []string{}}, nil)
	require.NoError(t, err)
	transformed, err := Run(cat, Options{Registry: reg, Generators: []string{}}, deployments)
	require.NoError(t, err)
	require.Len(t, transformed, len(deployments))
	s, err := transformed[0].String()
	require.NoError(t, err)
	require.Contains(t, s, "wait-for-", "the init containers were added")
}

// TestRenderMatchesRun: Render prints exactly what Run, render.Sort and
// render.Write print, batch by batch (a synthetic catalog makes several
// batches).
func TestRenderMatchesRun(t *testing.T) {
	paths, err := filepath.Glob("../generators/*/testdata/*/catalog.yaml")
	require.NoError(t, err)
	paths = append(paths, "../services.yaml", "../test/catalogs/longest-names.yaml")
	var cats []*catalog.Catalog
	for _, p := range paths {
		cat, err := load.Load(p)
		require.NoError(t, err)
		cats = append(cats, cat)
	}
	data, err := synth.Catalog(synth.Options{Services: 300, Seed: 5})
	require.NoError(t, err)
	cat, err := load.Parse("synth.yaml", data)
	require.NoError(t, err)
	cats = append(cats, cat)
	objects := 0
	check := func(cat *catalog.Catalog, opts Options) {
		t.Helper()
		want := renderBytes(t, cat, opts)
		var got bytes.Buffer
		require.NoError(t, Render(cat, opts, &got))
		if !bytes.Equal(want, got.Bytes()) {
			t.Fatalf("Render differs from Run (%s, %+v):\n%s", cat.Metadata.Name, opts, golden.Diff("Run", want, "Render", got.Bytes()))
		}
		objects += bytes.Count(want, []byte("\n---\n")) + 1
	}
	for _, cat := range cats {
		check(cat, Options{Registry: reg})
		check(cat, Options{Registry: reg, Transformers: []string{}})
		check(cat, Options{Registry: reg, Generators: []string{"workloads", "namespace"}})
	}
	if objects < 3*streamBatch {
		t.Errorf("only %d objects compared", objects)
	}
}
