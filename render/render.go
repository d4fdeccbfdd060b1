// Package render turns generated objects into YAML, once, at the edge:
// a stable object order, deterministic field order, nothing that varies
// between runs. The CLI and the KRM function both go through it, so they
// cannot disagree.
package render

import (
	"bytes"
	"cmp"
	"fmt"
	"io"
	"slices"

	"sigs.k8s.io/kustomize/kyaml/kio"
	"sigs.k8s.io/kustomize/kyaml/yaml"

	"github.com/novagen/novagen/generators/kube"
)

// kindOrder puts objects in the order a person reads an environment and
// the order kubectl can apply it in: namespaces and credentials first,
// workloads after their configuration.
var kindOrder = []string{
	"Namespace",
	"CustomResourceDefinition",
	"ClusterSecretStore",
	"SecretStore",
	"ExternalSecret",
	"ServiceAccount",
	"Role",
	"ClusterRole",
	"RoleBinding",
	"ClusterRoleBinding",
	"ConfigMap",
	"Secret",
	"Service",
	"EndpointSlice",
	"PersistentVolumeClaim",
	"Deployment",
	"StatefulSet",
	"Job",
	"CronJob",
	"PodDisruptionBudget",
	"NetworkPolicy",
}

func kindRank(kind string) int {
	if i := slices.Index(kindOrder, kind); i >= 0 {
		return i
	}
	return len(kindOrder)
}

// Nodes converts typed objects to kyaml nodes, sorted.
func Nodes(objs []kube.Object) ([]*yaml.RNode, error) {
	out, err := NodesInOrder(objs)
	if err != nil {
		return nil, err
	}
	Sort(out)
	return out, nil
}

// NodesInOrder converts typed objects to kyaml nodes, in their order.
func NodesInOrder(objs []kube.Object) ([]*yaml.RNode, error) {
	out := make([]*yaml.RNode, 0, len(objs))
	for _, o := range objs {
		n, err := node(o)
		if err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return out, nil
}

func node(o kube.Object) (*yaml.RNode, error) {
	y, err := ToNode(o)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", o.GetObjectKind().GroupVersionKind().Kind, o.GetName(), err)
	}
	n := yaml.NewRNode(y)
	// Typed structs always carry an empty status (and some an empty
	// spec, a Namespace's); generated objects have nothing to say there.
	if err := n.PipeE(yaml.Clear("status")); err != nil {
		return nil, err
	}
	if spec := n.Field("spec"); spec != nil && spec.Value.YNode().Kind == yaml.MappingNode && len(spec.Value.YNode().Content) == 0 {
		if err := n.PipeE(yaml.Clear("spec")); err != nil {
			return nil, err
		}
	}
	return n, nil
}

// sortKey is what the render order compares: kind rank, then apiVersion
// and kind, namespace and name.
type sortKey struct {
	rank                              int
	apiVersion, kind, namespace, name string
}

func compareKeys(a, b sortKey) int {
	return cmp.Or(
		cmp.Compare(a.rank, b.rank),
		cmp.Compare(a.apiVersion, b.apiVersion),
		cmp.Compare(a.kind, b.kind),
		cmp.Compare(a.namespace, b.namespace),
		cmp.Compare(a.name, b.name),
	)
}

func nodeKey(n *yaml.RNode) sortKey {
	return sortKey{kindRank(n.GetKind()), n.GetApiVersion(), n.GetKind(), n.GetNamespace(), n.GetName()}
}

func objectKey(o kube.Object) sortKey {
	gvk := o.GetObjectKind().GroupVersionKind()
	apiVersion, kind := gvk.ToAPIVersionAndKind()
	return sortKey{kindRank(kind), apiVersion, kind, o.GetNamespace(), o.GetName()}
}

// Sort orders nodes by kind rank, then apiVersion and kind, namespace and
// name.
func Sort(nodes []*yaml.RNode) {
	slices.SortStableFunc(nodes, func(a, b *yaml.RNode) int { return compareKeys(nodeKey(a), nodeKey(b)) })
}

// SortObjects orders typed objects as Sort orders their nodes, so objects
// can be converted and printed one at a time, already in order.
func SortObjects(objs []kube.Object) {
	slices.SortStableFunc(objs, func(a, b kube.Object) int { return compareKeys(objectKey(a), objectKey(b)) })
}

// Write prints nodes as one multi-document YAML stream, the bytes
// kio.ByteWriter writes. Each document gets an encoder of its own: the
// YAML emitter keeps every event it has seen until it is closed, so one
// encoder over the whole stream would hold the events of every object at
// once (gigabytes at a few thousand services) and copy them as it grows.
func Write(w io.Writer, nodes []*yaml.RNode) error {
	p := NewPrinter(w)
	for _, n := range nodes {
		if err := p.Print(n); err != nil {
			return err
		}
	}
	return nil
}

// Printer prints nodes one at a time as Write prints them all, for
// output that is produced as it is printed (pipeline.Stream).
type Printer struct {
	w       io.Writer
	printed bool
}

// NewPrinter prints to w.
func NewPrinter(w io.Writer) *Printer { return &Printer{w: w} }

// Print writes n as the next document of the stream.
func (p *Printer) Print(n *yaml.RNode) error {
	if p.printed {
		if _, err := io.WriteString(p.w, "---\n"); err != nil {
			return err
		}
	}
	p.printed = true
	return (kio.ByteWriter{Writer: p.w}).Write([]*yaml.RNode{n})
}

// Parse reads a multi-document YAML stream into nodes.
func Parse(b []byte) ([]*yaml.RNode, error) { return kio.FromBytes(b) }

// Bytes is Write into memory.
func Bytes(nodes []*yaml.RNode) ([]byte, error) {
	var buf bytes.Buffer
	err := Write(&buf, nodes)
	return buf.Bytes(), err
}
