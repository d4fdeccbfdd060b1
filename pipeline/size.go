package pipeline

import (
	"fmt"
	"strings"

	"sigs.k8s.io/kustomize/kyaml/yaml"

	"github.com/novagen/novagen/catalog"
	"github.com/novagen/novagen/generators/kube"
)

// MaxObjectBytes is the most YAML one generated object may take: half
// the 1 MiB a ConfigMap or Secret may hold (and etcd is meant for), so
// an overlay's additions and the API server's own fields still fit.
// Every generator splits what grows with the catalog and the loader
// limits the lists that still drive one object, so this is a guard
// against a bug or a limit missed, not a rule a catalog should meet.
// Objects between 256 KiB and this render: they apply with server-side
// apply, and `novagen check` warns (Argo CD's client-side apply stores
// the object in a 256 KiB annotation).
const MaxObjectBytes = 512 << 10

// checkSize fails on a generated object over MaxObjectBytes, naming it,
// its generator and the catalog part it belongs to. An upper estimate
// of its YAML decides whether to serialize it to measure exactly, so
// the render serializes almost nothing twice.
func checkSize(cat *catalog.Catalog, n *yaml.RNode) error {
	if estimate(n.YNode(), 0) <= MaxObjectBytes/2 {
		return nil
	}
	text, err := n.String()
	if err != nil {
		return err
	}
	if len(text) <= MaxObjectBytes {
		return nil
	}
	gen := n.GetAnnotations()[kube.AnnotationGenerator]
	return fmt.Errorf("generator %s: %s/%s is %d bytes of YAML, more than the %d (512 KiB) an object may take%s: this is a bug of the generator (please report it)",
		gen, n.GetKind(), n.GetName(), len(text), MaxObjectBytes, catalogPart(cat, n))
}

// catalogPart names the catalog entry an object belongs to, when it
// belongs to one: ", from services[3] (auth-service)".
func catalogPart(cat *catalog.Catalog, n *yaml.RNode) string {
	owner, ok := n.GetAnnotations()[kube.AnnotationNode]
	if !ok {
		owner = n.GetLabels()[kube.LabelName]
	}
	for i := range cat.Spec.Services {
		if cat.Spec.Services[i].Name == owner {
			return fmt.Sprintf(", from services[%d] (%s)", i, owner)
		}
	}
	if _, ok := cat.Component(owner); ok {
		return fmt.Sprintf(", from infrastructure.%s", owner)
	}
	return ""
}

// estimate is more than the YAML of n at depth takes: every scalar,
// key and line with a generous indentation and punctuation.
func estimate(n *yaml.Node, depth int) int {
	line := 2*depth + 4
	size := len(n.Value) + line + strings.Count(n.Value, "\n")*line
	for _, c := range n.Content {
		size += estimate(c, depth+1)
	}
	return size
}
