// Package networkpolicy generates the namespace's NetworkPolicies from the
// dependency graph, so the network allows exactly the connections the
// catalog declares and `novagen graph` draws:
//
//   - default-deny: no ingress, no egress for any pod of the namespace;
//   - <service>: egress to each dependency's port and DNS; ingress on the
//     gRPC port from the services that depend on it, and on the metrics
//     port from the monitoring pods;
//   - <infrastructure> (postgres, redis, zookeeper, kafka, clickhouse):
//     ingress on its port from whatever depends on it, egress to its own
//     dependencies (kafka to zookeeper) and DNS;
//   - db-init, migrations: the init Jobs' pods may reach postgres and DNS.
//
// Policies are additive: anything the catalog does not know about (an
// ingress controller in front of the gateway, a backup Job) needs a
// policy of its own next to these.
package networkpolicy

import (
	"fmt"
	"slices"

	networkingv1 "k8s.io/api/networking/v1"

	"github.com/novagen/novagen/generators/kube"
	"github.com/novagen/novagen/schema"
)

// Name is the generator's name in function configs and the registry.
const Name = "network-policies"

// DefaultDenyName is the namespace-wide deny-all policy.
const DefaultDenyName = "default-deny"

// ComponentNetworkPolicy is the component label of every policy.
const ComponentNetworkPolicy = "network-policy"

// Generate returns default-deny, one policy per service, one per
// infrastructure component in the namespace and one per init Job phase.
func Generate(cat *schema.Catalog) ([]kube.Object, error) {
	out := []kube.Object{policy(cat, DefaultDenyName, nil, nil, nil)}
	for _, e := range cat.Endpoints() {
		switch e.Kind {
		case schema.KindService:
			out = append(out, servicePolicy(cat, e))
		case schema.KindInfrastructure:
			out = append(out, infraPolicy(cat, e))
		}
	}
	if pg, ok := cat.Endpoint("postgres"); ok {
		for _, c := range jobComponents {
			out = append(out, policy(cat, c, jobSelector(cat, c), nil, []networkingv1.NetworkPolicyEgressRule{egressTo(pg), dnsEgress()}))
		}
	}
	seen := map[string]bool{}
	for _, o := range out {
		if seen[o.GetName()] {
			return nil, fmt.Errorf("two NetworkPolicies named %q: a service must not share its name with %s", o.GetName(), DefaultDenyName+" or an init Job phase")
		}
		seen[o.GetName()] = true
	}
	return out, nil
}

// jobComponents are the init Jobs whose pods talk to postgres.
var jobComponents = []string{kube.ComponentDBInit, kube.ComponentMigrations}

func jobSelector(cat *schema.Catalog, component string) map[string]string {
	return map[string]string{kube.LabelPartOf: cat.Metadata.Name, kube.LabelComponent: component}
}

func servicePolicy(cat *schema.Catalog, svc schema.Endpoint) *networkingv1.NetworkPolicy {
	var ingress []networkingv1.NetworkPolicyIngressRule
	if peers := peersOf(cat, cat.Graph().Dependents(svc.Name)); len(peers) > 0 {
		ingress = append(ingress, networkingv1.NetworkPolicyIngressRule{From: peers, Ports: tcp(svc.Port)})
	}
	if m, ok := metricsIngress(cat, svc.Name); ok {
		ingress = append(ingress, m)
	}
	return policy(cat, svc.Name, svc.PodLabels, ingress, egress(cat, svc.Name))
}

func infraPolicy(cat *schema.Catalog, e schema.Endpoint) *networkingv1.NetworkPolicy {
	// Members of one component talk among themselves (cluster bus,
	// replication, ensemble) on ports the catalog does not list.
	members := networkingv1.NetworkPolicyPeer{PodSelector: selector(e.PodLabels)}
	sources := cat.Graph().Dependents(e.Name)
	if e.Name == "postgres" {
		sources = append(sources, databaseOwners(cat)...)
	}
	slices.Sort(sources)
	from := peersOf(cat, slices.Compact(sources))
	if e.Name == "postgres" {
		for _, c := range jobComponents {
			from = append(from, networkingv1.NetworkPolicyPeer{PodSelector: selector(jobSelector(cat, c))})
		}
	}
	ingress := []networkingv1.NetworkPolicyIngressRule{{From: []networkingv1.NetworkPolicyPeer{members}}}
	if len(from) > 0 {
		ingress = append(ingress, networkingv1.NetworkPolicyIngressRule{From: from, Ports: tcp(e.Port)})
	}
	eg := append([]networkingv1.NetworkPolicyEgressRule{{To: []networkingv1.NetworkPolicyPeer{members}}}, egress(cat, e.Name)...)
	return policy(cat, e.Name, e.PodLabels, ingress, eg)
}

// egress allows what node waits for, plus DNS. A service with a database
// talks to postgres even when it does not wait for it (feed-service,
// analytics-service... list only the dependencies they must see up
// before starting), so postgres is derived from the database here.
func egress(cat *schema.Catalog, node string) []networkingv1.NetworkPolicyEgressRule {
	deps := cat.Graph().DependsOn(node)
	if svc, ok := cat.Service(node); ok && svc.Database != "" && !slices.Contains(deps, "postgres") {
		deps = append(deps, "postgres")
	}
	var out []networkingv1.NetworkPolicyEgressRule
	for _, d := range deps {
		if e, ok := cat.Endpoint(d); ok {
			out = append(out, egressTo(e))
		}
	}
	return append(out, dnsEgress())
}

// egressTo reaches an endpoint's port: pods in the namespace by their
// labels; an external component at its CIDR, or anywhere when the
// catalog gives none.
func egressTo(e schema.Endpoint) networkingv1.NetworkPolicyEgressRule {
	r := networkingv1.NetworkPolicyEgressRule{Ports: tcp(e.Port)}
	switch {
	case e.Kind != schema.KindExternal:
		r.To = []networkingv1.NetworkPolicyPeer{{PodSelector: selector(e.PodLabels)}}
	case e.CIDR != "":
		r.To = []networkingv1.NetworkPolicyPeer{{IPBlock: &networkingv1.IPBlock{CIDR: e.CIDR}}}
	}
	return r
}

// databaseOwners are the services with a database, sorted.
func databaseOwners(cat *schema.Catalog) []string {
	var out []string
	for _, s := range cat.Spec.Services {
		if s.Database != "" {
			out = append(out, s.Name)
		}
	}
	return out
}

// peersOf selects the pods of the named endpoints.
func peersOf(cat *schema.Catalog, names []string) []networkingv1.NetworkPolicyPeer {
	var out []networkingv1.NetworkPolicyPeer
	for _, n := range names {
		if e, ok := cat.Endpoint(n); ok && len(e.PodLabels) > 0 {
			out = append(out, networkingv1.NetworkPolicyPeer{PodSelector: selector(e.PodLabels)})
		}
	}
	return out
}
