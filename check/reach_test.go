package check

import (
	"fmt"
	"maps"
	"net/url"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	networkingv1 "k8s.io/api/networking/v1"

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
	paths = append(paths, "../services.yaml", "../generators/ingress/testdata/ingress-tls/catalog.yaml", "../generators/ingress/testdata/httproute/catalog.yaml",
		"../generators/tracing/testdata/managed/catalog.yaml")
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

// TestServicesReachTheCollector: with tracing on and novagen's collector,
// every service pod can reach, through the rendered NetworkPolicies, every
// pod behind the Service and port its OTEL_EXPORTER_OTLP_ENDPOINT names
// (its egress and the collector's ingress both admit it); nobody else
// gets there: not the catalog's Job pods, not a stranger in the
// namespace, not a service's twin in another namespace, and no service on
// the collector's health port. With tracing off, no service pod reaches
// a pod labelled like the collector.
func TestServicesReachTheCollector(t *testing.T) {
	for _, tc := range []struct{ path, env string }{
		{"../generators/tracing/testdata/managed/catalog.yaml", ""},
		{"../services.yaml", "production"},
	} {
		t.Run(tc.path+"/"+tc.env, func(t *testing.T) {
			cat, err := load.LoadEnv(tc.path, tc.env)
			require.NoError(t, err)
			require.True(t, cat.TracingManagedCollector())
			in, err := index(rendertest.Catalog(t, cat))
			require.NoError(t, err)
			ps := &Policies{in.policies}
			var collectors []Pod
			checked := 0
			for _, src := range servicePods(in, cat) {
				host, port := otlpEndpoint(t, src)
				dsts, targets := in.backends(src.Namespace, host, port)
				require.NotEmpty(t, dsts, "%s exports to Service %s port %d, which has pods", src.Object, host, port)
				collectors = dsts
				for i, dst := range dsts {
					assert.True(t, ps.Allows(PeerOf(src), PeerOf(dst), targets[i]), "%s → %s port %d", src.Object, dst.Object, targets[i])
					assert.False(t, ps.Allows(PeerOf(src), PeerOf(dst), catalog.CollectorHealthPort), "%s → %s health port", src.Object, dst.Object)
					twin := Peer{"elsewhere", src.Labels}
					assert.False(t, ps.Allows(twin, PeerOf(dst), targets[i]), "%v → %s", twin, dst.Object)
					checked++
				}
			}
			assert.NotZero(t, checked)
			jobs := 0
			for _, p := range in.pods {
				if p.Kind != "Job" && p.Kind != "CronJob" {
					continue
				}
				jobs++
				for _, dst := range collectors {
					for _, port := range []int32{catalog.OTLPGRPCPort, catalog.OTLPHTTPPort} {
						// Neither side lets it: the Job's egress, nor on
						// its own the collector's ingress.
						assert.False(t, ps.Allows(PeerOf(p), PeerOf(dst), port), "%s → %s port %d", p.Object, dst.Object, port)
						assert.False(t, ps.admits(PeerOf(dst), PeerOf(p), port, networkingv1.PolicyTypeIngress), "%s admits %s on port %d", dst.Object, p.Object, port)
					}
				}
			}
			assert.NotZero(t, jobs, "the catalog has Jobs to refuse")
			stranger := Peer{cat.Spec.Namespace, map[string]string{"app": "stranger"}}
			for _, dst := range collectors {
				assert.False(t, ps.Allows(stranger, PeerOf(dst), catalog.OTLPGRPCPort), "stranger → %s", dst.Object)
				assert.False(t, ps.admits(PeerOf(dst), stranger, catalog.OTLPGRPCPort, networkingv1.PolicyTypeIngress), "%s admits a stranger", dst.Object)
			}
		})
	}

	off, err := load.Load("../services.yaml")
	require.NoError(t, err)
	require.False(t, off.Tracing())
	in, err := index(rendertest.Catalog(t, off))
	require.NoError(t, err)
	ps := &Policies{in.policies}
	lookalike := Peer{off.Spec.Namespace, map[string]string{kube.LabelName: "otel-collector"}}
	for _, src := range servicePods(in, off) {
		assert.False(t, ps.Allows(PeerOf(src), lookalike, catalog.OTLPGRPCPort), "%s reaches a collector with tracing off", src.Object)
	}
}

// otlpEndpoint is the Service name and port of a service pod's
// OTEL_EXPORTER_OTLP_ENDPOINT (http://<service>:<port>).
func otlpEndpoint(t *testing.T, p Pod) (string, int32) {
	t.Helper()
	for _, e := range p.Spec.Containers[0].Env {
		if e.Name != "OTEL_EXPORTER_OTLP_ENDPOINT" {
			continue
		}
		u, err := url.Parse(e.Value)
		require.NoError(t, err)
		port, err := strconv.ParseInt(u.Port(), 10, 32)
		require.NoError(t, err, e.Value)
		return u.Hostname(), int32(port)
	}
	t.Fatalf("%s has no OTEL_EXPORTER_OTLP_ENDPOINT", p.Object)
	return "", 0
}
