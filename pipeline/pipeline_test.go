package pipeline

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/novagen/novagen/generators"
	"github.com/novagen/novagen/internal/golden"
	"github.com/novagen/novagen/render"
	"github.com/novagen/novagen/schema"
	"github.com/novagen/novagen/synth"
)

func staging(t testing.TB) *schema.Catalog {
	t.Helper()
	cat, err := schema.Load("../services.yaml")
	require.NoError(t, err)
	return cat
}

// renderBytes runs the pipeline and serializes sorted, as `novagen render`.
func renderBytes(t *testing.T, cat *schema.Catalog, opts Options) []byte {
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
	bare := renderBytes(t, cat, Options{Transformers: []string{}})
	once := renderBytes(t, cat, Options{})
	if bytes.Equal(once, bare) {
		t.Fatal("the transformers added nothing to the staging Deployments")
	}
	items, err := render.Parse(once)
	require.NoError(t, err)
	for _, tr := range generators.Transformers() {
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
	_, err := Run(cat, Options{Generators: []string{"nope"}}, nil)
	require.ErrorContains(t, err, `generators: unknown "nope": expected one of namespace, secrets`)
	_, err = Run(cat, Options{Transformers: []string{"nope"}}, nil)
	require.ErrorContains(t, err, `transformers: unknown "nope": expected one of init-containers`)
	one := renderBytes(t, cat, Options{Generators: []string{"grpc-services"}})
	require.NotContains(t, string(one), "kind: Deployment")
	require.Contains(t, string(one), "kind: Service")
	// No generators: a transformer over what exists (a kustomize
	// transformers: entry), which adds nothing.
	deployments, err := Run(cat, Options{Generators: []string{"workloads"}, Transformers: []string{}}, nil)
	require.NoError(t, err)
	transformed, err := Run(cat, Options{Generators: []string{}}, deployments)
	require.NoError(t, err)
	require.Len(t, transformed, len(deployments))
	s, err := transformed[0].String()
	require.NoError(t, err)
	require.Contains(t, s, "wait-for-", "the init containers were added")
}

// TestStreamEqualsRun: Stream prints, batch by batch and already sorted,
// exactly what Run gives once sorted, for catalogs larger than one batch.
func TestStreamEqualsRun(t *testing.T) {
	for _, n := range []int{3, 400} {
		data, err := synth.Catalog(synth.Options{Services: n, Seed: 7})
		require.NoError(t, err)
		cat, err := schema.Parse("synth.yaml", data)
		require.NoError(t, err)
		want := renderBytes(t, cat, Options{})
		var got bytes.Buffer
		p := render.NewPrinter(&got)
		require.NoError(t, Stream(cat, Options{}, p.Print))
		require.Equal(t, string(want), got.String(), "%d services", n)
	}
}
