package diff

import (
	"slices"
	"testing"

	"sigs.k8s.io/kustomize/kyaml/yaml"
)

func TestFieldDiff(t *testing.T) {
	cases := []struct {
		name, a, b string
		want       []string
	}{
		{"same", "{a: 1, b: [x, y]}", "{b: [x, y], a: 1}", nil},
		{"scalar", "{a: {b: 1}}", "{a: {b: 2}}", []string{"a.b"}},
		{"field added and removed", "{a: 1, b: {c: 1}}", "{a: 1, d: 2}", []string{"b (removed)", "d (added)"}},
		{"dotted key", "{metadata: {annotations: {x.io/y: a}}}", "{metadata: {annotations: {x.io/y: b}}}", []string{"metadata.annotations[x.io/y]"}},
		{"named list by name", "{c: [{name: a, v: 1}, {name: b, v: 1}]}", "{c: [{name: b, v: 2}, {name: a, v: 1}]}", []string{"c[b].v"}},
		{"named item added", "{c: [{name: a}]}", "{c: [{name: a}, {name: z}]}", []string{"c[z] (added)"}},
		{"item inserted, not every later one shifted", "{l: [a, b, c]}", "{l: [a, x, b, c]}", []string{"l[1] (added)"}},
		{"item removed", "{l: [a, b, c]}", "{l: [a, c]}", []string{"l[1] (removed)"}},
		{"item changed in place", "{l: [{p: 1}, {p: 2}]}", "{l: [{p: 1}, {p: 3}]}", []string{"l[1].p"}},
		{"kind changed", "{a: [1]}", "{a: {b: 1}}", []string{"a"}},
		{"string and number", `{a: "1"}`, "{a: 1}", []string{"a"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := fieldDiff(yaml.MustParse(tc.a).YNode(), yaml.MustParse(tc.b).YNode())
			if !slices.Equal(got, tc.want) {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}
