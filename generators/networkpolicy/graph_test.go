package networkpolicy

import (
	"fmt"
	"maps"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	networkingv1 "k8s.io/api/networking/v1"

	"github.com/novagen/novagen/catalog"
	"github.com/novagen/novagen/catalog/load"
)

// TestPoliciesMatchTheGraph: the allow-lists are the graph `novagen graph`
// draws. For the staging catalog, every service may reach exactly what
// it depends on (plus postgres when it has a database, kafka when it
// produces or consumes a topic) and is reached on its gRPC port by
// exactly the services that depend on it; every infrastructure component
// is reached by exactly its dependents (and kafka by every producer and
// consumer).
func TestPoliciesMatchTheGraph(t *testing.T) {
	cat, err := load.Load("../../services.yaml")
	require.NoError(t, err)
	objs, err := Generate(cat)
	require.NoError(t, err)
	policies := map[string]*networkingv1.NetworkPolicy{}
	for _, o := range objs {
		policies[o.GetName()] = o.(*networkingv1.NetworkPolicy)
	}
	byPods := map[string]string{} // selector -> endpoint name
	for _, e := range cat.Endpoints() {
		if len(e.PodLabels) > 0 {
			byPods[fmt.Sprint(e.PodLabels)] = e.Name
		}
	}
	// names maps the pod-selector peers of a rule to the endpoints they
	// select, when the rule's ports are exactly portsOf(that endpoint).
	names := func(peers []networkingv1.NetworkPolicyPeer, ports []networkingv1.NetworkPolicyPort, portsOf func(string) []int32) []string {
		var got []int32
		for _, p := range ports {
			got = append(got, p.Port.IntVal)
		}
		var out []string
		for _, p := range peers {
			if p.PodSelector == nil || p.NamespaceSelector != nil {
				continue
			}
			if n, ok := byPods[fmt.Sprint(p.PodSelector.MatchLabels)]; ok && slices.Equal(got, portsOf(n)) {
				out = append(out, n)
			}
		}
		return out
	}
	portOf := func(n string) []int32 { e, _ := cat.Endpoint(n); return e.PortNumbers() }
	g := cat.Graph()
	checked := 0
	for _, e := range cat.Endpoints() {
		p := policies[e.Name]
		if e.Kind == catalog.KindExternal {
			assert.Nil(t, p, "no policy for external %s", e.Name)
			continue
		}
		require.NotNil(t, p, "policy for %s", e.Name)
		// Egress: the endpoints reachable from e's pods.
		var to []string
		for _, r := range p.Spec.Egress {
			to = append(to, names(r.To, r.Ports, portOf)...)
		}
		want := slices.DeleteFunc(g.DependsOn(e.Name), func(d string) bool { ep, _ := cat.Endpoint(d); return ep.Kind == catalog.KindExternal })
		if svc, ok := cat.Service(e.Name); ok && svc.Database != "" && !slices.Contains(want, "postgres") {
			want = append(want, "postgres")
		}
		if svc, ok := cat.Service(e.Name); ok && svc.UsesKafka() && !slices.Contains(want, "kafka") {
			want = append(want, "kafka") // a producer reaches Kafka without waiting for it
		}
		assert.ElementsMatch(t, want, to, "egress of %s", e.Name)
		// Ingress on e's port: its dependents (and, for postgres, the
		// services with a database).
		var from []string
		for _, r := range p.Spec.Ingress {
			from = append(from, names(r.From, r.Ports, func(string) []int32 { return e.PortNumbers() })...)
		}
		wantFrom := g.Dependents(e.Name)
		if e.Name == "postgres" {
			for _, svc := range cat.Spec.Services {
				if svc.Database != "" {
					wantFrom = append(wantFrom, svc.Name)
				}
			}
		}
		if e.Name == "kafka" {
			wantFrom = append(wantFrom, cat.KafkaClients()...)
			assert.Contains(t, wantFrom, "user-service", "a producer is let in")
		}
		assert.ElementsMatch(t, slices.Compact(slices.Sorted(slices.Values(wantFrom))), from, "ingress of %s", e.Name)
		checked++
	}
	assert.Equal(t, len(cat.Endpoints())-len(cat.Spec.Infrastructure.External), checked)
	// The data tier's exporters (monitoring is on): each reaches its
	// component alone.
	require.NotEmpty(t, cat.Exporters())
	for _, x := range cat.Exporters() {
		p := policies[x.Name]
		require.NotNil(t, p, "policy for %s", x.Name)
		var to []string
		for _, r := range p.Spec.Egress {
			to = append(to, names(r.To, r.Ports, portOf)...)
		}
		assert.Equal(t, []string{x.Component}, to, "egress of %s", x.Name)
		checked++
	}
	assert.Len(t, slices.Collect(maps.Keys(policies)), checked, "one policy per service, component and exporter, nothing else")
}
