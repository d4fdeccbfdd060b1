package fns

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/kustomize/kyaml/yaml"

	"github.com/novagen/novagen/catalog"
	"github.com/novagen/novagen/generators"
	"github.com/novagen/novagen/generators/kube"
	"github.com/novagen/novagen/generators/syncwaves"
)

// TestEnvironmentFromEnvironment: a config without spec.environment
// renders the one NOVAGEN_ENVIRONMENT (or ARGOCD_ENV_NOVAGEN_ENVIRONMENT)
// names; a config naming another is refused, one naming the same is
// fine; an environment the catalog lacks fails with its list.
func TestEnvironmentFromEnvironment(t *testing.T) {
	config := func(env string) *yaml.RNode {
		n, err := yaml.Parse("apiVersion: novagen.nova.dev/v1alpha1\nkind: NovaGen\nmetadata: {name: nova}\nspec: {catalog: ../../services.yaml, generators: [namespace], transformers: [], environment: '" + env + "'}\n")
		require.NoError(t, err)
		return n
	}
	namespace := func(env map[string]string, spec string) (string, error) {
		r := Runner{Registry: function.Registry, Dir: "../examples/staging", Getenv: func(k string) string { return env[k] }}
		items, err := r.Run(config(spec), nil)
		if err != nil {
			return "", err
		}
		for _, it := range items {
			if it.GetKind() == "Namespace" {
				return it.GetName(), nil
			}
		}
		t.Fatal("no Namespace")
		return "", nil
	}
	for _, tt := range []struct {
		env        map[string]string
		spec, want string
	}{
		{nil, "", "nova-staging"},
		{map[string]string{EnvironmentEnv: "production"}, "", "nova-production"},
		{map[string]string{ArgoCDEnvironmentEnv: "production"}, "", "nova-production"},
		{map[string]string{EnvironmentEnv: "production"}, "production", "nova-production"},
	} {
		got, err := namespace(tt.env, tt.spec)
		require.NoError(t, err)
		assert.Equal(t, tt.want, got, "%v %q", tt.env, tt.spec)
	}
	_, err := namespace(map[string]string{ArgoCDEnvironmentEnv: "staging"}, "production")
	assert.EqualError(t, err, `function config nova: spec.environment "production" and ARGOCD_ENV_NOVAGEN_ENVIRONMENT="staging" name different environments: set one`)
	_, err = namespace(map[string]string{EnvironmentEnv: "prod"}, "")
	assert.ErrorContains(t, err, `environment "prod" is not in the catalog's spec.environments: it has production`)
}

// TestRunnerRegistry: the function runs the registry it is given: a
// program's generator is selectable in spec.generators, and its catalog
// section is checked against its schema; the configs of novagen's own
// function may not name it.
func TestRunnerRegistry(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.Mkdir(filepath.Join(dir, ".git"), 0o755))
	text := "apiVersion: catalog.nova.dev/v1alpha1\nkind: ServiceCatalog\nmetadata: {name: t}\nspec:\n  namespace: t\n  defaults: {image: {registry: registry.example/t, tag: '1.0.0'}}\n  services: [{name: a}]\n  extensions:\n    quota: {pods: %s}\n"
	quota := generators.Generator{Name: "quota", Phase: syncwaves.PhaseNamespace, Extension: []byte(`{"type": "object", "properties": {"pods": {"type": "integer"}}}`),
		Generate: func(cat *catalog.Catalog) ([]kube.Object, error) {
			return []kube.Object{&corev1.ResourceQuota{TypeMeta: kube.TypeMeta("v1", "ResourceQuota"), ObjectMeta: kube.Meta(cat, "quota", "quota", "quota")}}, nil
		}}
	config, err := yaml.Parse("apiVersion: novagen.nova.dev/v1alpha1\nkind: NovaGen\nmetadata: {name: nova}\nspec: {catalog: services.yaml, generators: [quota]}\n")
	require.NoError(t, err)
	run := func(reg *generators.Registry, pods string) ([]*yaml.RNode, error) {
		require.NoError(t, os.WriteFile(filepath.Join(dir, "services.yaml"), fmt.Appendf(nil, text, pods), 0o644))
		r := Runner{Registry: reg, Dir: dir}
		return r.Run(config, nil)
	}
	reg := generators.Default().With(quota)
	items, err := run(reg, "3")
	require.NoError(t, err)
	require.Len(t, items, 1)
	assert.Equal(t, "ResourceQuota", items[0].GetKind())

	_, err = run(reg, "many")
	assert.EqualError(t, err, `services.yaml:9:19: spec.extensions.quota.pods: "many": expected integer, but got string`)

	_, err = run(function.Registry, "3")
	assert.ErrorContains(t, err, `function config nova: spec.generators: unknown "quota": expected one of namespace,`)
}
