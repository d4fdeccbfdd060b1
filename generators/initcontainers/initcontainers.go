// Package initcontainers is the transformer that makes every service's
// pods wait for what the service depends on. It patches each apps/v1
// Deployment or StatefulSet named after a catalog service, in the
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
package initcontainers

import (
	"fmt"
	"slices"

	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/kustomize/kyaml/yaml"
	sigsyaml "sigs.k8s.io/yaml"

	"github.com/novagen/novagen/generators/kube"
	"github.com/novagen/novagen/schema"
)

// Name is the transformer's name in function configs and the registry.
const Name = "init-containers"

// Transform patches items in place and returns them.
func Transform(cat *schema.Catalog, items []*yaml.RNode) ([]*yaml.RNode, error) {
	owned := map[string]bool{}
	for _, e := range cat.Endpoints() {
		owned[kube.WaitContainerName(e.Name)] = true
	}
	for _, n := range items {
		svc, ok := target(cat, n)
		if !ok {
			continue
		}
		if err := patch(cat, svc, owned, n); err != nil {
			return nil, fmt.Errorf("%s %s: %w", n.GetKind(), n.GetName(), err)
		}
	}
	return items, nil
}

// target returns the service whose workload n is, if it is one.
func target(cat *schema.Catalog, n *yaml.RNode) (*schema.Service, bool) {
	if n.GetApiVersion() != "apps/v1" || (n.GetKind() != "Deployment" && n.GetKind() != "StatefulSet") {
		return nil, false
	}
	if ns := n.GetNamespace(); ns != "" && ns != cat.Spec.Namespace {
		return nil, false
	}
	return cat.Service(n.GetName())
}

func patch(cat *schema.Catalog, svc *schema.Service, owned map[string]bool, n *yaml.RNode) error {
	spec, err := n.Pipe(yaml.LookupCreate(yaml.MappingNode, "spec", "template", "spec"))
	if err != nil {
		return err
	}
	list := &yaml.Node{Kind: yaml.SequenceNode}
	for _, dep := range cat.Graph().DependsOn(svc.Name) {
		e, _ := cat.Endpoint(dep) // the graph holds only known endpoints
		c, err := toNode(kube.WaitContainer(cat, e))
		if err != nil {
			return err
		}
		list.Content = append(list.Content, c)
	}
	waits := len(list.Content)
	if old := spec.Field("initContainers"); old != nil {
		for _, c := range old.Value.Content() {
			if !owned[yaml.GetValue(yaml.NewRNode(c).Field("name").Value)] {
				list.Content = append(list.Content, c)
			}
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

// ensureTmpVolume adds the emptyDir that HardenContainer mounts at /tmp
// in every wait container, unless the pod already has a volume of that
// name (a hand-written base may; then it is the base's choice).
func ensureTmpVolume(spec *yaml.RNode) error {
	found, err := spec.Pipe(yaml.Lookup("volumes", "[name="+kube.TmpVolume+"]"))
	if err != nil || found != nil {
		return err
	}
	v, err := toNode(corev1.Volume{
		Name:         kube.TmpVolume,
		VolumeSource: corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{}},
	})
	if err != nil {
		return err
	}
	if vols := spec.Field("volumes"); vols != nil {
		vols.Value.YNode().Content = append(vols.Value.YNode().Content, v)
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

// toNode serializes a typed value through its JSON tags, exactly as
// render does for whole objects.
func toNode(v any) (*yaml.Node, error) {
	b, err := sigsyaml.Marshal(v)
	if err != nil {
		return nil, err
	}
	n, err := yaml.Parse(string(b))
	if err != nil {
		return nil, err
	}
	return n.YNode(), nil
}
