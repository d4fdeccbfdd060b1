package pipeline

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"sigs.k8s.io/kustomize/kyaml/kio/kioutil"
	"sigs.k8s.io/kustomize/kyaml/yaml"

	"github.com/novagen/novagen/internal/golden"
	"github.com/novagen/novagen/naming"
	"github.com/novagen/novagen/render"
)

// bytesOf writes nodes in their order (not sorted: the order is part of
// what a second run must keep).
func bytesOf(t *testing.T, nodes []*yaml.RNode) []byte {
	t.Helper()
	b, err := render.Bytes(nodes)
	require.NoError(t, err)
	return b
}

// runOn runs the pipeline over items read back from text, as kpt hands a
// package's files to a function again.
func runOn(t *testing.T, opts Options, items []byte) []*yaml.RNode {
	t.Helper()
	var in []*yaml.RNode
	if items != nil {
		var err error
		in, err = render.Parse(items)
		require.NoError(t, err)
	}
	out, err := Run(staging(t), opts, in)
	require.NoError(t, err)
	return out
}

// TestRunIdempotent: Run over its own output gives the same objects in
// the same order, for a whole render (which it leaves as it is), a
// generator subset and the transformer alone.
func TestRunIdempotent(t *testing.T) {
	for name, opts := range map[string]Options{
		"all":          {Registry: reg},
		"subset":       {Registry: reg, Generators: []string{"grpc-services", "workloads"}, Transformers: []string{}},
		"transformers": {Registry: reg, Generators: []string{}},
	} {
		t.Run(name, func(t *testing.T) {
			base := bytesOf(t, runOn(t, Options{Registry: reg}, nil))
			once := bytesOf(t, runOn(t, opts, base))
			twice := bytesOf(t, runOn(t, opts, once))
			if string(once) != string(twice) {
				t.Fatalf("a second run changed its own output:\n%s", golden.Diff("once", once, "twice", twice))
			}
			if name == "all" && string(once) != string(base) {
				t.Fatalf("a run over the full render changed it:\n%s", golden.Diff("render", base, "run", once))
			}
		})
	}
}

// TestRunUpsertKeepsOtherConfigs: as in examples/staging, configs with
// different generators run one after the other over each other's output;
// running the first again replaces its objects in place and keeps the
// second's.
func TestRunUpsertKeepsOtherConfigs(t *testing.T) {
	core := Options{Registry: reg, Generators: []string{"namespace", "grpc-services", "workloads"}, Transformers: []string{}}
	data := Options{Registry: reg, Generators: []string{"redis", "kafka"}, Transformers: []string{}}
	first := runOn(t, core, nil)
	both := bytesOf(t, runOn(t, data, bytesOf(t, first)))
	require.Greater(t, len(both), len(bytesOf(t, first)), "the data generators added objects")
	again := bytesOf(t, runOn(t, core, both))
	if string(again) != string(both) {
		t.Fatalf("re-running one config changed the package:\n%s", golden.Diff("before", both, "after", again))
	}
}

// TestRunUpsertOnlyManaged: a generated object replaces only an item
// labelled managed-by novagen; a hand-written one with the same identity
// stays beside it (kustomize refuses the duplicate, as before), and so
// does a managed item no run generates any more (a removed service).
func TestRunUpsertOnlyManaged(t *testing.T) {
	opts := Options{Registry: reg, Generators: []string{"grpc-services"}, Transformers: []string{}}
	gen := runOn(t, opts, nil)
	require.NotEmpty(t, gen)
	svc := gen[0]
	hand := svc.Copy()
	require.NoError(t, hand.PipeE(yaml.Clear("spec")))
	labels := hand.GetLabels()
	delete(labels, naming.LabelManagedBy)
	require.NoError(t, hand.SetLabels(labels))
	stale := svc.Copy()
	require.NoError(t, stale.SetName("removed-service"))

	out := runOn(t, opts, bytesOf(t, []*yaml.RNode{hand, stale}))
	require.Len(t, out, len(gen)+2)
	assert.Equal(t, string(bytesOf(t, []*yaml.RNode{hand, stale})), string(bytesOf(t, out[:2])), "hand-written and stale items are kept as they are")
	assert.Equal(t, string(bytesOf(t, gen)), string(bytesOf(t, out[2:])))
}

// TestRunUpsertKeepsLocation: the replacement keeps where the item came
// from (kpt's file and index annotations), in its place among the items,
// and an earlier run's duplicates of it go.
func TestRunUpsertKeepsLocation(t *testing.T) {
	opts := Options{Registry: reg, Generators: []string{"grpc-services"}, Transformers: []string{}}
	gen := runOn(t, opts, nil)
	require.Greater(t, len(gen), 1)
	old := gen[1].Copy()
	for k, v := range map[string]string{kioutil.PathAnnotation: "svc/x.yaml", kioutil.IndexAnnotation: "3", kioutil.LegacyPathAnnotation: "svc/x.yaml"} {
		require.NoError(t, old.PipeE(yaml.SetAnnotation(k, v)))
	}
	require.NoError(t, old.PipeE(yaml.SetField("spec", yaml.NewMapRNode(&map[string]string{"stale": "yes"}))))
	other := yaml.MustParse("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: mine}\n")
	dup := old.Copy()

	out, err := Run(staging(t), opts, []*yaml.RNode{old, other, dup})
	require.NoError(t, err)
	require.Len(t, out, len(gen)+1, "the duplicate went")
	assert.Equal(t, identityOf(gen[1]), identityOf(out[0]), "replaced in its place")
	assert.Equal(t, "svc/x.yaml", out[0].GetAnnotations()[kioutil.PathAnnotation])
	assert.Equal(t, "3", out[0].GetAnnotations()[kioutil.IndexAnnotation])
	assert.Equal(t, "svc/x.yaml", out[0].GetAnnotations()[kioutil.LegacyPathAnnotation])
	spec, err := out[0].Pipe(yaml.Lookup("spec", "stale"))
	require.NoError(t, err)
	assert.Nil(t, spec, "the stale spec was replaced")
	assert.Equal(t, "mine", out[1].GetName())
}

// TestIdentity: the version is not part of an object's identity; the
// group, kind, namespace and name are.
func TestIdentity(t *testing.T) {
	id := func(s string) identity { return identityOf(yaml.MustParse(s)) }
	assert.Equal(t, id("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: a, namespace: n}"), id("apiVersion: apps/v1beta2\nkind: Deployment\nmetadata: {name: a, namespace: n}"))
	assert.Equal(t, identity{"", "Service", "n", "a"}, id("apiVersion: v1\nkind: Service\nmetadata: {name: a, namespace: n}"))
	assert.NotEqual(t, id("apiVersion: v1\nkind: Service\nmetadata: {name: a, namespace: n}"), id("apiVersion: v1\nkind: Service\nmetadata: {name: a}"))
	assert.NotEqual(t, id("apiVersion: a.io/v1\nkind: X\nmetadata: {name: a}"), id("apiVersion: b.io/v1\nkind: X\nmetadata: {name: a}"))
}
