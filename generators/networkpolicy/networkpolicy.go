// Package networkpolicy is the generator network-policies: its description
// in the registry (generators/registry.go; novagen generators prints it)
// says what it emits, and this is the detail:
//
//   - <service>: egress to each dependency's port and DNS; ingress on the
//     serving port (gRPC or HTTP) from the services that depend on it, on
//     the metrics port from the monitoring pods, and for an exposed
//     service on its serving port from the ingress controller's pods
//     (spec.ingress.controller); with tracing on, egress to the
//     collector's OTLP port too (the managed collector's policy, from
//     generator tracing, admits every service pod);
//   - <infrastructure> (postgres, redis, zookeeper, kafka, clickhouse) that
//     novagen runs: ingress on its port from whatever depends on it (for
//     postgres also every database-owning service and the init Jobs, for
//     kafka also every producer and consumer of a topic), among its own
//     pods on any port (cluster bus, replication, controller quorum),
//     egress to its own dependencies (kafka to zookeeper) and DNS; with
//     monitoring, also ingress from its exporter (catalog.Exporters), and
//     for clickhouse, which serves its own metrics, on its metrics port
//     from the monitoring pods;
//   - <component>-exporter: ingress on its metrics port from the
//     monitoring pods, egress to its component's client ports and DNS.
//
// A service reaches postgres when it owns a database and kafka when it
// produces or consumes a topic, whether or not it waits for them.
//
// Each policy is named after the node it protects and carries its
// app.kubernetes.io/name, so it takes that node's place in the startup
// order. The namespace's default-deny comes with the Namespace (generator
// namespace), and each Job generator states its own pods' access.
//
// Policies are additive: anything the catalog does not know about (a
// backup Job) needs a policy of its own next to these.
//
// Fan-in stays bounded: a node with more than MaxListedClients service
// clients admits every service pod of the catalog (kube.GRPCPodSelector)
// on its port instead of listing each client, so its policy is the same
// size at 10 services or 10 000. A connection needs both the ingress of
// its target and the egress of its source, and every service pod's own
// policy allows egress only to what it reaches, so the connections
// allowed stay exactly those the graph declares (check/reach_test.go
// proves it on the rendered policies); a pod that is no catalog service
// is still let in by neither rule.
package networkpolicy

import (
	networkingv1 "k8s.io/api/networking/v1"

	"github.com/novagen/novagen/catalog"
	"github.com/novagen/novagen/generators/kube"
)

// Name is the generator's name in function configs and the registry.
const Name = "network-policies"

// Generate returns one policy per service and one per infrastructure
// component in the namespace, in name order; in a partition's render
// those of its services, or the components' in the infrastructure
// partition. Every lookup is indexed, so
// the cost is linear in the catalog's nodes and edges.
func Generate(cat *catalog.Catalog) ([]kube.Object, error) {
	var out []kube.Object
	for _, e := range cat.Endpoints() {
		switch {
		case e.Kind == catalog.KindService && cat.Owns(e.Name):
			out = append(out, servicePolicy(cat, e))
		case e.Kind == catalog.KindInfrastructure && cat.OwnsShared() && !e.Outside(): // provided from outside: no pods here
			out = append(out, infraPolicy(cat, e))
		}
	}
	if cat.OwnsShared() {
		for _, x := range cat.Exporters() {
			out = append(out, exporterPolicy(cat, x))
		}
	}
	return out, nil
}

// exporterPolicy: the monitoring pods scrape the exporter, which reaches
// only its component (every pod of it, on its client ports) and DNS.
func exporterPolicy(cat *catalog.Catalog, x catalog.Exporter) *networkingv1.NetworkPolicy {
	var ingress []networkingv1.NetworkPolicyIngressRule
	if m, ok := metricsIngress(cat, x.Name); ok {
		ingress = append(ingress, m)
	}
	var eg []networkingv1.NetworkPolicyEgressRule
	if e, ok := cat.Endpoint(x.Component); ok {
		eg = append(eg, kube.EgressTo(e))
	}
	p := kube.NetworkPolicy(cat, Name, x.Name, x.PodLabels, ingress, append(eg, kube.DNSEgress()))
	kube.BelongTo(x.Component, []kube.Object{p}) // in its component's sync wave
	return p
}

// MaxListedClients is how many service clients a policy lists one by
// one: 64 pod-selector peers are about 9 KiB of YAML. Nova's busiest
// node (postgres) has far fewer, so its policies list every client.
const MaxListedClients = 64

// jobComponents are the init Jobs whose pods talk to postgres.
var jobComponents = []string{kube.ComponentDBInit, kube.ComponentMigrations}

func servicePolicy(cat *catalog.Catalog, svc catalog.Endpoint) *networkingv1.NetworkPolicy {
	var ingress []networkingv1.NetworkPolicyIngressRule
	if peers := clientsOf(cat, cat.ReachedBy(svc.Name)); len(peers) > 0 {
		ingress = append(ingress, networkingv1.NetworkPolicyIngressRule{From: peers, Ports: kube.TCP(svc.Port)})
	}
	if m, ok := metricsIngress(cat, svc.Name); ok {
		ingress = append(ingress, m)
	}
	if s, ok := cat.Service(svc.Name); ok && s.Expose != nil {
		// The ingress controller forwards outside traffic: on the exposed
		// port only.
		c := cat.Spec.Ingress.Controller
		ingress = append(ingress, networkingv1.NetworkPolicyIngressRule{
			From: []networkingv1.NetworkPolicyPeer{kube.PeerIn(c.Namespace, c.PodLabels)}, Ports: kube.TCP(s.Port()),
		})
	}
	out := egress(cat, svc.Name)
	if col, ok := cat.TracingCollector(); ok {
		// Every service exports its spans there (spec.tracing).
		out = append(out, kube.EgressTo(col))
	}
	return kube.NetworkPolicy(cat, Name, svc.Name, svc.PodLabels, ingress, out)
}

func infraPolicy(cat *catalog.Catalog, e catalog.Endpoint) *networkingv1.NetworkPolicy {
	// Members of one component talk among themselves (cluster bus,
	// replication, ensemble) on ports the catalog does not list.
	members := networkingv1.NetworkPolicyPeer{PodSelector: kube.Selector(e.PodLabels)}
	sources := cat.ReachedBy(e.Name)
	from := clientsOf(cat, sources)
	if db, ok := cat.DatabaseServer(); ok && db.Name == e.Name {
		for _, c := range jobComponents {
			from = append(from, networkingv1.NetworkPolicyPeer{PodSelector: kube.Selector(kube.JobPodSelector(cat, c))})
		}
	}
	for _, x := range cat.Exporters() {
		if x.Component == e.Name {
			from = append(from, networkingv1.NetworkPolicyPeer{PodSelector: kube.Selector(x.PodLabels)})
		}
	}
	ingress := []networkingv1.NetworkPolicyIngressRule{{From: []networkingv1.NetworkPolicyPeer{members}}}
	if len(from) > 0 {
		ingress = append(ingress, networkingv1.NetworkPolicyIngressRule{From: from, Ports: kube.TCP(e.PortNumbers()...)})
	}
	if m, ok := metricsIngress(cat, e.Name); ok {
		// A component serving its own metrics (ClickHouse).
		ingress = append(ingress, m)
	}
	eg := append([]networkingv1.NetworkPolicyEgressRule{{To: []networkingv1.NetworkPolicyPeer{members}}}, egress(cat, e.Name)...)
	return kube.NetworkPolicy(cat, Name, e.Name, e.PodLabels, ingress, eg)
}

// egress allows what node connects to (catalog.Catalog.Reaches: what it
// waits for, and for a service its database server and Kafka when it uses
// them without waiting), plus DNS.
func egress(cat *catalog.Catalog, node string) []networkingv1.NetworkPolicyEgressRule {
	var out []networkingv1.NetworkPolicyEgressRule
	for _, d := range cat.Reaches(node) {
		if e, ok := cat.Endpoint(d); ok {
			out = append(out, kube.EgressTo(e))
		}
	}
	return append(out, kube.DNSEgress())
}

// clientsOf selects the pods of the named endpoints (a node's clients,
// in name order). Beyond MaxListedClients services, one peer selects
// every service pod in their place (see the package doc); the other
// clients (infrastructure, a handful) are always listed.
func clientsOf(cat *catalog.Catalog, names []string) []networkingv1.NetworkPolicyPeer {
	services := 0
	for _, n := range names {
		if e, ok := cat.Endpoint(n); ok && e.Kind == catalog.KindService {
			services++
		}
	}
	collapse := services > MaxListedClients
	var out []networkingv1.NetworkPolicyPeer
	if collapse {
		out = append(out, networkingv1.NetworkPolicyPeer{PodSelector: kube.Selector(kube.GRPCPodSelector(cat))})
	}
	for _, n := range names {
		e, ok := cat.Endpoint(n)
		if !ok || len(e.PodLabels) == 0 || collapse && e.Kind == catalog.KindService {
			continue
		}
		out = append(out, networkingv1.NetworkPolicyPeer{PodSelector: kube.Selector(e.PodLabels)})
	}
	return out
}

// metricsIngress lets the monitoring pods of cat.Spec.Monitoring scrape a
// node's metrics target (catalog.Catalog.MetricsTargets, which the
// ServiceMonitors follow too); namespace and pod selector in one peer, so
// both must match.
func metricsIngress(cat *catalog.Catalog, node string) (networkingv1.NetworkPolicyIngressRule, bool) {
	t, ok := cat.MetricsTarget(node)
	if !ok {
		return networkingv1.NetworkPolicyIngressRule{}, false
	}
	m := cat.Spec.Monitoring
	peer := kube.PeerIn(m.Namespace, m.PodLabels)
	return networkingv1.NetworkPolicyIngressRule{From: []networkingv1.NetworkPolicyPeer{peer}, Ports: kube.TCP(t.Port)}, true
}
