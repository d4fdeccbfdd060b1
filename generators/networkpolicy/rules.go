package networkpolicy

import (
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/novagen/novagen/generators/kube"
	"github.com/novagen/novagen/schema"
)

// LabelNamespaceName is the label the API server puts on every namespace
// (Kubernetes 1.22+), so a policy can select a namespace by name.
const LabelNamespaceName = "kubernetes.io/metadata.name"

// policy selects pods (all of them for a nil selector) and restricts both
// directions: a nil rule list denies that direction entirely.
func policy(cat *schema.Catalog, name string, pods map[string]string, in []networkingv1.NetworkPolicyIngressRule, out []networkingv1.NetworkPolicyEgressRule) *networkingv1.NetworkPolicy {
	return &networkingv1.NetworkPolicy{
		TypeMeta:   kube.TypeMeta("networking.k8s.io/v1", "NetworkPolicy"),
		ObjectMeta: kube.Meta(cat, Name, name, ComponentNetworkPolicy),
		Spec: networkingv1.NetworkPolicySpec{
			PodSelector: *selector(pods),
			PolicyTypes: []networkingv1.PolicyType{networkingv1.PolicyTypeIngress, networkingv1.PolicyTypeEgress},
			Ingress:     in,
			Egress:      out,
		},
	}
}

func selector(labels map[string]string) *metav1.LabelSelector {
	return &metav1.LabelSelector{MatchLabels: labels}
}

func ports(port int32, protocols ...corev1.Protocol) []networkingv1.NetworkPolicyPort {
	out := make([]networkingv1.NetworkPolicyPort, len(protocols))
	for i, p := range protocols {
		n := intstr.FromInt32(port)
		out[i] = networkingv1.NetworkPolicyPort{Protocol: &p, Port: &n}
	}
	return out
}

func tcp(port int32) []networkingv1.NetworkPolicyPort { return ports(port, corev1.ProtocolTCP) }

// dnsEgress reaches the cluster DNS (kube-dns or CoreDNS, both labelled
// k8s-app=kube-dns) on 53, UDP and TCP (TCP for large answers).
func dnsEgress() networkingv1.NetworkPolicyEgressRule {
	return networkingv1.NetworkPolicyEgressRule{
		To: []networkingv1.NetworkPolicyPeer{{
			NamespaceSelector: selector(map[string]string{LabelNamespaceName: "kube-system"}),
			PodSelector:       selector(map[string]string{"k8s-app": "kube-dns"}),
		}},
		Ports: ports(53, corev1.ProtocolUDP, corev1.ProtocolTCP),
	}
}

// metricsIngress lets the monitoring pods of cat.Spec.Monitoring scrape a
// service's metrics port; namespace and pod selector in one peer, so
// both must match.
func metricsIngress(cat *schema.Catalog, service string) (networkingv1.NetworkPolicyIngressRule, bool) {
	m := cat.Spec.Monitoring
	svc, ok := cat.Service(service)
	if !ok || (m.Namespace == "" && len(m.PodLabels) == 0) {
		return networkingv1.NetworkPolicyIngressRule{}, false
	}
	peer := networkingv1.NetworkPolicyPeer{}
	if m.Namespace != "" {
		peer.NamespaceSelector = selector(map[string]string{LabelNamespaceName: m.Namespace})
	}
	if len(m.PodLabels) > 0 {
		peer.PodSelector = selector(m.PodLabels)
	}
	return networkingv1.NetworkPolicyIngressRule{From: []networkingv1.NetworkPolicyPeer{peer}, Ports: tcp(svc.Ports.Metrics)}, true
}
