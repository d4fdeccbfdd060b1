package k8snames

import (
	"strings"
	"testing"

	"github.com/novagen/novagen/render"
)

// TestProblemsCatchViolations proves the check can fail.
func TestProblemsCatchViolations(t *testing.T) {
	long := strings.Repeat("a", 64)
	cases := []struct{ name, object, want string }{
		{"service name with a digit first", "apiVersion: v1\nkind: Service\nmetadata: {name: 1abc}", "metadata.name \"1abc\""},
		{"label value too long", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, labels: {app: " + long + "}}", "metadata.labels value"},
		{"label key invalid", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, labels: {'a/b/c': x}}", "metadata.labels key"},
		{"container name", "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: a}\nspec: {template: {spec: {containers: [{name: " + long + "}]}}}", "spec.template.spec.containers name"},
		{"port name", "apiVersion: v1\nkind: Service\nmetadata: {name: a}\nspec: {ports: [{name: metrics-exporter, port: 1}]}", "spec.ports name \"metrics-exporter\""},
		{"env name", "apiVersion: batch/v1\nkind: Job\nmetadata: {name: a}\nspec: {template: {spec: {containers: [{name: c, env: [{name: '1X'}]}]}}}", "env name"},
		{"job name", "apiVersion: batch/v1\nkind: Job\nmetadata: {name: " + long + "}", "metadata.name"},
		{"selector", "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: a}\nspec: {selector: {matchLabels: {app: 'a b'}}}", "spec.selector.matchLabels value"},
		{"configmap key", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\ndata: {'a/b': x}", "data key"},
		{"pod annotation key", "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: a}\nspec: {template: {metadata: {annotations: {'a/b/c': x}}}}", "spec.template.metadata.annotations key"},
		{"object annotation key", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, annotations: {'-x': y}}", "metadata.annotations key"},
		{"unnamed container", "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: a}\nspec: {template: {spec: {containers: [{image: x}]}}}", "containers: 1 entries without a name"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			nodes, err := render.Parse([]byte(tc.object))
			if err != nil {
				t.Fatal(err)
			}
			got := strings.Join(Problems(nodes[0]), "\n")
			if !strings.Contains(got, tc.want) {
				t.Fatalf("want a finding containing %q, got %q", tc.want, got)
			}
		})
	}
}
