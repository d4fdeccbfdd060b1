package diff

import (
	"slices"
	"strings"
	"testing"

	"sigs.k8s.io/kustomize/kyaml/yaml"
)

func TestFieldDiff(t *testing.T) {
	secret := func(p string) bool { return strings.HasPrefix(p, "data") }
	long := strings.Repeat("x", 100)
	cases := []struct {
		name, a, b string
		hide       func(string) bool
		want       []string
	}{
		{"same", "{a: 1, b: [x, y]}", "{b: [x, y], a: 1}", nil, nil},
		{"scalar", "{a: {b: 1}}", "{a: {b: 2}}", nil, []string{"a.b: 1 → 2"}},
		{"replicas", "{spec: {replicas: 1}}", "{spec: {replicas: 3}}", nil, []string{"spec.replicas: 1 → 3"}},
		{"field added and removed", "{a: 1, b: {c: 1}}", "{a: 1, d: 2}", nil, []string{"b (removed)", "d (added)"}},
		{"dotted key", "{metadata: {annotations: {x.io/y: a}}}", "{metadata: {annotations: {x.io/y: b}}}", nil, []string{"metadata.annotations[x.io/y]: a → b"}},
		{"named list by name", "{c: [{name: a, v: 1}, {name: b, v: 1}]}", "{c: [{name: b, v: 2}, {name: a, v: 1}]}", nil, []string{"c[name=b].v: 1 → 2"}},
		{"container image by name", "{containers: [{name: side, image: s:1}, {name: app, image: x:1}]}", "{containers: [{name: app, image: x:2}, {name: side, image: s:1}]}", nil,
			[]string{"containers[name=app].image: x:1 → x:2"}},
		{"named item added", "{c: [{name: a}]}", "{c: [{name: a}, {name: z}]}", nil, []string{"c[name=z] (added)"}},
		{"item inserted, not every later one shifted", "{l: [a, b, c]}", "{l: [a, x, b, c]}", nil, []string{"l[1] (added)"}},
		{"item removed", "{l: [a, b, c]}", "{l: [a, c]}", nil, []string{"l[1] (removed)"}},
		// Unnamed items have no identity: a changed one is one gone and one come.
		{"unnamed item changed", "{l: [{p: 1}, {p: 2}]}", "{l: [{p: 1}, {p: 3}]}", nil, []string{"l[1] (removed)", "l[1] (added)"}},
		{"unnamed list reordered", "{args: [--a, --b]}", "{args: [--b, --a]}", nil, []string{"args (order changed)"}},
		{"named list reordered: no change", "{c: [{name: a}, {name: b}]}", "{c: [{name: b}, {name: a}]}", nil, nil},
		{"list keyed by id", "{c: [{id: a, x: 1}, {id: b, x: 1}]}", "{c: [{id: b, x: 1}, {id: a, x: 2}]}", nil, []string{"c[id=a].x: 1 → 2"}},
		{"map entry added deep", "{a: {b: 1}}", "{a: {b: 1, c: {d: 2}}}", nil, []string{"a.c (added)"}},
		{"kind changed", "{a: [1]}", "{a: {b: 1}}", nil, []string{"a"}},
		{"string and number", `{a: "1"}`, "{a: 1}", nil, []string{`a: "1" → 1`}},
		{"empty string", `{a: ""}`, "{a: b}", nil, []string{`a: "" → b`}},
		{"long value cut", "{a: " + long + "}", "{a: y}", nil, []string{"a: " + strings.Repeat("x", maxValue-1) + "… → y"}},
		{"multi-line value: its first line", "{a: \"one\\ntwo\"}", "{a: one}", nil, []string{"a: one… → one"}},
		{"differing past the cut", "{a: \"same\\nold\"}", "{a: \"same\\nnew\"}", nil, []string{"a: (changed)"}},
		{"secret value hidden", "{data: {password: aGVsbG8=}, kind: Secret}", "{data: {password: d29ybGQ=}, kind: Secret}", secret, []string{"data.password: (changed)"}},
		{"hide judges the path", "{data: {k: a}, spec: {k: a}}", "{data: {k: b}, spec: {k: b}}", secret, []string{"data.k: (changed)", "spec.k: a → b"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := fieldDiff(yaml.MustParse(tc.a).YNode(), yaml.MustParse(tc.b).YNode(), tc.hide)
			if !slices.Equal(got, tc.want) {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}
