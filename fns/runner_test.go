package fns

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"sigs.k8s.io/kustomize/kyaml/yaml"
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
