package kube

import (
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/novagen/novagen/catalog"
)

// LabelNamespaceName is the label the API server puts on every namespace
// (Kubernetes 1.22+), so a policy can select a namespace by name.
const LabelNamespaceName = "kubernetes.io/metadata.name"

// NetworkPolicy selects pods (all of them for nil) and restricts both
// directions: a nil rule list denies that direction entirely. Every
// generator that makes pods states their network access with it.
func NetworkPolicy(cat *catalog.Catalog, generator, name string, pods map[string]string, in []networkingv1.NetworkPolicyIngressRule, out []networkingv1.NetworkPolicyEgressRule) *networkingv1.NetworkPolicy {
	return &networkingv1.NetworkPolicy{
		TypeMeta:   TypeMeta("networking.k8s.io/v1", "NetworkPolicy"),
		ObjectMeta: Meta(cat, generator, name, ComponentNetworkPolicy),
		Spec: networkingv1.NetworkPolicySpec{
			PodSelector: *Selector(pods),
			PolicyTypes: []networkingv1.PolicyType{networkingv1.PolicyTypeIngress, networkingv1.PolicyTypeEgress},
			Ingress:     in,
			Egress:      out,
		},
	}
}

// Selector matches labels exactly.
func Selector(labels map[string]string) *metav1.LabelSelector {
	return &metav1.LabelSelector{MatchLabels: labels}
}

func policyPorts(port int32, protocols ...corev1.Protocol) []networkingv1.NetworkPolicyPort {
	out := make([]networkingv1.NetworkPolicyPort, len(protocols))
	for i, p := range protocols {
		n := intstr.FromInt32(port)
		out[i] = networkingv1.NetworkPolicyPort{Protocol: &p, Port: &n}
	}
	return out
}

// TCP are TCP ports of a policy rule.
func TCP(ports ...int32) []networkingv1.NetworkPolicyPort {
	var out []networkingv1.NetworkPolicyPort
	for _, p := range ports {
		out = append(out, policyPorts(p, corev1.ProtocolTCP)...)
	}
	return out
}

// DNSEgress reaches the cluster DNS (kube-dns or CoreDNS, both labelled
// k8s-app=kube-dns) on 53, UDP and TCP (TCP for large answers).
func DNSEgress() networkingv1.NetworkPolicyEgressRule {
	return networkingv1.NetworkPolicyEgressRule{
		To: []networkingv1.NetworkPolicyPeer{{
			NamespaceSelector: Selector(map[string]string{LabelNamespaceName: "kube-system"}),
			PodSelector:       Selector(map[string]string{"k8s-app": "kube-dns"}),
		}},
		Ports: policyPorts(53, corev1.ProtocolUDP, corev1.ProtocolTCP),
	}
}

// EgressTo reaches an endpoint's port: pods in the namespace by their
// labels; something outside it (an external component, infrastructure
// not managed here) at its CIDR, at its address when that is an IP, or
// anywhere when the catalog gives neither.
func EgressTo(e catalog.Endpoint) networkingv1.NetworkPolicyEgressRule {
	r := networkingv1.NetworkPolicyEgressRule{Ports: TCP(e.PortNumbers()...)}
	if !e.Outside() {
		r.To = []networkingv1.NetworkPolicyPeer{{PodSelector: Selector(e.PodLabels)}}
		return r
	}
	if cidr := e.EgressCIDR(); cidr != "" {
		r.To = []networkingv1.NetworkPolicyPeer{{IPBlock: &networkingv1.IPBlock{CIDR: cidr}}}
	}
	return r
}

// JobEgressPolicy is the NetworkPolicy name of the pods of a Job (those
// of component): they may reach the servers' ports and DNS, nothing else,
// and accept nothing.
func JobEgressPolicy(cat *catalog.Catalog, generator, name, component string, servers ...catalog.Endpoint) *networkingv1.NetworkPolicy {
	out := make([]networkingv1.NetworkPolicyEgressRule, 0, len(servers)+1)
	for _, s := range servers {
		out = append(out, EgressTo(s))
	}
	return NetworkPolicy(cat, generator, name, JobPodSelector(cat, component), nil, append(out, DNSEgress()))
}

// JobIngressPolicy is the NetworkPolicy name that lets server's pods (in
// the namespace) accept those of a Job (component) on server's port. It
// says nothing about egress (policyTypes Ingress only): the server's own
// policy does. Policies add up, so the server's policy need not know the
// Job.
func JobIngressPolicy(cat *catalog.Catalog, generator, name, component string, server catalog.Endpoint) *networkingv1.NetworkPolicy {
	return IngressFrom(cat, generator, name, server.PodLabels, networkingv1.NetworkPolicyPeer{PodSelector: Selector(JobPodSelector(cat, component))}, server.Port)
}

// IngressFrom is the NetworkPolicy name that lets pods accept peer on
// ports. Like JobIngressPolicy it says nothing about egress.
func IngressFrom(cat *catalog.Catalog, generator, name string, pods map[string]string, peer networkingv1.NetworkPolicyPeer, ports ...int32) *networkingv1.NetworkPolicy {
	p := NetworkPolicy(cat, generator, name, pods, []networkingv1.NetworkPolicyIngressRule{{
		From:  []networkingv1.NetworkPolicyPeer{peer},
		Ports: TCP(ports...),
	}}, nil)
	p.Spec.PolicyTypes = []networkingv1.PolicyType{networkingv1.PolicyTypeIngress}
	return p
}

// PeerIn selects the pods with labels in namespace; one peer, so both
// must match. An empty namespace means this one; no labels, every pod.
func PeerIn(namespace string, labels map[string]string) networkingv1.NetworkPolicyPeer {
	peer := networkingv1.NetworkPolicyPeer{}
	if namespace != "" {
		peer.NamespaceSelector = Selector(map[string]string{LabelNamespaceName: namespace})
	}
	if len(labels) > 0 {
		peer.PodSelector = Selector(labels)
	}
	return peer
}
