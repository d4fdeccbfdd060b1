package check

import (
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/novagen/novagen/generators/kube"
	"github.com/novagen/novagen/internal/rendertest"
	"github.com/novagen/novagen/schema"
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
			cat, err := schema.Load(path)
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
	assert.Equal(t, map[string]bool{schema.IngressKindIngress: true, schema.IngressKindHTTPRoute: true}, exposedSomewhere, "both kinds of entry point were tested")
}

// servicePods are the pods of the catalog's services (their Deployments).
func servicePods(in *input, cat *schema.Catalog) []Pod {
	var out []Pod
	for _, p := range in.pods {
		if _, ok := cat.Service(p.Labels[kube.LabelName]); ok && p.Kind == "Deployment" {
			out = append(out, p)
		}
	}
	return out
}
