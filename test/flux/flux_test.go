package flux

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	kustomizev1 "github.com/fluxcd/kustomize-controller/api/v1"
	"github.com/fluxcd/pkg/apis/meta"
	sourcev1 "github.com/fluxcd/source-controller/api/v1"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

const example = "../../examples/flux"

// novagen is the binary the e2e put first on PATH.
func novagen(t *testing.T) string {
	t.Helper()
	bin, err := exec.LookPath("novagen")
	require.NoError(t, err, "novagen is not on PATH (make e2e puts bin/ first)")
	return bin
}

// partitions asks novagen for the catalog's name and partitions.
func partitions(t *testing.T) (catalog string, names []string) {
	t.Helper()
	out, err := exec.Command(novagen(t), "partitions", "-f", filepath.Join(example, "services.yaml"), "-o", "json").Output()
	require.NoError(t, err)
	var parts []struct{ Catalog, Partition string }
	require.NoError(t, json.Unmarshal(out, &parts))
	require.NotEmpty(t, parts)
	for _, p := range parts {
		names = append(names, p.Partition)
	}
	return parts[0].Catalog, names
}

// render runs CI's render step (examples/flux/render.sh) for a source kind.
func render(t *testing.T, sourceKind string) string {
	t.Helper()
	out := filepath.Join(t.TempDir(), "out")
	cmd := exec.Command("bash", filepath.Join(example, "render.sh"), out)
	cmd.Env = append(os.Environ(), "NOVAGEN="+novagen(t), "FLUX_SOURCE_KIND="+sourceKind)
	msg, err := cmd.CombinedOutput()
	require.NoError(t, err, "render.sh: %s", msg)
	return out
}

func decodeFile(t *testing.T, o *Objects, file string) {
	t.Helper()
	data, err := os.ReadFile(file)
	require.NoError(t, err)
	require.NoError(t, o.Decode(file, data))
}

// fluxCRDs are the CRDs of the controllers whose API types this module
// requires, from those controllers' modules at the same versions.
func fluxCRDs(t *testing.T) Schemas {
	t.Helper()
	var files []string
	for _, api := range []string{"github.com/fluxcd/kustomize-controller/api", "github.com/fluxcd/source-controller/api"} {
		version, err := exec.Command("go", "list", "-m", "-f", "{{.Version}}", api).Output()
		require.NoError(t, err, "go list -m %s", api)
		mod := fmt.Sprintf("%s@%s", strings.TrimSuffix(api, "/api"), strings.TrimSpace(string(version)))
		out, err := exec.Command("go", "mod", "download", "-json", mod).Output()
		require.NoError(t, err, "go mod download %s", mod)
		var dl struct{ Dir string }
		require.NoError(t, json.Unmarshal(out, &dl))
		crds, err := filepath.Glob(filepath.Join(dl.Dir, "config", "crd", "bases", "*.yaml"))
		require.NoError(t, err)
		require.NotEmpty(t, crds, "%s has no config/crd/bases", mod)
		files = append(files, crds...)
	}
	schemas, err := LoadCRDs(files...)
	require.NoError(t, err)
	return schemas
}

// kustomizationDir: a directory Flux builds as a kustomization.
func kustomizationDir(root string) func(string) bool {
	return func(p string) bool {
		st, err := os.Stat(filepath.Join(root, p, "kustomization.yaml"))
		return err == nil && st.Mode().IsRegular()
	}
}

// TestExample: each committed cluster file (its source and root
// Kustomization) with render.sh's output for that source: everything
// decodes with Flux's types, every reference resolves, and the rendered
// Kustomizations are the catalog's partitions, infrastructure first.
func TestExample(t *testing.T) {
	catalog, names := partitions(t)
	crds := fluxCRDs(t)
	files, err := filepath.Glob(filepath.Join(example, "clusters", "*.yaml"))
	require.NoError(t, err)
	require.NotEmpty(t, files)
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			var cluster Objects
			decodeFile(t, &cluster, file)
			srcs := cluster.sources()
			require.Len(t, srcs, 1, "one source per cluster file")
			require.NotEmpty(t, cluster.Kustomizations, "a Kustomization applying the rendered flux/ directory")
			var kind string
			for s := range srcs {
				kind = s.kind
			}
			out := render(t, kind)

			var rendered Objects
			kustomizations := filepath.Join(out, "flux", "kustomizations.yaml")
			decodeFile(t, &rendered, kustomizations)
			for _, f := range []string{file, kustomizations} {
				data, err := os.ReadFile(f)
				require.NoError(t, err)
				assert.NoError(t, crds.Validate(f, data), "against Flux's CRDs")
			}
			assert.Empty(t, rendered.OCIRepos, "the render holds no sources")
			assert.Empty(t, rendered.GitRepos, "the render holds no sources")
			for _, err := range CheckReferences(cluster.Kustomizations, &cluster, kustomizationDir(out)) {
				t.Error(err)
			}
			for _, err := range CheckReferences(rendered.Kustomizations, &cluster, kustomizationDir(out)) {
				t.Error(err)
			}
			for _, err := range CheckPartitions(rendered.Kustomizations, catalog, names) {
				t.Error(err)
			}
		})
	}
}

// TestCRDsRefuse: the CRD schemas the example passes refuse what the API
// server would: a missing required field, a value outside an enum, a
// duration in the wrong form.
func TestCRDsRefuse(t *testing.T) {
	crds := fluxCRDs(t)
	const head = "apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata: {name: a, namespace: flux-system}\n"
	for name, tc := range map[string]struct{ doc, want string }{
		"no prune":     {head + "spec: {interval: 1m, sourceRef: {kind: OCIRepository, name: s}}\n", "spec.prune: Required value"},
		"unknown kind": {head + "spec: {interval: 1m, prune: true, sourceRef: {kind: HelmChart, name: s}}\n", "spec.sourceRef.kind: Unsupported value"},
		"interval":     {head + "spec: {interval: 10 minutes, prune: true, sourceRef: {kind: OCIRepository, name: s}}\n", "spec.interval"},
		"no url":       {"apiVersion: source.toolkit.fluxcd.io/v1\nkind: OCIRepository\nmetadata: {name: s}\nspec: {interval: 1m}\n", "spec.url: Required value"},
		"no CRD":       {"apiVersion: kustomize.toolkit.fluxcd.io/v1beta1\nkind: Kustomization\n", "no CRD defines it"},
	} {
		t.Run(name, func(t *testing.T) {
			err := crds.Validate("in.yaml", []byte(tc.doc))
			require.Error(t, err)
			assert.ErrorContains(t, err, tc.want)
		})
	}
}

// TestDecodeRefuses: the decoder the example passes refuses what Flux's
// API server would.
func TestDecodeRefuses(t *testing.T) {
	const head = "apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata: {name: a, namespace: flux-system}\n"
	for name, tc := range map[string]struct{ doc, want string }{
		"unknown field":   {head + "spec: {interval: 1m, prune: true, dependson: [{name: b}]}\n", `unknown field "spec.dependson"`},
		"duplicate field": {head + "spec: {interval: 1m, prune: true, prune: false}\n", `"prune" already set`},
		"wrong type":      {head + "spec: {interval: 1m, prune: yes please}\n", "prune"},
		"older version":   {"apiVersion: kustomize.toolkit.fluxcd.io/v1beta1\nkind: Kustomization\n", "is not a Flux object this example uses"},
		"other kind":      {"apiVersion: v1\nkind: ConfigMap\n", "is not a Flux object this example uses"},
	} {
		t.Run(name, func(t *testing.T) {
			var o Objects
			err := o.Decode("in.yaml", []byte("---\n"+tc.doc))
			require.Error(t, err)
			assert.Contains(t, err.Error(), "in.yaml: document")
			assert.Contains(t, err.Error(), tc.want)
		})
	}
}

// partitionKustomization is what render.sh writes for one partition.
func partitionKustomization(name string, deps ...string) kustomizev1.Kustomization {
	k := kustomizev1.Kustomization{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "flux-system"},
		Spec: kustomizev1.KustomizationSpec{
			SourceRef: kustomizev1.CrossNamespaceSourceReference{Kind: sourcev1.OCIRepositoryKind, Name: "shop"},
			Path:      "./partitions/" + strings.TrimPrefix(name, "shop-"),
			Interval:  metav1.Duration{Duration: time.Minute},
			Timeout:   &metav1.Duration{Duration: time.Minute},
			Prune:     true,
			Wait:      true,
		},
	}
	for _, d := range deps {
		k.Spec.DependsOn = append(k.Spec.DependsOn, meta.DependencyReference{Name: d})
	}
	return k
}

// TestChecksFail: each check finds the defect it names.
func TestChecksFail(t *testing.T) {
	parts := []string{"infrastructure", "a", "b"}
	valid := func() []kustomizev1.Kustomization {
		return []kustomizev1.Kustomization{
			partitionKustomization("shop-infrastructure"),
			partitionKustomization("shop-a", "shop-infrastructure"),
			partitionKustomization("shop-b", "shop-infrastructure"),
		}
	}
	require.Empty(t, CheckPartitions(valid(), "shop", parts))
	type ks = []kustomizev1.Kustomization
	for name, tc := range map[string]struct {
		edit func(*ks)
		want string
	}{
		"missing partition": {func(k *ks) { *k = (*k)[:2] }, "the catalog's partitions in order need"},
		"dangling dependsOn": {func(k *ks) {
			(*k)[1].Spec.DependsOn = append((*k)[1].Spec.DependsOn, meta.DependencyReference{Name: "shop-c"})
		}, "dependsOn flux-system/shop-c, which does not exist"},
		"no infrastructure dependency": {func(k *ks) { (*k)[2].Spec.DependsOn = nil }, "lacks shop-infrastructure"},
		"infrastructure not first":     {func(k *ks) { (*k)[0].Spec.DependsOn = []meta.DependencyReference{{Name: "shop-a"}} }, "dependsOn cycle: shop-infrastructure -> shop-a -> shop-infrastructure"},
		"no prune":                     {func(k *ks) { (*k)[1].Spec.Prune = false }, "prune is off"},
		"no wait":                      {func(k *ks) { (*k)[1].Spec.Wait = false }, "wait is off"},
		"no timeout":                   {func(k *ks) { (*k)[1].Spec.Timeout = nil }, "no timeout bounds the wait"},
		"targetNamespace":              {func(k *ks) { (*k)[1].Spec.TargetNamespace = "other" }, `targetNamespace "other"`},
	} {
		t.Run(name, func(t *testing.T) {
			k := valid()
			tc.edit(&k)
			errs := CheckPartitions(k, "shop", parts)
			require.NotEmpty(t, errs)
			var msgs []string
			for _, err := range errs {
				msgs = append(msgs, err.Error())
			}
			assert.Contains(t, strings.Join(msgs, "\n"), tc.want)
		})
	}

	var sources Objects
	sources.OCIRepos = append(sources.OCIRepos, sourcev1.OCIRepository{ObjectMeta: metav1.ObjectMeta{Name: "shop", Namespace: "flux-system"}})
	dirs := func(p string) bool { return p == "partitions/a" }
	ok := partitionKustomization("shop-a")
	require.Empty(t, CheckReferences([]kustomizev1.Kustomization{ok}, &sources, dirs))
	otherSource, outside, absent := ok, ok, ok
	otherSource.Spec.SourceRef.Kind = sourcev1.GitRepositoryKind
	outside.Spec.Path = "./partitions/../../etc"
	absent.Spec.Path = "./partitions/b"
	errs := CheckReferences([]kustomizev1.Kustomization{otherSource, outside, absent}, &sources, dirs)
	require.Len(t, errs, 3)
	assert.ErrorContains(t, errs[0], "sourceRef GitRepository flux-system/shop is none of the committed sources")
	assert.ErrorContains(t, errs[1], "leaves the artifact")
	assert.ErrorContains(t, errs[2], `path "./partitions/b" is not a directory of the render`)
}
