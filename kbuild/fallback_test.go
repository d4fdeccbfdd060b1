package kbuild

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"sigs.k8s.io/kustomize/api/provider"
	"sigs.k8s.io/kustomize/api/resource"
	"sigs.k8s.io/kustomize/kyaml/kio"
	"sigs.k8s.io/kustomize/kyaml/yaml"

	"github.com/novagen/novagen/fns"
)

// config is a NovaGen config of the catalog tempKustomization writes.
const config = `apiVersion: novagen.nova.dev/v1alpha1
kind: NovaGen
metadata:
  name: NAME
  annotations:
    config.kubernetes.io/function: |
      exec:
        path: novagen
        args: [fn]
spec:
  catalog: ../../services.yaml
  generators: [namespace]
  transformers: []
`

// tempKustomization writes files into app/nova of a new repository
// whose services.yaml is fns/testdata/catalog.yaml (namespace mini).
func tempKustomization(t *testing.T, files map[string]string) string {
	t.Helper()
	repo := t.TempDir()
	require.NoError(t, os.Mkdir(filepath.Join(repo, ".git"), 0o755))
	catalog, err := os.ReadFile("../fns/testdata/catalog.yaml")
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(repo, "services.yaml"), catalog, 0o644))
	dir := filepath.Join(repo, "app", "nova")
	for name, text := range files {
		require.NoError(t, os.MkdirAll(filepath.Dir(filepath.Join(dir, name)), 0o755))
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644))
	}
	return dir
}

func named(name string) string { return strings.Replace(config, "NAME", name, 1) }

// TestAnalyzeFallsBack: whatever the direct path does not handle goes to
// kustomize, with the reason.
func TestAnalyzeFallsBack(t *testing.T) {
	for _, tt := range []struct {
		name  string
		files map[string]string
		want  string
	}{
		{"resources", map[string]string{"kustomization.yaml": "resources: [a.yaml]\ngenerators: [c.yaml]\n", "c.yaml": named("c")}, "kustomization.yaml: resources"},
		{"namePrefix", map[string]string{"kustomization.yaml": "namePrefix: x-\ngenerators: [c.yaml]\n", "c.yaml": named("c")}, "kustomization.yaml: namePrefix"},
		{"component", map[string]string{"kustomization.yaml": "kind: Component\ngenerators: [c.yaml]\n", "c.yaml": named("c")}, `kind "Component"`},
		{"two kustomization files", map[string]string{"kustomization.yaml": "generators: [c.yaml]\n", "kustomization.yml": "generators: [c.yaml]\n", "c.yaml": named("c")}, "2 kustomization files"},
		{"none", map[string]string{"c.yaml": named("c")}, "0 kustomization files"},
		{"no generators", map[string]string{"kustomization.yaml": "transformers: [c.yaml]\n", "c.yaml": named("c")}, "no generators"},
		{"inline config", map[string]string{"kustomization.yaml": "generators:\n- |\n  kind: NovaGen\n"}, "is not a file of the kustomization's directory"},
		{"parent directory", map[string]string{"kustomization.yaml": "generators: [../other/c.yaml]\n"}, "is not a file of the kustomization's directory"},
		{"a directory", map[string]string{"kustomization.yaml": "generators: [sub]\n", "sub/kustomization.yaml": "generators: []\n"}, `"sub" is not a regular file`},
		{"a file in a subdirectory", map[string]string{"kustomization.yaml": "generators: [sub/c.yaml]\n", "sub/c.yaml": named("c")}, "is not a file of the kustomization's directory"},
		{"too many configs", map[string]string{"kustomization.yaml": "generators: [" + strings.Repeat("c.yaml, ", maxConfigs) + "c.yaml]\n", "c.yaml": named("c")}, "more than 100 generators and transformers"},
		{"another function", map[string]string{"kustomization.yaml": "generators: [c.yaml]\n", "c.yaml": strings.Replace(named("c"), "path: novagen", "path: ./novagen", 1)}, "is not `exec: {path: novagen, args: [fn]}`"},
		{"another kind", map[string]string{"kustomization.yaml": "generators: [c.yaml]\n", "c.yaml": strings.Replace(named("c"), "kind: NovaGen", "kind: Other", 1)}, "is not a novagen.nova.dev/v1alpha1 NovaGen"},
		{"two documents", map[string]string{"kustomization.yaml": "generators: [c.yaml]\n", "c.yaml": named("c") + "---\n" + named("d")}, "not one YAML mapping"},
		{"another annotation", map[string]string{"kustomization.yaml": "generators: [c.yaml]\n", "c.yaml": strings.Replace(named("c"), "  annotations:\n", "  annotations:\n    kustomize.config.k8s.io/behavior: merge\n", 1)}, "annotation kustomize.config.k8s.io/behavior"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			plan := Analyze(tempKustomization(t, tt.files))
			assert.Contains(t, plan.Fallback, tt.want)
			_, why, err := Direct(plan, reg, nil)
			require.NoError(t, err)
			assert.Equal(t, plan.Fallback, why, "Direct does not run a plan that falls back")
		})
	}
}

// TestDirectFallsBackOnTwice: two configs making the same object are
// kustomize's to refuse (it does), not the direct path's to print.
func TestDirectFallsBackOnTwice(t *testing.T) {
	dir := tempKustomization(t, map[string]string{"kustomization.yaml": "generators: [a.yaml, b.yaml]\n", "a.yaml": named("a"), "b.yaml": named("b")})
	plan := Analyze(dir)
	require.Empty(t, plan.Fallback)
	_, why, err := Direct(plan, reg, nil)
	require.NoError(t, err)
	assert.Equal(t, "two objects v1 Namespace mini", why)
	_, err = kustomizeBuild(t, dir)
	assert.ErrorContains(t, err, "exists; can not use behavior")
}

// TestDirectReportsFunctionErrors: a config the function refuses is an
// error of the direct path, the function's own message.
func TestDirectReportsFunctionErrors(t *testing.T) {
	dir := tempKustomization(t, map[string]string{"kustomization.yaml": "generators: [c.yaml]\n", "c.yaml": strings.Replace(named("c"), "[namespace]", "[nope]", 1)})
	_, _, err := Direct(Analyze(dir), reg, nil)
	assert.ErrorContains(t, err, `function config c: spec.generators: `)
	_, err = kustomizeBuild(t, dir)
	assert.Error(t, err)
}

// TestBuildFallback: Build runs kustomize (here this binary, printing
// its arguments and the function's variables) for a directory the
// direct path does not take, with the parameters in its environment.
func TestBuildFallback(t *testing.T) {
	t.Setenv(fns.PartitionEnv, "")
	t.Setenv(fns.EnvironmentEnv, "")
	var out, errOut, explain bytes.Buffer
	err := Build("../examples/overlay", Options{Registry: reg, Params: Params{Partition: "content", Environment: "production"}, Explain: &explain}, &out, &errOut)
	require.NoError(t, err, errOut.String())
	assert.Equal(t, "build --enable-alpha-plugins --enable-exec ../examples/overlay\nNOVAGEN_PARTITION=content\nNOVAGEN_ENVIRONMENT=production\n", out.String())
	assert.Contains(t, explain.String(), "novagen build: kustomize: kustomization.yaml: resources")

	// Not this novagen on PATH: kustomize, even for a direct directory.
	out.Reset()
	explain.Reset()
	err = Build("../examples/staging", Options{Registry: reg, Self: func() string { return "not me" }, Explain: &explain}, &out, &errOut)
	require.NoError(t, err)
	assert.Equal(t, "novagen build: kustomize: not me\n", explain.String())
	assert.True(t, strings.HasPrefix(out.String(), "build --enable-alpha-plugins --enable-exec ../examples/staging\n"))
}

// TestBuildDirect: the direct path prints the same as Direct and says so.
func TestBuildDirect(t *testing.T) {
	var out, errOut, explain bytes.Buffer
	require.NoError(t, Build("../examples/grpc-services-only", Options{Registry: reg, Explain: &explain}, &out, &errOut))
	want, why, err := Direct(Analyze("../examples/grpc-services-only"), reg, nil)
	require.NoError(t, err)
	require.Empty(t, why)
	assert.Equal(t, string(want), out.String())
	assert.Equal(t, "novagen build: direct: 1 generator and 0 transformer configs\n", explain.String())
}

// TestParams: Argo CD's parameters, validated; and their conflicts with
// the function's own variables.
func TestParams(t *testing.T) {
	env := func(kv ...string) func(string) string {
		m := map[string]string{}
		for i := 0; i+1 < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return func(k string) string { return m[k] }
	}
	p, err := ParamsFromEnv(env("PARAM_ENVIRONMENT", "production", "PARAM_PARTITION", "identity",
		"ARGOCD_APP_PARAMETERS", `[{"name":"environment","string":"production"},{"name":"partition","string":"identity"}]`))
	require.NoError(t, err)
	assert.Equal(t, Params{Environment: "production", Partition: "identity"}, p)
	for _, tt := range []struct {
		env  func(string) string
		want string
	}{
		{env("PARAM_PARTITION", "Team A"), `parameter partition "Team A" is not a DNS label`},
		{env("PARAM_ENVIRONMENT", "../../etc"), `parameter environment "../../etc" is not a DNS label`},
		{env("PARAM_ENVIRONMENT", strings.Repeat("a", 64)), `is not a DNS label`},
		{env("ARGOCD_APP_PARAMETERS", `[{"name":"partiton","string":"x"}]`), `parameter "partiton": the novagen plugin has only environment and partition`},
		{env("ARGOCD_APP_PARAMETERS", `[{"name":"partition","array":["a","b"]}]`), `parameter partition: expected a string value`},
		{env("ARGOCD_APP_PARAMETERS", `{`), `ARGOCD_APP_PARAMETERS: unexpected end of JSON input`},
	} {
		_, err := ParamsFromEnv(tt.env)
		assert.ErrorContains(t, err, tt.want)
	}
	_, err = Params{Partition: "content"}.env(env(fns.ArgoCDPartitionEnv, "identity"))
	assert.EqualError(t, err, `parameter partition "content" and ARGOCD_ENV_NOVAGEN_PARTITION="identity" differ: set one`)
	set, err := Params{Partition: "content"}.env(env(fns.PartitionEnv, "content"))
	require.NoError(t, err)
	assert.Equal(t, map[string]string{fns.PartitionEnv: "content"}, set)
}

// TestAsYAML: the fast printer is kustomize's Resource.AsYAML on every
// object of every example and on scalars of every kind.
func TestAsYAML(t *testing.T) {
	var nodes []*yaml.RNode
	for _, ex := range []string{"staging", "production", "partitioned"} {
		plan := Analyze("../examples/" + ex)
		require.Empty(t, plan.Fallback)
		out, _, err := Direct(plan, reg, nil)
		require.NoError(t, err)
		docs, err := kioFromBytes(out)
		require.NoError(t, err)
		nodes = append(nodes, docs...)
	}
	odd, err := kioFromBytes([]byte(`apiVersion: v1
kind: ConfigMap
metadata: {name: odd, annotations: {a: "1", b: "true", c: "", d: "yes"}}
data:
  long: "` + strings.Repeat("word ", 40) + `"
  quoted: "{{ .password | urlquery | replace \"+\" \"%20\" }}@postgres:5432/db with a long enough tail to wrap"
  multi: "line one\nline two\n"
  trailing: "x  "
  unicode: "héllo ✓ \u2028 \t tab"
  colon: "a: b"
  dash: "- a"
  hash: "# not a comment"
  octal: "0755"
  float: "1.0"
  empty: ""
  nul: "~"
spec:
  ints: [0, -1, 42, 9007199254740993, 0x1F, 0o17]
  floats: [0.5, 1.0, -2.5e-7, 1e21, 3.0e2]
  bools: [true, false]
  nulls: [null, ~]
  empty: {}
  list: []
  nested: [[a], {b: [c, {d: e}]}]
  "key with spaces": 1
  "123": numeric key
`))
	require.NoError(t, err)
	nodes = append(nodes, odd...)
	for _, r := range resourcesOf(t, nodes) {
		want, err := r.AsYAML()
		require.NoError(t, err)
		got, err := asYAML(r)
		require.NoError(t, err)
		require.Equal(t, string(want), string(got), "%s %s", r.GetKind(), r.GetName())
	}
	_, ok := v2Value(odd[0].YNode())
	assert.True(t, ok, "the odd ConfigMap takes the fast path")
}

func kioFromBytes(b []byte) ([]*yaml.RNode, error) { return kio.FromBytes(b) }

func resourcesOf(t *testing.T, nodes []*yaml.RNode) []*resource.Resource {
	t.Helper()
	res, err := provider.NewDefaultDepProvider().GetResourceFactory().ResourcesFromRNodes(nodes)
	require.NoError(t, err)
	return res
}
