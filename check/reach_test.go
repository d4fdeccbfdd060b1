package check

import (
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/novagen/novagen/catalog"
	"github.com/novagen/novagen/catalog/load"
	"github.com/novagen/novagen/generators/kube"
	"github.com/novagen/novagen/generators/networkpolicy"
	"github.com/novagen/novagen/internal/rendertest"
)

// route is a Service and port some pod must be able to reach.
type route struct {
	service string
	port    int32
}

// TestRenderedPoliciesAdmitExactly: in the render of every catalog, for
// each catalog service's Service and each of its ports, the rendered
// NetworkPolicies (ingress and egress sides) let a service pod in exactly
// when that pod waits for it on that port (its wait-for container, as
// rendered), and the ingress controller exactly on an exposed service's
// Ingress or HTTPRoute backend port (as rendered). Nothing is taken from
// the catalog but who the controller is.
func TestRenderedPoliciesAdmitExactly(t *testing.T) {
	paths, err := filepath.Glob("../test/catalogs/*.yaml")
	require.NoError(t, err)
	paths = append(paths, "../services.yaml", "../generators/ingress/testdata/ingress-tls/catalog.yaml", "../generators/ingress/testdata/httproute/catalog.yaml")
	exposedSomewhere := map[string]bool{}
	for _, path := range paths {
		t.Run(filepath.Base(filepath.Dir(path))+"/"+filepath.Base(path), func(t *testing.T) {
			cat, err := load.Load(path)
			require.NoError(t, err)
			nodes := rendertest.Catalog(t, cat)
			in, err := index(nodes)
			require.NoError(t, err)
			ps := &Policies{in.policies}

			waits := map[string]map[route]bool{} // pod object -> what it waits for
			for _, w := range Waits(in.pods) {
				if waits[w.Pod.Object] == nil {
					waits[w.Pod.Object] = map[route]bool{}
				}
				waits[w.Pod.Object][route{w.Service, w.Port}] = true
			}
			backends := map[route]bool{}
			for _, b := range in.routes {
				backends[route{b.service, b.port}] = true
			}
			var controller Peer
			if cat.Spec.Ingress != nil {
				c := cat.Spec.Ingress.Controller
				controller = Peer{Namespace: c.Namespace, Labels: c.PodLabels}
				exposedSomewhere[cat.Spec.Ingress.Kind] = exposedSomewhere[cat.Spec.Ingress.Kind] || len(backends) > 0
			}
			clients := servicePods(in, cat)
			require.NotEmpty(t, clients)
			checked := 0
			for _, s := range in.services {
				name := s.object[len("Service/"):]
				if _, ok := cat.Service(name); !ok {
					continue // the data tier's: their clients need not wait
				}
				for _, sp := range s.spec.Ports {
					dsts, targets := in.backends(s.ns, name, sp.Port)
					require.NotEmpty(t, dsts, "%s port %d has pods", s.object, sp.Port)
					for i, dst := range dsts {
						for _, src := range clients {
							want := waits[src.Object][route{name, sp.Port}]
							got := ps.Allows(PeerOf(src), PeerOf(dst), targets[i])
							assert.Equal(t, want, got, "%s → %s port %d (waits for it: %v)", src.Object, s.object, sp.Port, want)
							checked++
						}
						if cat.Spec.Ingress != nil {
							want := backends[route{name, sp.Port}]
							assert.Equal(t, want, ps.Allows(controller, PeerOf(dst), targets[i]), "ingress controller → %s port %d (a route's backend: %v)", s.object, sp.Port, want)
						}
						// A pod of no role, here or elsewhere, gets nowhere.
						for _, stranger := range []Peer{{s.ns, map[string]string{"app": "stranger"}}, {"elsewhere", controller.Labels}} {
							assert.False(t, ps.Allows(stranger, PeerOf(dst), targets[i]), "%v → %s port %d", stranger, s.object, sp.Port)
						}
					}
				}
			}
			assert.NotZero(t, checked)
			// Every route's backend is one of the Services checked above.
			for r := range backends {
				_, ok := cat.Service(r.service)
				assert.True(t, ok, "route backend %v is a catalog service", r)
			}
		})
	}
	assert.Equal(t, map[string]bool{catalog.IngressKindIngress: true, catalog.IngressKindHTTPRoute: true}, exposedSomewhere, "both kinds of entry point were tested")
}

// servicePods are the pods of the catalog's services (their Deployments).
func servicePods(in *input, cat *catalog.Catalog) []Pod {
	var out []Pod
	for _, p := range in.pods {
		if _, ok := cat.Service(p.Labels[kube.LabelName]); ok && p.Kind == "Deployment" {
			out = append(out, p)
		}
	}
	return out
}

// hubCatalog has more clients of one service (hub), of postgres (their
// databases) and of redis than a NetworkPolicy lists one by one
// (networkpolicy.MaxListedClients), some owning a database without
// waiting for postgres, and a service that reaches nothing.
func hubCatalog(clients int) string {
	var b strings.Builder
	b.WriteString(`apiVersion: catalog.nova.dev/v1alpha1
kind: ServiceCatalog
metadata: {name: hub}
spec:
  namespace: hub
  defaults:
    image: {registry: registry.example/hub, tag: "0.1.0"}
  infrastructure:
    postgres: {port: 5432}
    redis: {port: 6379, nodes: 3}
  databases:
`)
	for i := range clients {
		fmt.Fprintf(&b, "    - name: db_%03d\n", i)
	}
	b.WriteString("  services:\n    - name: hub\n    - name: loner\n")
	for i := range clients {
		deps := "[hub, redis, postgres]"
		if i%3 == 0 {
			deps = "[hub, redis]" // owns a database, does not wait for postgres
		}
		fmt.Fprintf(&b, "    - name: client-%03d\n      database: db_%03d\n      dependsOn: %s\n", i, i, deps)
	}
	return b.String()
}

// TestCollapsedClientListsStayExact: where a node has more clients than
// its policy lists, it admits every service pod, and the clients' own
// egress keeps the connections exact: a service pod reaches a node (a
// service or a component, every port) exactly when the catalog says it
// connects to it (catalog.Catalog.Reaches) on a port clients use (not
// Redis' cluster bus), a stranger never.
func TestCollapsedClientListsStayExact(t *testing.T) {
	clients := networkpolicy.MaxListedClients + 6
	cat, nodes := rendertest.Text(t, hubCatalog(clients))
	in, err := index(nodes)
	require.NoError(t, err)
	ps := &Policies{in.policies}
	broad := kube.GRPCPodSelector(cat)
	collapsed := map[string]bool{}
	for _, p := range in.policies {
		for _, r := range p.spec.Ingress {
			for _, f := range r.From {
				if f.PodSelector != nil && maps.Equal(f.PodSelector.MatchLabels, broad) && f.NamespaceSelector == nil {
					collapsed[p.object] = true
				}
			}
		}
	}
	assert.Equal(t, map[string]bool{"NetworkPolicy/hub": true, "NetworkPolicy/postgres": true, "NetworkPolicy/redis": true}, collapsed,
		"the nodes with more than %d clients admit every service pod", networkpolicy.MaxListedClients)

	srcs := servicePods(in, cat)
	require.Len(t, srcs, clients+2)
	checked := 0
	for _, s := range in.services {
		name := strings.TrimPrefix(s.object, "Service/")
		e, ok := cat.Endpoint(name)
		if !ok {
			continue // headless Services: the same pods
		}
		for _, sp := range s.spec.Ports {
			dsts, targets := in.backends(s.ns, name, sp.Port)
			for i, dst := range dsts {
				for _, src := range srcs {
					want := slices.Contains(cat.Reaches(src.Labels[kube.LabelName]), name) && slices.Contains(e.PortNumbers(), sp.Port)
					assert.Equal(t, want, ps.Allows(PeerOf(src), PeerOf(dst), targets[i]), "%s → %s port %d", src.Object, s.object, sp.Port)
					checked++
				}
				stranger := Peer{s.ns, map[string]string{"app": "stranger"}}
				assert.False(t, ps.Allows(stranger, PeerOf(dst), targets[i]), "stranger → %s port %d", s.object, sp.Port)
			}
		}
	}
	assert.Greater(t, checked, 3*clients*clients/2)
}
