package argocd

import (
	"strings"
	"testing"

	"github.com/argoproj/argo-cd/v2/pkg/apis/application/v1alpha1"
	"github.com/google/go-cmp/cmp"
)

// TestPluginParameters: the plugin's parameters, set on an Application
// (Argo CD hands them to generate as PARAM_PARTITION and
// PARAM_ENVIRONMENT), render exactly what the local kustomize build
// renders with NOVAGEN_PARTITION or NOVAGEN_ENVIRONMENT set, and not
// what it renders without.
func TestPluginParameters(t *testing.T) {
	repo, revision, srv := repoServerUnderTest(t)
	c := client(t, srv.withPlugin)
	for _, tc := range []struct{ example, param, value, env string }{
		{"partitioned", "partition", "identity", "NOVAGEN_PARTITION"},
		{"staging", "environment", "production", "NOVAGEN_ENVIRONMENT"},
	} {
		t.Run(tc.example+"/"+tc.param, func(t *testing.T) {
			value := tc.value
			src := &v1alpha1.ApplicationSource{
				RepoURL:        "file://" + repo,
				Path:           "examples/" + tc.example,
				TargetRevision: revision,
				Plugin: &v1alpha1.ApplicationSourcePlugin{Name: pluginName, Parameters: v1alpha1.ApplicationSourcePluginParameters{
					{Name: tc.param, String_: &value},
				}},
			}
			got, _ := generate(t, c, src, "nova-"+tc.example+"-"+tc.param, revision)
			args := append(append([]string{"build"}, strings.Fields(buildOptions)...), "examples/"+tc.example)
			want := parseYAMLStream(t, runEnv(t, repo, []string{tc.env + "=" + tc.value}, "kustomize", args...))
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("parameter %s=%s through the plugin differs from the local build with %s (-local +argocd):\n%.2000s", tc.param, tc.value, tc.env, diff)
			}
			if cmp.Equal(parseYAMLStream(t, run(t, repo, "kustomize", args...)), got) {
				t.Errorf("parameter %s=%s changed nothing", tc.param, tc.value)
			}
		})
	}
}
