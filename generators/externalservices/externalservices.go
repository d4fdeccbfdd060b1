// Package externalservices is the generator external-services: its
// description in the registry (generators/registry.go; novagen generators
// prints it) says what it emits, and this is the detail. Every component
// the catalog says runs outside the namespace
// (spec.infrastructure.external: Elasticsearch, Neo4j...; and
// infrastructure with managed: false: a hosted PostgreSQL, an existing
// Redis) gets a Service named after it, so clients, wait-for init
// containers and NetworkPolicies all use one stable in-namespace name
// wherever the component really runs:
//
//   - host is a DNS name: a Service of type ExternalName, which the
//     cluster DNS answers with a CNAME to host;
//   - host is an IP address: a Service without selector and the
//     EndpointSlice that gives it that address, so the name resolves to a
//     cluster IP that forwards to it.
package externalservices

import (
	"net/netip"

	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/novagen/novagen/catalog"
	"github.com/novagen/novagen/generators/kube"
	"github.com/novagen/novagen/naming"
)

// Name is the generator's name in function configs and the registry.
const Name = "external-services"

// portName names the main port of each Service and its EndpointSlice.
const portName = "tcp"

// Generate returns, per component outside the namespace, its Service (and
// for an IP its EndpointSlice), in name order. They are shared: rendered
// with the infrastructure partition.
func Generate(cat *catalog.Catalog) ([]kube.Object, error) {
	if !cat.OwnsShared() {
		return nil, nil
	}
	var out []kube.Object
	for _, e := range cat.Endpoints() {
		if !e.Outside() {
			continue
		}
		svc := &corev1.Service{
			TypeMeta:   kube.TypeMeta("v1", "Service"),
			ObjectMeta: kube.Meta(cat, Name, e.Name, kube.ComponentExternal),
		}
		for _, p := range e.Ports {
			svc.Spec.Ports = append(svc.Spec.Ports, corev1.ServicePort{
				Name: nameOf(p), Port: p.Port, TargetPort: intstr.FromInt32(p.Port), Protocol: corev1.ProtocolTCP,
			})
		}
		addr, isIP := e.AddressIP()
		if !isIP {
			svc.Spec.Type = corev1.ServiceTypeExternalName
			svc.Spec.ExternalName = e.Address
			out = append(out, svc)
			continue
		}
		svc.Spec.Type = corev1.ServiceTypeClusterIP
		out = append(out, svc, endpointSlice(cat, e, addr))
	}
	return out, nil
}

// endpointSlice points the selector-less Service of e at its address. The
// kubernetes.io/service-name label ties it to the Service; the name gets a
// suffix the EndpointSlice controller never uses.
func endpointSlice(cat *catalog.Catalog, e catalog.Endpoint, addr netip.Addr) *discoveryv1.EndpointSlice {
	meta := kube.Meta(cat, Name, naming.EndpointSlice(e.Name), kube.ComponentExternal)
	meta.Labels[kube.LabelName] = e.Name
	meta.Labels[discoveryv1.LabelServiceName] = e.Name
	meta.Labels[discoveryv1.LabelManagedBy] = kube.ManagedBy
	family := discoveryv1.AddressTypeIPv4
	if addr.Is6() {
		family = discoveryv1.AddressTypeIPv6
	}
	return &discoveryv1.EndpointSlice{
		TypeMeta:    kube.TypeMeta("discovery.k8s.io/v1", "EndpointSlice"),
		ObjectMeta:  meta,
		AddressType: family,
		Endpoints:   []discoveryv1.Endpoint{{Addresses: []string{addr.String()}, Conditions: discoveryv1.EndpointConditions{Ready: kube.Ptr(true)}}},
		Ports:       endpointPorts(e),
	}
}

func endpointPorts(e catalog.Endpoint) []discoveryv1.EndpointPort {
	var out []discoveryv1.EndpointPort
	for _, p := range e.Ports {
		out = append(out, discoveryv1.EndpointPort{Name: kube.Ptr(nameOf(p)), Port: kube.Ptr(p.Port), Protocol: kube.Ptr(corev1.ProtocolTCP)})
	}
	return out
}

// nameOf is a port's name in the Service and EndpointSlice: portName for
// the main one.
func nameOf(p catalog.EndpointPort) string {
	if p.Name == "" {
		return portName
	}
	return p.Name
}
