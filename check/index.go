package check

import (
	"fmt"
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	"sigs.k8s.io/kustomize/kyaml/yaml"
	sigsyaml "sigs.k8s.io/yaml"

	"github.com/novagen/novagen/generators/kube/certmanager"
	"github.com/novagen/novagen/generators/kube/promoperator"
)

// serviceNameLabel ties an EndpointSlice to its Service.
const serviceNameLabel = "kubernetes.io/service-name"

// nsName is a namespaced name; objects without a namespace share "".
type nsName struct{ ns, name string }

type service struct {
	object string
	ns     string
	labels map[string]string
	spec   corev1.ServiceSpec
}

type policy struct {
	object string
	ns     string
	spec   networkingv1.NetworkPolicySpec
}

// input is the rendered output, indexed once for every check.
type input struct {
	nodes    []*yaml.RNode
	pods     []Pod
	services []service
	policies []policy
	routes   []backendRef // the Service backends of Ingresses and HTTPRoutes
	monitors []monitor
	// serviceNames are the Services that will exist: rendered ones and
	// those an operator creates (a ClickHouseInstallation's service
	// templates with a literal generateName).
	serviceNames map[nsName]bool
	sliced       map[nsName]bool // Services an EndpointSlice names
	// operatorPods are pods an operator runs that the input has no
	// template of: cert-manager's HTTP-01 solver pods, in the namespace
	// of a Certificate, while it is being issued.
	operatorPods []operatorPod
}

// operatorPod is the namespace and labels of pods an operator runs.
type operatorPod struct {
	ns     string
	labels map[string]string
}

func index(nodes []*yaml.RNode) (*input, error) {
	pods, err := Pods(nodes)
	if err != nil {
		return nil, err
	}
	in := &input{nodes: nodes, pods: pods, serviceNames: map[nsName]bool{}, sliced: map[nsName]bool{}}
	for _, n := range nodes {
		ns := n.GetNamespace()
		switch n.GetKind() {
		case "Service":
			s := service{object: objectName(n), ns: ns, labels: n.GetLabels()}
			if err := decode(n, "spec", &s.spec); err != nil {
				return nil, err
			}
			in.services = append(in.services, s)
			in.serviceNames[nsName{ns, n.GetName()}] = true
		case "NetworkPolicy":
			p := policy{object: objectName(n), ns: ns}
			if err := decode(n, "spec", &p.spec); err != nil {
				return nil, err
			}
			in.policies = append(in.policies, p)
		case "Ingress", "HTTPRoute":
			refs, err := routeBackends(n)
			if err != nil {
				return nil, err
			}
			in.routes = append(in.routes, refs...)
		case promoperator.KindServiceMonitor:
			m := monitor{object: objectName(n), ns: ns}
			if err := decode(n, "spec", &m.spec); err != nil {
				return nil, err
			}
			in.monitors = append(in.monitors, m)
		case "EndpointSlice":
			if svc := n.GetLabels()[serviceNameLabel]; svc != "" {
				in.sliced[nsName{ns, svc}] = true
			}
		case kindCHI:
			for _, name := range operatorServices(n) {
				in.serviceNames[nsName{ns, name}] = true
			}
		case certmanager.Kind:
			solver := operatorPod{ns, map[string]string{certmanager.SolverPodLabel: "true"}}
			if n.GetApiVersion() == certmanager.APIVersion && !slices.ContainsFunc(in.operatorPods, func(p operatorPod) bool { return p.ns == ns }) {
				in.operatorPods = append(in.operatorPods, solver)
			}
		}
	}
	return in, nil
}

// operatorServices are the Service names the Altinity operator creates
// for a ClickHouseInstallation: each service template's generateName
// without macros ({chi}, {cluster}...).
func operatorServices(n *yaml.RNode) []string {
	tmpls, err := n.Pipe(yaml.Lookup("spec", "templates", "serviceTemplates"))
	if err != nil || tmpls == nil {
		return nil
	}
	elems, _ := tmpls.Elements()
	var out []string
	for _, e := range elems {
		f := e.Field("generateName")
		if f == nil {
			continue
		}
		if name := yaml.GetValue(f.Value); name != "" && !strings.Contains(name, "{") {
			out = append(out, name)
		}
	}
	return out
}

// decode reads the field of n into v (leniently: fields this version of
// k8s.io/api does not know are no error here).
func decode(n *yaml.RNode, field string, v any) error {
	f, err := n.Pipe(yaml.Lookup(field))
	if err != nil || f == nil {
		return nil
	}
	s, err := f.String()
	if err == nil {
		err = sigsyaml.Unmarshal([]byte(s), v)
	}
	if err != nil {
		return fmt.Errorf("%s: %s: %w", objectName(n), field, err)
	}
	return nil
}

func objectName(n *yaml.RNode) string { return n.GetKind() + "/" + n.GetName() }
