// Package ingress is the generator ingress: its description in the
// registry (generators/registry.go; novagen generators prints it) says
// what it emits, and this is the detail.
//
// An Ingress terminates TLS with that Secret itself. With HTTPRoutes TLS
// terminates at the Gateway, whose HTTPS listener must reference the
// Secret (a ReferenceGrant in this namespace when the Gateway lives
// elsewhere: the Gateway's owner writes both).
//
// Every object goes to the sync's last wave, which Argo CD does not wait
// for: a Certificate is not Ready until the issuer reaches the host,
// which may take as long as DNS takes to point at the cluster, and a
// wave that waited for it would hold back everything after it. Each
// object is named after its service (the Certificate after its Secret,
// belonging to the service). The NetworkPolicy that admits the ingress
// controller to the service comes from network-policies, from the same
// catalog fields; this package admits it to cert-manager's HTTP-01 solver
// pods (NetworkPolicy acme-http01-solver) when any service has TLS.
package ingress

import (
	networkingv1 "k8s.io/api/networking/v1"

	"github.com/novagen/novagen/catalog"
	"github.com/novagen/novagen/generators/kube"
	"github.com/novagen/novagen/generators/kube/certmanager"
	"github.com/novagen/novagen/generators/kube/gatewayapi"
	"github.com/novagen/novagen/naming"
)

// Name is the generator's name in function configs and the registry.
const Name = "ingress"

// Component is the app.kubernetes.io/component of its objects.
const Component = "ingress"

// Generate returns, per exposed service in catalog order, its route and
// (with TLS) its Certificate, then the HTTP-01 solver's policy when any
// service has TLS; nothing when no service is exposed. A partition's
// render has those of its own services; the policy, shared, is the
// infrastructure partition's.
func Generate(cat *catalog.Catalog) ([]kube.Object, error) {
	var out []kube.Object
	tls := false
	for _, svc := range cat.Exposed() {
		tls = tls || svc.Expose.TLS
		if !cat.Owns(svc.Name) {
			continue
		}
		if cat.Spec.Ingress.Kind == catalog.IngressKindHTTPRoute {
			out = append(out, httpRoute(cat, svc))
		} else {
			out = append(out, ingress(cat, svc))
		}
		if svc.Expose.TLS {
			cert := certificate(cat, svc)
			kube.BelongTo(svc.Name, []kube.Object{cert})
			out = append(out, cert)
		}
	}
	if tls && cat.OwnsShared() {
		out = append(out, solverPolicy(cat))
	}
	return out, nil
}

// solverPolicy lets cert-manager's HTTP-01 solver pods accept the ingress
// controller's (spec.ingress.controller, as a service's policy admits
// them) on the solver's port: the namespace denies all ingress by
// default, so without it the issuer never reaches the token and the
// Certificate is never issued. Ingress only: the solver makes no
// connection.
func solverPolicy(cat *catalog.Catalog) kube.Object {
	c := cat.Spec.Ingress.Controller
	return kube.IngressFrom(cat, Name, naming.ACMESolverPolicy, map[string]string{certmanager.SolverPodLabel: "true"},
		kube.PeerIn(c.Namespace, c.PodLabels), certmanager.SolverPort)
}

func ingress(cat *catalog.Catalog, svc *catalog.Service) *networkingv1.Ingress {
	prefix := networkingv1.PathTypePrefix
	ing := &networkingv1.Ingress{
		TypeMeta:   kube.TypeMeta("networking.k8s.io/v1", "Ingress"),
		ObjectMeta: kube.Meta(cat, Name, svc.Name, Component),
		Spec: networkingv1.IngressSpec{
			IngressClassName: kube.Ptr(cat.Spec.Ingress.ClassName),
			Rules: []networkingv1.IngressRule{{
				Host: svc.Expose.Host,
				IngressRuleValue: networkingv1.IngressRuleValue{HTTP: &networkingv1.HTTPIngressRuleValue{
					Paths: []networkingv1.HTTPIngressPath{{
						Path:     svc.Expose.Path,
						PathType: &prefix,
						Backend: networkingv1.IngressBackend{Service: &networkingv1.IngressServiceBackend{
							Name: svc.Name,
							Port: networkingv1.ServiceBackendPort{Number: svc.Port()},
						}},
					}},
				}},
			}},
		},
	}
	if svc.Expose.TLS {
		ing.Spec.TLS = []networkingv1.IngressTLS{{Hosts: []string{svc.Expose.Host}, SecretName: naming.TLSSecret(svc.Name)}}
	}
	return ing
}

func httpRoute(cat *catalog.Catalog, svc *catalog.Service) *gatewayapi.HTTPRoute {
	gw := cat.Spec.Ingress.Gateway
	return &gatewayapi.HTTPRoute{
		TypeMeta:   kube.TypeMeta(gatewayapi.APIVersion, gatewayapi.Kind),
		ObjectMeta: kube.Meta(cat, Name, svc.Name, Component),
		Spec: gatewayapi.HTTPRouteSpec{
			ParentRefs: []gatewayapi.ParentReference{{Name: gw.Name, Namespace: gw.Namespace, SectionName: gw.SectionName}},
			Hostnames:  []string{svc.Expose.Host},
			Rules: []gatewayapi.HTTPRouteRule{{
				Matches:     []gatewayapi.HTTPRouteMatch{{Path: &gatewayapi.PathMatch{Type: gatewayapi.PathPrefix, Value: svc.Expose.Path}}},
				BackendRefs: []gatewayapi.BackendRef{{Name: svc.Name, Port: svc.Port()}},
			}},
		},
	}
}

func certificate(cat *catalog.Catalog, svc *catalog.Service) *certmanager.Certificate {
	issuer := cat.Spec.Ingress.Issuer
	secret := naming.TLSSecret(svc.Name)
	return &certmanager.Certificate{
		TypeMeta:   kube.TypeMeta(certmanager.APIVersion, certmanager.Kind),
		ObjectMeta: kube.Meta(cat, Name, secret, Component),
		Spec: certmanager.Spec{
			SecretName: secret,
			DNSNames:   []string{svc.Expose.Host},
			IssuerRef:  certmanager.IssuerRef{Group: certmanager.Group, Kind: issuer.Kind, Name: issuer.Name},
		},
	}
}
