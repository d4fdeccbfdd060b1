package check

import (
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"strings"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/util/intstr"
	"sigs.k8s.io/kustomize/kyaml/yaml"

	"github.com/novagen/novagen/generators/scripts"
	"github.com/novagen/novagen/naming"
)

// Peer is a pod as NetworkPolicies see it: its namespace and labels. The
// namespace's own labels are taken to be kubernetes.io/metadata.name
// only, which every namespace has.
type Peer struct {
	Namespace string
	Labels    map[string]string
}

// Policies are the rendered NetworkPolicies, to ask what they let
// through.
type Policies struct{ list []policy }

// NewPolicies indexes the NetworkPolicies among nodes.
func NewPolicies(nodes []*yaml.RNode) (*Policies, error) {
	in, err := index(nodes)
	if err != nil {
		return nil, err
	}
	return &Policies{in.policies}, nil
}

// Allows says whether a TCP connection from src to port of dst passes
// both dst's ingress and src's egress policies (Kubernetes semantics: a
// pod no policy of a direction selects is open in that direction).
func (ps *Policies) Allows(src, dst Peer, port int32) bool {
	return ps.admits(dst, src, port, networkingv1.PolicyTypeIngress) && ps.admits(src, dst, port, networkingv1.PolicyTypeEgress)
}

// admits: the policies of direction dir that select pod allow traffic
// with other on port (or none selects pod).
func (ps *Policies) admits(pod, other Peer, port int32, dir networkingv1.PolicyType) bool {
	return ps.allow(pod, port, dir, func(peers []networkingv1.NetworkPolicyPeer, ns string) bool {
		return peersMatch(peers, ns, other)
	})
}

// allow is the one evaluation every question shares: pod is open in
// direction dir on port when no policy of that direction selects it, or
// when a rule of one that does matches port and its peers satisfy
// peersOK (the rule's from or to, and the policy's namespace).
func (ps *Policies) allow(pod Peer, port int32, dir networkingv1.PolicyType, peersOK func([]networkingv1.NetworkPolicyPeer, string) bool) bool {
	isolated := false
	for _, p := range ps.list {
		if p.ns != pod.Namespace || !hasType(p.spec, dir) || !selects(&p.spec.PodSelector, pod.Labels) {
			continue
		}
		isolated = true
		if dir == networkingv1.PolicyTypeIngress {
			for _, r := range p.spec.Ingress {
				if portsMatch(r.Ports, port) && peersOK(r.From, p.ns) {
					return true
				}
			}
		} else {
			for _, r := range p.spec.Egress {
				if portsMatch(r.Ports, port) && peersOK(r.To, p.ns) {
					return true
				}
			}
		}
	}
	return !isolated
}

// admitsAny says whether pod's ingress policies let anyone in on port.
func (ps *Policies) admitsAny(pod Peer, port int32) bool {
	return ps.allow(pod, port, networkingv1.PolicyTypeIngress, func([]networkingv1.NetworkPolicyPeer, string) bool { return true })
}

// hasType: policyTypes, or when it is empty Ingress always and Egress
// when the policy has egress rules.
func hasType(s networkingv1.NetworkPolicySpec, dir networkingv1.PolicyType) bool {
	if len(s.PolicyTypes) > 0 {
		return slices.Contains(s.PolicyTypes, dir)
	}
	return dir == networkingv1.PolicyTypeIngress || len(s.Egress) > 0
}

func selects(sel *metav1.LabelSelector, set map[string]string) bool {
	s, err := metav1.LabelSelectorAsSelector(sel)
	return err == nil && s.Matches(labels.Set(set))
}

// portsMatch: no ports means every port; a named port never matches a
// number here (novagen's policies use numbers).
func portsMatch(ports []networkingv1.NetworkPolicyPort, port int32) bool {
	if len(ports) == 0 {
		return true
	}
	for _, p := range ports {
		if p.Protocol != nil && *p.Protocol != corev1.ProtocolTCP {
			continue
		}
		switch {
		case p.Port == nil:
			return true
		case p.Port.Type == intstr.Int && p.EndPort != nil:
			if port >= p.Port.IntVal && port <= *p.EndPort {
				return true
			}
		case p.Port.Type == intstr.Int && p.Port.IntVal == port:
			return true
		}
	}
	return false
}

// peersMatch: no peers means every source or destination. A pod
// selector alone means the policy's namespace; an ipBlock matches pods
// only when it is the whole address space.
func peersMatch(peers []networkingv1.NetworkPolicyPeer, ns string, pod Peer) bool {
	if len(peers) == 0 {
		return true
	}
	for _, p := range peers {
		if p.IPBlock != nil {
			if pfx, err := netip.ParsePrefix(p.IPBlock.CIDR); err == nil && pfx.Bits() == 0 && len(p.IPBlock.Except) == 0 {
				return true
			}
			continue
		}
		inNS := pod.Namespace == ns
		if p.NamespaceSelector != nil {
			inNS = selects(p.NamespaceSelector, map[string]string{namespaceNameLabel: pod.Namespace})
		}
		if inNS && (p.PodSelector == nil || selects(p.PodSelector, pod.Labels)) {
			return true
		}
	}
	return false
}

// Wait is one wait-for container: the pod it holds back, and the Service
// and port it dials.
type Wait struct {
	Pod       Pod
	Container string
	Service   string // the Service's name, in the pod's namespace
	Port      int32
}

// Waits lists the wait-for containers of pods that name a Service host
// and a numeric port (WAIT_HOST, WAIT_PORT).
func Waits(pods []Pod) []Wait {
	var out []Wait
	for _, p := range pods {
		for _, c := range p.Spec.InitContainers {
			if !strings.HasPrefix(c.Name, naming.WaitContainerPrefix) {
				continue
			}
			w := Wait{Pod: p, Container: c.Name}
			for _, e := range c.Env {
				switch e.Name {
				case scripts.EnvHost:
					w.Service = strings.SplitN(e.Value, ".", 2)[0]
				case scripts.EnvPort:
					if n, err := strconv.ParseInt(e.Value, 10, 32); err == nil {
						w.Port = int32(n)
					}
				}
			}
			if w.Service != "" && w.Port != 0 {
				out = append(out, w)
			}
		}
	}
	return out
}

// backends returns the pods behind Service name of ns on port (the
// Service port) and the container port it forwards to, resolved per pod
// for a named targetPort; none for a Service without selector (its
// endpoints run outside) or port.
func (in *input) backends(ns, name string, port int32) (pods []Pod, targets []int32) {
	for _, s := range in.services {
		if s.ns != ns || s.object != "Service/"+name || len(s.spec.Selector) == 0 {
			continue
		}
		for _, sp := range s.spec.Ports {
			if sp.Port != port {
				continue
			}
			for _, p := range in.selected(s) {
				if t, ok := targetPort(sp, p); ok {
					pods, targets = append(pods, p), append(targets, t)
				}
			}
		}
	}
	return pods, targets
}

// selected are the pods Service s selects (none without a selector).
func (in *input) selected(s service) []Pod {
	if len(s.spec.Selector) == 0 {
		return nil
	}
	sel := labels.SelectorFromSet(s.spec.Selector)
	var out []Pod
	for _, p := range in.pods {
		if p.Namespace == s.ns && sel.Matches(labels.Set(p.Labels)) {
			out = append(out, p)
		}
	}
	return out
}

// targetPort is the container port of pod that Service port sp reaches.
func targetPort(sp corev1.ServicePort, pod Pod) (int32, bool) {
	switch {
	case sp.TargetPort.Type == intstr.String && sp.TargetPort.StrVal != "":
		for _, c := range pod.Spec.Containers {
			for _, cp := range c.Ports {
				if cp.Name == sp.TargetPort.StrVal {
					return cp.ContainerPort, true
				}
			}
		}
		return 0, false
	case sp.TargetPort.IntVal != 0:
		return sp.TargetPort.IntVal, true
	}
	return sp.Port, true
}

// PeerOf is how policies see pod.
func PeerOf(p Pod) Peer { return Peer{Namespace: p.Namespace, Labels: p.Labels} }

// checkReachability: every wait-for container's pod can reach, through
// the rendered NetworkPolicies, every pod behind the Service it waits for
// on that port, else it waits until it gives up; and every pod behind an
// Ingress or HTTPRoute backend admits some pod of another namespace (the
// controller's, whom the output does not name) on its port, else the
// route answers 503.
func checkReachability(in *input, r *Result) {
	ps := &Policies{in.policies}
	for _, b := range in.routes {
		pods, targets := in.backends(b.ns, b.service, b.port)
		if len(pods) == 0 {
			continue // service-selectors speaks for a Service without pods
		}
		r.Checked++
		for i, dst := range pods {
			if !ps.admitsOutside(PeerOf(dst), targets[i]) {
				r.add(Fail, b.object, b.field, "routes to Service %q port %d, but the NetworkPolicies of %s admit no pod from outside namespace %s on port %d",
					b.service, b.port, dst.Where(), b.ns, targets[i])
			}
		}
	}
	for _, w := range Waits(in.pods) {
		pods, targets := in.backends(w.Pod.Namespace, w.Service, w.Port)
		if len(pods) == 0 {
			continue // outside the namespace, or no such Service: wait-for-targets says so
		}
		r.Checked++
		for i, dst := range pods {
			if !ps.Allows(PeerOf(w.Pod), PeerOf(dst), targets[i]) {
				r.add(Fail, w.Pod.Object, w.Pod.Path+".initContainers["+w.Container+"]",
					"waits for Service %q on port %d, but the NetworkPolicies block it from %s (port %d)", w.Service, w.Port, dst.Where(), targets[i])
			}
		}
	}
}

// admitsOutside says whether pod's ingress policies let some pod of
// another namespace in on port: a rule without sources, or with a
// namespace selector or an ipBlock (whose pods the output cannot name).
func (ps *Policies) admitsOutside(pod Peer, port int32) bool {
	return ps.allow(pod, port, networkingv1.PolicyTypeIngress, func(from []networkingv1.NetworkPolicyPeer, _ string) bool {
		return len(from) == 0 || slices.ContainsFunc(from, func(f networkingv1.NetworkPolicyPeer) bool {
			return f.IPBlock != nil || f.NamespaceSelector != nil && !selects(f.NamespaceSelector, map[string]string{namespaceNameLabel: pod.Namespace})
		})
	})
}

// namespaceNameLabel is the label every namespace has: its name.
const namespaceNameLabel = "kubernetes.io/metadata.name"

// backendRef is one backend of a rendered Ingress or HTTPRoute.
type backendRef struct {
	object, field, ns, service string
	port                       int32
}

// routeSpec reads the backends of an Ingress (rules[].http.paths[]) and of
// an HTTPRoute (rules[].backendRefs[]) alike.
type routeSpec struct {
	Rules []struct {
		HTTP *struct {
			Paths []struct {
				Backend struct {
					Service *struct {
						Name string `json:"name"`
						Port struct {
							Number int32 `json:"number"`
						} `json:"port"`
					} `json:"service"`
				} `json:"backend"`
			} `json:"paths"`
		} `json:"http"`
		BackendRefs []struct {
			Kind *string `json:"kind"`
			Name string  `json:"name"`
			Port int32   `json:"port"`
		} `json:"backendRefs"`
	} `json:"rules"`
}

// routeBackends lists the Service backends of an Ingress or HTTPRoute o
// (in o's namespace; a numbered port: named ports are not followed).
func routeBackends(o object) ([]backendRef, error) {
	var spec routeSpec
	if err := decodeSpec(o, &spec); err != nil {
		return nil, err
	}
	var out []backendRef
	for i, r := range spec.Rules {
		if r.HTTP != nil {
			for j, p := range r.HTTP.Paths {
				if s := p.Backend.Service; s != nil && s.Port.Number != 0 {
					out = append(out, backendRef{o.String(), fmt.Sprintf("spec.rules[%d].http.paths[%d].backend", i, j), o.namespace, s.Name, s.Port.Number})
				}
			}
		}
		for j, b := range r.BackendRefs {
			if (b.Kind == nil || *b.Kind == "Service") && b.Port != 0 {
				out = append(out, backendRef{o.String(), fmt.Sprintf("spec.rules[%d].backendRefs[%d]", i, j), o.namespace, b.Name, b.Port})
			}
		}
	}
	return out, nil
}
