package check

import (
	"fmt"
	"slices"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/novagen/novagen/generators/kube/promoperator"
)

type monitor struct {
	object string
	ns     string
	spec   promoperator.ServiceMonitorSpec
}

// checkServiceMonitors: every ServiceMonitor endpoint reaches pods. It
// selects a Service (in its namespaces) with the endpoint's port, and
// where NetworkPolicies isolate the pods behind that Service, one of them
// admits the port: else Prometheus would only ever see the target down.
func checkServiceMonitors(in *input, r *Result) {
	for _, m := range in.monitors {
		sel, err := metav1.LabelSelectorAsSelector(&m.spec.Selector)
		if err != nil {
			r.add(Fail, m.object, "spec.selector", "%v", err)
			continue
		}
		var namespaces []string
		if ns := m.spec.NamespaceSelector; ns != nil {
			namespaces = ns.MatchNames
		}
		if len(namespaces) == 0 {
			namespaces = []string{m.ns}
		}
		for i, ep := range m.spec.Endpoints {
			r.Checked++
			found := false
			for _, s := range in.services {
				port := servicePort(s.spec, ep.Port)
				if !slices.Contains(namespaces, s.ns) || !sel.Matches(labels.Set(s.labels)) || port == nil {
					continue
				}
				found = true
				for _, p := range in.pods {
					if p.Namespace != s.ns || len(s.spec.Selector) == 0 || !labels.SelectorFromSet(s.spec.Selector).Matches(labels.Set(p.Labels)) {
						continue
					}
					if target, ok := targetPort(*port, p); ok && !in.admits(p, target) {
						r.add(Fail, m.object, fieldOf("spec.endpoints", i, "port"), "%s port %s reaches %s on %d, which no NetworkPolicy admits", s.object, ep.Port, p.Object, target)
					}
				}
			}
			if !found {
				r.add(Fail, m.object, fieldOf("spec.endpoints", i, "port"), "selects no Service with a port named %q (selector {%s})", ep.Port, sel)
			}
		}
	}
}

func fieldOf(list string, i int, field string) string {
	return fmt.Sprintf("%s[%d].%s", list, i, field)
}

func servicePort(s corev1.ServiceSpec, name string) *corev1.ServicePort {
	for i := range s.Ports {
		if s.Ports[i].Name == name {
			return &s.Ports[i]
		}
	}
	return nil
}

// admits says whether traffic may reach pod p on port: no NetworkPolicy
// isolates its ingress, or one of those that do has a rule for the port.
func (in *input) admits(p Pod, port int32) bool {
	isolated := false
	for _, np := range in.policies {
		sel, err := metav1.LabelSelectorAsSelector(&np.spec.PodSelector)
		if err != nil || np.ns != p.Namespace || !sel.Matches(labels.Set(p.Labels)) || !isolatesIngress(np.spec) {
			continue
		}
		isolated = true
		for _, rule := range np.spec.Ingress {
			if len(rule.Ports) == 0 || slices.ContainsFunc(rule.Ports, func(pp networkingv1.NetworkPolicyPort) bool {
				return pp.Port == nil || pp.Port.Type == intstr.Int && pp.Port.IntVal == port
			}) {
				return true
			}
		}
	}
	return !isolated
}

// isolatesIngress: a policy without policyTypes isolates ingress.
func isolatesIngress(s networkingv1.NetworkPolicySpec) bool {
	return len(s.PolicyTypes) == 0 || slices.Contains(s.PolicyTypes, networkingv1.PolicyTypeIngress)
}
