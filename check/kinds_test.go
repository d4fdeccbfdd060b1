package check_test

import (
	"testing"

	"sigs.k8s.io/kustomize/kyaml/yaml"

	"github.com/novagen/novagen/render"
)

// TestEveryFieldOfAnyKind: in real objects, each node replaced in turn by
// a node of every other YAML kind (a sequence, a mapping, a string,
// null) is an error or a report, never a panic.
func TestEveryFieldOfAnyKind(t *testing.T) {
	others := []*yaml.Node{
		{Kind: yaml.SequenceNode, Tag: "!!seq", Content: []*yaml.Node{{Kind: yaml.ScalarNode, Tag: "!!int", Value: "1"}}},
		{Kind: yaml.MappingNode, Tag: "!!map", Content: []*yaml.Node{{Kind: yaml.ScalarNode, Tag: "!!str", Value: "a"}, {Kind: yaml.ScalarNode, Tag: "!!str", Value: "b"}}},
		{Kind: yaml.ScalarNode, Tag: "!!str", Value: "x\x1b"},
		{Kind: yaml.ScalarNode, Tag: "!!null", Value: "null"},
	}
	runs := 0
	seeds := renderedSeeds(t)
	for _, seed := range seeds[:len(seeds)-1] { // one object at a time: the first of each kind
		nodes, err := render.Parse(seed)
		if err != nil {
			t.Fatal(err)
		}
		if k := nodes[0].GetKind(); k == "StatefulSet" || k == "Job" {
			continue // a Deployment's pod template, for the time the race detector takes
		}
		for i := range nodes {
			object := nodes[i].GetKind() + "/" + nodes[i].GetName() // before its root is replaced
			for _, y := range tree(nodes[i].YNode()) {
				saved := *y
				for _, o := range others {
					if o.Kind == saved.Kind && o.Kind != yaml.ScalarNode {
						continue // a node of its own kind is no test
					}
					*y = *o
					runs++
					if msg := runCheck(nodes); msg != "" {
						t.Errorf("%s in %s with a node replaced by %s", msg, object, o.Tag)
					}
				}
				*y = saved
			}
		}
	}
	t.Logf("%d runs", runs)
}

// tree is y and every node under it, but not the insides of a pod's
// containers and volumes, which check reads with encoding/json only, nor
// of annotations, which it does not read (each node costs a run, and
// they are many); the node itself is still replaced.
func tree(y *yaml.Node) []*yaml.Node {
	out := []*yaml.Node{y}
	for i, c := range y.Content {
		if y.Kind == yaml.MappingNode && i%2 == 1 && notWalked[y.Content[i-1].Value] {
			out = append(out, c)
			continue
		}
		out = append(out, tree(c)...)
	}
	return out
}

var notWalked = map[string]bool{"containers": true, "initContainers": true, "volumes": true, "annotations": true}
