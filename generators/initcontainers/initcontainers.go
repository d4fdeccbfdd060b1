// Package initcontainers is the transformer init-containers: its
// description in the registry (generators/registry.go; novagen generators
// prints it) says what it does, and this is the detail. It patches each
// apps/v1 Deployment or StatefulSet named after a catalog service, in the
// catalog's namespace (or with none, as in a kustomize base), whether the
// workloads generator made it or it is hand-written: one
// wait-for-<dependency> init container per dependency, in the catalog's
// dependsOn order, before any init container already there.
//
// It owns every init container named wait-for-<endpoint> for an endpoint
// of the catalog: those are replaced on each run (so a second run changes
// nothing and a dependency dropped from the catalog loses its container),
// while any other init container, wait-for-vault included, is kept as it
// is, in its place. Everything else in the object is left untouched, in
// its order, comments included.
//
// Hand-written objects may be malformed; the transformer then fails with
// the object and the field at fault, and never guesses.
package initcontainers

import (
	"fmt"
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/kustomize/kyaml/yaml"

	"github.com/novagen/novagen/catalog"
	"github.com/novagen/novagen/generators/kube"
	"github.com/novagen/novagen/internal/yamlnode"
)

// Name is the transformer's name in function configs and the registry.
const Name = "init-containers"

// podSpecPath is where a Deployment or StatefulSet keeps its pod spec.
var podSpecPath = []string{"spec", "template", "spec"}

// Transform patches items in place and returns them.
func Transform(cat *catalog.Catalog, items []*yaml.RNode) ([]*yaml.RNode, error) {
	w := waits{cat: cat, built: map[string]*yaml.Node{}}
	for _, n := range items {
		if !isWorkload(n) {
			continue
		}
		// kyaml's metadata getters assume a mapping; a hand-written object
		// may have anything there.
		if m := n.Field("metadata"); m != nil && m.Value.YNode().Kind != yaml.MappingNode {
			return nil, fmt.Errorf("%s: metadata: expected a mapping, found %s", n.GetKind(), describe(m.Value.YNode()))
		}
		svc, ok := target(cat, n)
		if !ok {
			continue
		}
		if err := patch(cat, w, svc, n); err != nil {
			return nil, fmt.Errorf("%s %s: %w", n.GetKind(), n.GetName(), err)
		}
	}
	return items, nil
}

// isWorkload: n is an apps/v1 Deployment or StatefulSet.
func isWorkload(n *yaml.RNode) bool {
	return n.YNode().Kind == yaml.MappingNode && n.GetApiVersion() == "apps/v1" && (n.GetKind() == "Deployment" || n.GetKind() == "StatefulSet")
}

// target returns the service whose workload n is, if it is one.
func target(cat *catalog.Catalog, n *yaml.RNode) (*catalog.Service, bool) {
	if ns := n.GetNamespace(); ns != "" && ns != cat.Spec.Namespace {
		return nil, false
	}
	return cat.Service(n.GetName())
}

// waits builds each dependency's wait container once per Transform; every
// workload that waits for it gets a copy of its own.
type waits struct {
	cat   *catalog.Catalog
	built map[string]*yaml.Node
}

func (w waits) container(dep string) (*yaml.Node, error) {
	if c, ok := w.built[dep]; ok {
		return yaml.CopyYNode(c), nil
	}
	e, _ := w.cat.Endpoint(dep) // the graph holds only known endpoints
	c, err := yamlnode.ToNode(kube.WaitContainer(w.cat, e))
	if err != nil {
		return nil, err
	}
	w.built[dep] = c
	return yaml.CopyYNode(c), nil
}

func patch(cat *catalog.Catalog, w waits, svc *catalog.Service, n *yaml.RNode) error {
	spec, err := mappingAt(n, podSpecPath)
	if err != nil {
		return err
	}
	old, err := listAt(spec, "initContainers")
	if err != nil {
		return err
	}
	list := &yaml.Node{Kind: yaml.SequenceNode}
	for _, dep := range cat.Graph().DependsOn(svc.Name) {
		c, err := w.container(dep)
		if err != nil {
			return err
		}
		list.Content = append(list.Content, c)
	}
	waits := len(list.Content)
	for _, c := range old {
		if !cat.IsWaitContainer(c.name) {
			list.Content = append(list.Content, c.node)
		}
	}
	if len(list.Content) == 0 {
		return spec.PipeE(yaml.Clear("initContainers"))
	}
	setSorted(spec, "initContainers", list)
	if waits == 0 {
		return nil
	}
	return ensureTmpVolume(spec)
}

// named is an entry of a list of named objects (containers, volumes).
type named struct {
	name string
	node *yaml.Node
}

// mappingAt walks to the mapping at path below n, creating what is
// missing (or null), and refuses anything that is not a mapping.
func mappingAt(n *yaml.RNode, path []string) (*yaml.RNode, error) {
	cur := n
	for i, field := range path {
		f := cur.Field(field)
		if f == nil || f.Value.IsNil() || f.Value.IsTaggedNull() {
			// SetField copies the node into a field that exists (as
			// null), so continue from the field, not from the copy.
			if err := cur.PipeE(yaml.SetField(field, yaml.NewMapRNode(nil))); err != nil {
				return nil, err
			}
			cur = cur.Field(field).Value
			continue
		}
		if f.Value.YNode().Kind != yaml.MappingNode {
			return nil, fmt.Errorf("%s: expected a mapping, found %s", dotted(path[:i+1]), describe(f.Value.YNode()))
		}
		cur = f.Value
	}
	return cur, nil
}

// listAt returns the entries of the list field of spec (none if absent or
// null); each must be a mapping with a non-empty name.
func listAt(spec *yaml.RNode, field string) ([]named, error) {
	f := spec.Field(field)
	if f == nil || f.Value.IsNil() || f.Value.IsTaggedNull() {
		return nil, nil
	}
	where := dotted(podSpecPath) + "." + field
	seq := f.Value.YNode()
	if seq.Kind != yaml.SequenceNode {
		return nil, fmt.Errorf("%s: expected a list, found %s", where, describe(seq))
	}
	out := make([]named, 0, len(seq.Content))
	for i, item := range seq.Content {
		name := ""
		if item.Kind == yaml.MappingNode {
			if nf := yaml.NewRNode(item).Field("name"); nf != nil && nf.Value.YNode().Kind == yaml.ScalarNode {
				name = nf.Value.YNode().Value
			}
		}
		if name == "" {
			return nil, fmt.Errorf("%s[%d]: expected an entry with a name, found %s", where, i, describe(item))
		}
		out = append(out, named{name: name, node: item})
	}
	return out, nil
}

func dotted(path []string) string { return strings.Join(path, ".") }

// describe names what a node is, for messages.
func describe(n *yaml.Node) string {
	switch {
	case n == nil || n.Tag == yaml.NodeTagNull:
		return "null"
	case n.Kind == yaml.MappingNode:
		return "a mapping without a name"
	case n.Kind == yaml.SequenceNode:
		return "a list"
	case n.Kind == yaml.AliasNode:
		return "an alias"
	}
	return fmt.Sprintf("the value %q", n.Value)
}

// ensureTmpVolume adds the emptyDir that HardenContainer mounts at /tmp
// in every wait container, unless the pod already has a volume of that
// name (a hand-written base may; then it is the base's choice).
func ensureTmpVolume(spec *yaml.RNode) error {
	vols, err := listAt(spec, "volumes")
	if err != nil {
		return err
	}
	if slices.ContainsFunc(vols, func(v named) bool { return v.name == kube.TmpVolume }) {
		return nil
	}
	v, err := yamlnode.ToNode(corev1.Volume{
		Name:         kube.TmpVolume,
		VolumeSource: corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{}},
	})
	if err != nil {
		return err
	}
	if f := spec.Field("volumes"); f != nil && !f.Value.IsNil() && !f.Value.IsTaggedNull() {
		f.Value.YNode().Content = append(f.Value.YNode().Content, v)
		return nil
	}
	setSorted(spec, "volumes", &yaml.Node{Kind: yaml.SequenceNode, Content: []*yaml.Node{v}})
	return nil
}

// setSorted sets key in mapping m. A new key goes before the first key
// that sorts after it: generated objects (keys sorted, as kustomize
// writes them) stay sorted, and hand-written ones keep their own order.
func setSorted(m *yaml.RNode, key string, value *yaml.Node) {
	if f := m.Field(key); f != nil {
		f.Value.SetYNode(value)
		return
	}
	c := m.YNode().Content
	i := 0
	for i < len(c) && c[i].Value < key {
		i += 2
	}
	pair := []*yaml.Node{{Kind: yaml.ScalarNode, Tag: yaml.NodeTagString, Value: key}, value}
	m.YNode().Content = slices.Insert(c, i, pair...)
}
