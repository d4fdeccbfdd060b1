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
	"strings"
	"sync"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/kustomize/kyaml/kio"
	"sigs.k8s.io/kustomize/kyaml/kio/kioutil"
	"sigs.k8s.io/kustomize/kyaml/yaml"

	"github.com/novagen/novagen/internal/guard"
	"github.com/novagen/novagen/internal/yamlnode"
	"github.com/novagen/novagen/kobj"
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
func Nodes(objs []kobj.Object) ([]*yaml.RNode, error) {
	out, err := Convert(objs)
	if err != nil {
		return nil, err
	}
	Sort(out)
	return out, nil
}

// Convert converts typed objects to kyaml nodes, in their order. Objects
// convert independently, in batches on every core.
func Convert(objs []kobj.Object) ([]*yaml.RNode, error) {
	out := make([]*yaml.RNode, len(objs))
	err := inOrder(batches(len(objs), nodeBatch), func(b int) (struct{}, error) {
		start, end := batch(b, nodeBatch, len(objs))
		for i := start; i < end; i++ {
			n, err := node(objs[i])
			if err != nil {
				return struct{}{}, err
			}
			out[i] = n
		}
		return struct{}{}, nil
	}, func(struct{}) error { return nil })
	if err != nil {
		return nil, err
	}
	return out, nil
}

// nodeBatch is how many objects a worker of Nodes converts at a time.
const nodeBatch = 64

func node(o kobj.Object) (*yaml.RNode, error) {
	y, err := yamlnode.ToNode(o)
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

// Key is what objects sort by: kind rank, then apiVersion and kind,
// namespace and name.
type Key struct {
	rank                              int
	apiVersion, kind, namespace, name string
}

// NodeKey is n's key.
func NodeKey(n *yaml.RNode) Key {
	return Key{kindRank(n.GetKind()), n.GetApiVersion(), n.GetKind(), n.GetNamespace(), n.GetName()}
}

// ObjectKey is the key of o's node; false if o's type is not read from
// a TypeMeta.
func ObjectKey(o kobj.Object) (Key, bool) {
	tm, ok := o.GetObjectKind().(*metav1.TypeMeta)
	if !ok {
		return Key{}, false
	}
	return Key{kindRank(tm.Kind), tm.APIVersion, tm.Kind, o.GetNamespace(), o.GetName()}, true
}

func (k Key) compare(o Key) int {
	return cmp.Or(
		cmp.Compare(k.rank, o.rank),
		cmp.Compare(k.apiVersion, o.apiVersion),
		cmp.Compare(k.kind, o.kind),
		cmp.Compare(k.namespace, o.namespace),
		cmp.Compare(k.name, o.name),
	)
}

// Sort orders nodes by their keys, stably.
func Sort(nodes []*yaml.RNode) {
	sortByKey(nodes, NodeKey)
}

// SortObjects orders objects as Sort orders their nodes and returns their
// keys, in the new order; false (objs as they were) if some object's key
// cannot be known before its node.
func SortObjects(objs []kobj.Object) ([]Key, bool) {
	for _, o := range objs {
		if _, ok := ObjectKey(o); !ok {
			return nil, false
		}
	}
	return sortByKey(objs, func(o kobj.Object) Key { k, _ := ObjectKey(o); return k }), true
}

// sortByKey sorts s stably by key, each computed once, and returns the
// keys in the new order.
func sortByKey[T any](s []T, key func(T) Key) []Key {
	type keyed struct {
		k Key
		v T
	}
	ks := make([]keyed, len(s))
	for i, v := range s {
		ks[i] = keyed{key(v), v}
	}
	slices.SortStableFunc(ks, func(a, b keyed) int { return a.k.compare(b.k) })
	keys := make([]Key, len(s))
	for i, kv := range ks {
		s[i], keys[i] = kv.v, kv.k
	}
	return keys
}

// Write prints nodes as one multi-document YAML stream, the bytes
// kio.ByteWriter writes. Documents the emitter prints (everything novagen
// generates) go through it; any other (comments, anchors, annotations
// kio.ByteWriter acts on...) through kio.ByteWriter itself, with an
// encoder of its own: the YAML emitter keeps every event it has seen
// until it is closed, so one encoder over the whole stream would hold the
// events of every object at once. Batches of documents print on every
// core, and are written in order.
func Write(w io.Writer, nodes []*yaml.RNode) error {
	return (&Writer{W: w}).Write(nodes)
}

// Writer prints a stream as Write does, a slice of documents at a time.
type Writer struct {
	W    io.Writer
	docs int // documents printed so far
}

// Write prints nodes after the documents printed before.
func (w *Writer) Write(nodes []*yaml.RNode) error {
	err := inOrder(batches(len(nodes), writeBatch), func(b int) (*emitter, error) {
		e := emitters.Get().(*emitter)
		start, end := batch(b, writeBatch, len(nodes))
		for i := start; i < end; i++ {
			if w.docs+i > 0 {
				e.buf = append(e.buf, "---\n"...)
			}
			if !e.resource(nodes[i]) {
				if err := (kio.ByteWriter{Writer: e}).Write([]*yaml.RNode{nodes[i]}); err != nil {
					return nil, err
				}
			}
		}
		return e, nil
	}, func(e *emitter) error {
		err := e.flush(w.W)
		emitters.Put(e)
		return err
	})
	w.docs += len(nodes)
	return err
}

// writeBatch is how many documents a worker of Write prints at a time.
const writeBatch = 32

// emitters are emitters with their buffers, for Write's batches.
var emitters = sync.Pool{New: func() any { return &emitter{buf: make([]byte, 0, flushSize)} }}

// Write appends p to the output, for kio.ByteWriter.
func (e *emitter) Write(p []byte) (int, error) {
	e.buf = append(e.buf, p...)
	return len(p), nil
}

// flushSize is how much output the emitter collects before writing it.
const flushSize = 64 << 10

func (e *emitter) flush(w io.Writer) error {
	if len(e.buf) == 0 {
		return nil
	}
	_, err := w.Write(e.buf)
	e.buf = e.buf[:0]
	return err
}

// resource prints n as kio.ByteWriter does, if kio.ByteWriter would
// print it as it is and the emitter can; else it reports false.
func (e *emitter) resource(n *yaml.RNode) bool {
	if n == nil || n.Document() == nil {
		return false
	}
	d := n.Document()
	if d.Kind == yaml.DocumentNode && len(d.Content) != 1 {
		return false
	}
	return unchanged(n.YNode(), false) && e.document(d)
}

// unchanged: kio.ByteWriter prints root as it is. It clears empty
// metadata and annotations, and unless keep the reader annotations; some
// of those change how it prints (a sequence indentation, a .json path).
func unchanged(root *yaml.Node, keep bool) bool {
	if root.Kind != yaml.MappingNode {
		return false
	}
	meta, ok := field(root, yaml.MetadataField)
	if !ok {
		return false
	}
	if wrapped, _ := field(root, yaml.BareSeqNodeWrappingKey); wrapped != nil {
		return false
	}
	if meta == nil {
		return true
	}
	annotations, ok := field(meta, yaml.AnnotationsField)
	if !ok || meta.Kind != yaml.MappingNode || len(meta.Content) == 0 {
		return false
	}
	if annotations == nil {
		return true
	}
	if annotations.Kind != yaml.MappingNode || len(annotations.Content) == 0 {
		return false
	}
	for i := 0; i < len(annotations.Content) && !keep; i += 2 {
		k := annotations.Content[i].Value
		if strings.HasPrefix(k, "internal.config.kubernetes.io/") || k == kioutil.LegacyIndexAnnotation || k == kioutil.LegacyPathAnnotation {
			return false
		}
	}
	return true
}

// field is the value of key in mapping m (nil if none); not ok if the key
// appears more than once.
func field(m *yaml.Node, key string) (*yaml.Node, bool) {
	var v *yaml.Node
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			if v != nil {
				return nil, false
			}
			v = m.Content[i+1]
		}
	}
	return v, true
}

// Parse reads a multi-document YAML stream into nodes through the guard
// (every node's line is the stream's, aliases are expanded within the
// guard's budget); what the documents hold is the caller's to judge.
func Parse(b []byte) ([]*yaml.RNode, error) { return guard.Documents("<input>", b) }

// Bytes is Write into memory.
func Bytes(nodes []*yaml.RNode) ([]byte, error) {
	var buf bytes.Buffer
	err := Write(&buf, nodes)
	return buf.Bytes(), err
}
