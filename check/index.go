package check

import (
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	"sigs.k8s.io/kustomize/kyaml/yaml"

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
	objects     []object
	pods        []Pod
	services    []service
	policies    []policy
	routes      []backendRef // the Service backends of Ingresses and HTTPRoutes
	monitors    []monitor
	podMonitors []podMonitor
	secrets     []secret
	passwords   []password // of ClickHouseInstallation users
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

// index reads nodes for the checks. Every object or field it cannot
// read is an error (all of them, in input order).
func index(nodes []*yaml.RNode) (*input, error) {
	objs, err := objects(nodes)
	if err != nil {
		return nil, err
	}
	var errs inputErrors
	ps, err := pods(objs)
	errs.add(err)
	in := &input{objects: objs, pods: ps, serviceNames: map[nsName]bool{}, sliced: map[nsName]bool{}}
	for _, o := range objs {
		errs.add(in.read(o))
	}
	if len(errs) > 0 {
		return nil, errs
	}
	return in, nil
}

// read indexes what the checks need of o, by its kind.
func (in *input) read(o object) error {
	ns := o.namespace
	switch o.kind {
	case "Service":
		s := service{object: o.String(), ns: ns, labels: o.labels}
		if err := decodeSpec(o, &s.spec); err != nil {
			return err
		}
		in.services = append(in.services, s)
		in.serviceNames[nsName{ns, o.name}] = true
	case "NetworkPolicy":
		p := policy{object: o.String(), ns: ns}
		if err := decodeSpec(o, &p.spec); err != nil {
			return err
		}
		in.policies = append(in.policies, p)
	case "Ingress", "HTTPRoute":
		refs, err := routeBackends(o)
		if err != nil {
			return err
		}
		in.routes = append(in.routes, refs...)
	case promoperator.KindServiceMonitor:
		m := monitor{object: o.String(), ns: ns}
		if err := decodeSpec(o, &m.spec); err != nil {
			return err
		}
		in.monitors = append(in.monitors, m)
	case promoperator.KindPodMonitor:
		m := podMonitor{object: o.String(), ns: ns}
		if err := decodeSpec(o, &m.spec); err != nil {
			return err
		}
		in.podMonitors = append(in.podMonitors, m)
	case "EndpointSlice":
		if svc := o.labels[serviceNameLabel]; svc != "" {
			in.sliced[nsName{ns, svc}] = true
		}
	case "Secret":
		return in.readSecret(o)
	case kindCHI:
		return in.readInstallation(o)
	case certmanager.Kind:
		solver := operatorPod{ns, map[string]string{certmanager.SolverPodLabel: "true"}}
		if o.apiVersion == certmanager.APIVersion && !slices.ContainsFunc(in.operatorPods, func(p operatorPod) bool { return p.ns == ns }) {
			in.operatorPods = append(in.operatorPods, solver)
		}
	}
	return nil
}

// readInstallation indexes the Services the Altinity operator creates
// for a ClickHouseInstallation and its users' password settings.
func (in *input) readInstallation(o object) error {
	names, err := operatorServices(o)
	if err != nil {
		return err
	}
	for _, name := range names {
		in.serviceNames[nsName{o.namespace, name}] = true
	}
	return in.readPasswords(o)
}

// operatorServices are the Service names the Altinity operator creates
// for a ClickHouseInstallation: each service template's generateName
// without macros ({chi}, {cluster}...).
func operatorServices(o object) ([]string, error) {
	tmpls, err := o.root.get(yaml.SequenceNode, "spec", "templates", "serviceTemplates")
	if tmpls == nil {
		return nil, err
	}
	var out []string
	for _, e := range tmpls.elements() {
		name, err := e.str("generateName")
		if err != nil {
			return nil, err
		}
		if name != "" && !strings.Contains(name, "{") {
			out = append(out, name)
		}
	}
	return out, nil
}

// decodeSpec reads the spec of o into v (leniently: fields this version
// of k8s.io/api does not know are no error here).
func decodeSpec(o object, v any) error {
	spec, err := o.root.get(yaml.MappingNode, "spec")
	if spec == nil {
		return err
	}
	return spec.decode(v, false)
}
