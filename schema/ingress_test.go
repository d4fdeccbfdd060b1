package schema

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
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
		want       *Ingress // nil: no entry point at all
	}{
		{"nothing exposed", "  services: [{name: api, protocol: http}]\n", nil},
		{"exposed: an nginx Ingress", "  services: [{name: api, protocol: http, expose: {host: a.example}}]\n",
			&Ingress{Kind: IngressKindIngress, ClassName: DefaultIngressClass, Controller: DefaultIngressController}},
		{"HTTPRoute: the Gateway's pods in its namespace", "  ingress: {kind: HTTPRoute, gateway: {name: pub, namespace: gw}, issuer: {name: le}}\n  services: [{name: api, protocol: http, expose: {host: a.example}}]\n",
			&Ingress{Kind: IngressKindHTTPRoute, Gateway: &GatewayRef{Name: "pub", Namespace: "gw"}, Issuer: &IssuerRef{Kind: DefaultIssuerKind, Name: "le"},
				Controller: IngressController{Namespace: "gw", PodLabels: map[string]string{GatewayNameLabel: "pub"}}}},
		{"HTTPRoute: a Gateway of the namespace, named controller", "  ingress: {kind: HTTPRoute, gateway: {name: pub}, controller: {podLabels: {app: envoy}}}\n  services: [{name: api, protocol: http, expose: {host: a.example}}]\n",
			&Ingress{Kind: IngressKindHTTPRoute, Gateway: &GatewayRef{Name: "pub", Namespace: "shop"},
				Controller: IngressController{Namespace: "shop", PodLabels: map[string]string{"app": "envoy"}}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cat, err := Parse("t.yaml", []byte(catalogHead+tc.spec))
			require.NoError(t, err)
			assert.Equal(t, tc.want, cat.Spec.Ingress)
			api, _ := cat.Service("api")
			assert.Equal(t, Ports{HTTP: DefaultHTTPPort, Metrics: DefaultMetricsPort}, api.Ports, "only the port of its protocol")
			assert.Equal(t, DefaultHealthPath, api.HealthPath)
			if api.Expose != nil {
				assert.Equal(t, DefaultExposePath, api.Expose.Path)
			}
			ep, _ := cat.Endpoint("api")
			assert.Equal(t, int32(DefaultHTTPPort), ep.Port, "clients wait on the http port")
		})
	}
}

// TestGRPCByDefault: a service without protocol serves gRPC on its grpc
// port, with no http port or health path.
func TestGRPCByDefault(t *testing.T) {
	cat, err := Parse("t.yaml", []byte(catalogHead+"  services: [{name: api}]\n"))
	require.NoError(t, err)
	api, _ := cat.Service("api")
	assert.Equal(t, ProtocolGRPC, api.Protocol)
	assert.Equal(t, Ports{GRPC: DefaultGRPCPort, Metrics: DefaultMetricsPort}, api.Ports)
	assert.Empty(t, api.HealthPath)
	assert.Equal(t, int32(DefaultGRPCPort), api.Port())
}
