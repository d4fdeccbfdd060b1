package check

import (
	"fmt"
	"slices"

	corev1 "k8s.io/api/core/v1"
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

type podMonitor struct {
	object string
	ns     string
	spec   promoperator.PodMonitorSpec
}

// checkServiceMonitors: every ServiceMonitor endpoint reaches pods. It
// selects a Service (in its namespaces) with the endpoint's port, and
// where NetworkPolicies isolate the pods behind that Service, one of them
// admits the port: else Prometheus would only ever see the target down.
func checkServiceMonitors(in *input, r *Result) {
	ps := &Policies{in.policies}
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
				for _, p := range in.selected(s) {
					if target, ok := targetPort(*port, p); ok && !ps.admitsAny(PeerOf(p), target) {
						r.add(Fail, m.object, fieldOf("spec.endpoints", i, "port"), "%s port %s reaches %s on %d, which no NetworkPolicy admits", s.object, ep.Port, p.Object, target)
					}
				}
			}
			if !found {
				r.add(Fail, m.object, fieldOf("spec.endpoints", i, "port"), "selects no Service with a port named %q (selector {%s})", ep.Port, sel)
			}
		}
	}
	checkPodMonitors(in, r, ps)
}

// checkPodMonitors: every PodMonitor endpoint (ClickHouse's) names a
// container port of pods its selector picks in its namespace, templates
// of an operator's pods included, and where NetworkPolicies isolate those
// pods, one admits the port.
func checkPodMonitors(in *input, r *Result, ps *Policies) {
	for _, m := range in.podMonitors {
		sel, err := metav1.LabelSelectorAsSelector(&m.spec.Selector)
		if err != nil {
			r.add(Fail, m.object, "spec.selector", "%v", err)
			continue
		}
		for i, ep := range m.spec.PodMetricsEndpoints {
			r.Checked++
			found := false
			for _, p := range in.pods {
				if p.Namespace != m.ns || !sel.Matches(labels.Set(p.Labels)) {
					continue
				}
				port, ok := targetPort(corev1.ServicePort{TargetPort: intstr.FromString(ep.Port)}, p)
				if !ok {
					continue
				}
				found = true
				if !ps.admitsAny(PeerOf(p), port) {
					r.add(Fail, m.object, fieldOf("spec.podMetricsEndpoints", i, "port"), "port %s is %d on %s, which no NetworkPolicy admits", ep.Port, port, p.Where())
				}
			}
			if !found {
				r.add(Fail, m.object, fieldOf("spec.podMetricsEndpoints", i, "port"), "selects no pod with a container port named %q (selector {%s})", ep.Port, sel)
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
