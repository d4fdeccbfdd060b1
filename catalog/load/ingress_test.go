package load

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/novagen/novagen/catalog"
)

// catalogHead starts a small test catalog: what follows is the rest of
// its spec.
const catalogHead = `apiVersion: catalog.nova.dev/v1alpha1
kind: ServiceCatalog
metadata: {name: t}
spec:
  namespace: shop
  defaults:
    image: {registry: registry.example/t, tag: "1.0.0"}
`

// TestProtocolAndIngressDefaults: what a catalog leaves out of protocols
// and entry points, per kind.
func TestProtocolAndIngressDefaults(t *testing.T) {
	cases := []struct {
		name, spec string
		want       *catalog.Ingress // nil: no entry point at all
	}{
		{"nothing exposed", "  services: [{name: api, protocol: http}]\n", nil},
		{"exposed: an nginx Ingress", "  services: [{name: api, protocol: http, expose: {host: a.example}}]\n",
			&catalog.Ingress{Kind: catalog.IngressKindIngress, ClassName: catalog.DefaultIngressClass, Controller: catalog.DefaultIngressController}},
		{"HTTPRoute: the Gateway's pods in its namespace", "  ingress: {kind: HTTPRoute, gateway: {name: pub, namespace: gw}, issuer: {name: le}}\n  services: [{name: api, protocol: http, expose: {host: a.example}}]\n",
			&catalog.Ingress{Kind: catalog.IngressKindHTTPRoute, Gateway: &catalog.GatewayRef{Name: "pub", Namespace: "gw"}, Issuer: &catalog.IssuerRef{Kind: catalog.DefaultIssuerKind, Name: "le"},
				Controller: catalog.IngressController{Namespace: "gw", PodLabels: map[string]string{catalog.GatewayNameLabel: "pub"}}}},
		{"HTTPRoute: a Gateway of the namespace, named controller", "  ingress: {kind: HTTPRoute, gateway: {name: pub}, controller: {podLabels: {app: envoy}}}\n  services: [{name: api, protocol: http, expose: {host: a.example}}]\n",
			&catalog.Ingress{Kind: catalog.IngressKindHTTPRoute, Gateway: &catalog.GatewayRef{Name: "pub", Namespace: "shop"},
				Controller: catalog.IngressController{Namespace: "shop", PodLabels: map[string]string{"app": "envoy"}}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cat, err := Parse("t.yaml", []byte(catalogHead+tc.spec))
			require.NoError(t, err)
			assert.Equal(t, tc.want, cat.Spec.Ingress)
			api, _ := cat.Service("api")
			assert.Equal(t, catalog.Ports{HTTP: catalog.DefaultHTTPPort, Metrics: catalog.DefaultMetricsPort}, api.Ports, "only the port of its protocol")
			assert.Equal(t, catalog.DefaultHealthPath, api.HealthPath)
			if api.Expose != nil {
				assert.Equal(t, catalog.DefaultExposePath, api.Expose.Path)
			}
			ep, _ := cat.Endpoint("api")
			assert.Equal(t, int32(catalog.DefaultHTTPPort), ep.Port, "clients wait on the http port")
		})
	}
}

// TestGRPCByDefault: a service without protocol serves gRPC on its grpc
// port, with no http port or health path.
func TestGRPCByDefault(t *testing.T) {
	cat, err := Parse("t.yaml", []byte(catalogHead+"  services: [{name: api}]\n"))
	require.NoError(t, err)
	api, _ := cat.Service("api")
	assert.Equal(t, catalog.ProtocolGRPC, api.Protocol)
	assert.Equal(t, catalog.Ports{GRPC: catalog.DefaultGRPCPort, Metrics: catalog.DefaultMetricsPort}, api.Ports)
	assert.Empty(t, api.HealthPath)
	assert.Equal(t, int32(catalog.DefaultGRPCPort), api.Port())
}
