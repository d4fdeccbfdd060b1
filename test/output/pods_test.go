// Package output holds the checks that apply to everything novagen
// renders, whichever generator made it: every pod template meets Pod
// Security "restricted" and has resources and a pinned image, and every
// shell script passes shellcheck. They run on the full render of
// services.yaml (all generators, then all transformers), so a generator
// added later is covered without touching this package.
package output

import (
	"testing"

	"sigs.k8s.io/kustomize/kyaml/yaml"

	"github.com/novagen/novagen/check"
)

// pod is one pod template of the rendered output, named for test
// messages by its catalog.
type pod struct {
	where string // catalog: Kind/name path
	check.Pod
}

// renderedPods renders every test catalog (services.yaml first) the way
// `novagen render` does and returns every pod template; it fails when
// there is none, so the checks that use it cannot pass on nothing.
func renderedPods(t *testing.T) []pod {
	t.Helper()
	var out []pod
	for _, c := range loadTestCatalogs(t) {
		pods, err := podsOf(c.name, c.render(t))
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, pods...)
	}
	if len(out) == 0 {
		t.Fatal("the render has no pod templates")
	}
	return out
}

// podsOf returns the pod templates among nodes, with check's reading of
// them (the one `novagen check` uses).
func podsOf(catalog string, nodes []*yaml.RNode) ([]pod, error) {
	pods, err := check.Pods(nodes)
	if err != nil {
		return nil, err
	}
	out := make([]pod, len(pods))
	for i, p := range pods {
		out[i] = pod{catalog + ": " + p.Where(), p}
	}
	return out, nil
}
