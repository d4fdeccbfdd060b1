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
	out := make([]*yaml.RNode, 0, len(objs))
	for _, o := range objs {
		n, err := node(o)
		if err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	Sort(out)
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

// Sort orders nodes by kind rank, then apiVersion and kind, namespace and
// name.
func Sort(nodes []*yaml.RNode) {
	slices.SortStableFunc(nodes, func(a, b *yaml.RNode) int {
		return cmp.Or(
			cmp.Compare(kindRank(a.GetKind()), kindRank(b.GetKind())),
			cmp.Compare(a.GetApiVersion(), b.GetApiVersion()),
			cmp.Compare(a.GetKind(), b.GetKind()),
			cmp.Compare(a.GetNamespace(), b.GetNamespace()),
			cmp.Compare(a.GetName(), b.GetName()),
		)
	})
}

// Write prints nodes as one multi-document YAML stream, the bytes
// kio.ByteWriter writes. Each document gets an encoder of its own: the
// YAML emitter keeps every event it has seen until it is closed, so one
// encoder over the whole stream would hold the events of every object at
// once (gigabytes at a few thousand services) and copy them as it grows.
func Write(w io.Writer, nodes []*yaml.RNode) error {
	for i, n := range nodes {
		if i > 0 {
			if _, err := io.WriteString(w, "---\n"); err != nil {
				return err
			}
		}
		if err := (kio.ByteWriter{Writer: w}).Write([]*yaml.RNode{n}); err != nil {
			return err
		}
	}
	return nil
}

// Parse reads a multi-document YAML stream into nodes.
func Parse(b []byte) ([]*yaml.RNode, error) { return kio.FromBytes(b) }

// Bytes is Write into memory.
func Bytes(nodes []*yaml.RNode) ([]byte, error) {
	var buf bytes.Buffer
	err := Write(&buf, nodes)
	return buf.Bytes(), err
}
