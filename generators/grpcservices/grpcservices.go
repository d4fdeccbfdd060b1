// Package grpcservices is the generator grpc-services: its description in
// the registry (generators/registry.go; novagen generators prints it) says
// what it emits, and this is the detail. The headless Service publishes
// the gRPC port, so it selects pods by the protocol label workloads gives
// them (kube.ProtocolPodSelector): an http service's pods, where nothing
// listens on that port, stay out of it. A hand-written Deployment in a
// base joins it with the same label.
package grpcservices

import (
	"slices"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/novagen/novagen/catalog"
	"github.com/novagen/novagen/generators/kube"
	"github.com/novagen/novagen/naming"
)

// Name is the generator's name in function configs and the registry.
const Name = "grpc-services"

// h2c tells proxies and meshes the port speaks HTTP/2 without TLS, which
// is what a plaintext gRPC server does.
var appProtocolH2C = "kubernetes.io/h2c"

// appProtocolHTTP is an IANA service name: plain HTTP.
var appProtocolHTTP = "http"

// Generate returns one ClusterIP Service per catalog service, in catalog
// order, and the headless discovery Service; a partition's render, the
// Services of its own services.
func Generate(cat *catalog.Catalog) ([]kube.Object, error) {
	var out []kube.Object
	for i := range cat.Spec.Services {
		svc := &cat.Spec.Services[i]
		if !cat.Owns(svc.Name) {
			continue
		}
		s := &corev1.Service{
			TypeMeta:   kube.TypeMeta("v1", "Service"),
			ObjectMeta: kube.Meta(cat, Name, svc.Name, kube.ComponentGRPCService),
			Spec: corev1.ServiceSpec{
				Type:     corev1.ServiceTypeClusterIP,
				Selector: svc.SelectorLabels(),
				Ports:    ports(svc.PortName(), svc.Port(), svc.Ports.Metrics),
			},
		}
		out = append(out, s)
	}
	// The headless Service is shared (the infrastructure partition's),
	// and only for a catalog with a gRPC service: without one it would
	// select no pod.
	grpc := slices.ContainsFunc(cat.Spec.Services, func(s catalog.Service) bool { return !s.HTTP() })
	if !cat.OwnsShared() || !grpc {
		return out, nil
	}
	// Pods that override their ports still resolve through DNS; the
	// ports listed here are the catalog defaults.
	d := cat.Spec.Defaults.Ports
	out = append(out, &corev1.Service{
		TypeMeta:   kube.TypeMeta("v1", "Service"),
		ObjectMeta: kube.Meta(cat, Name, naming.HeadlessService(cat.Metadata.Name), kube.ComponentGRPCService),
		Spec: corev1.ServiceSpec{
			ClusterIP: corev1.ClusterIPNone,
			Selector:  kube.ProtocolPodSelector(cat, catalog.ProtocolGRPC),
			Ports:     ports(naming.PortGRPC, d.GRPC, d.Metrics),
		},
	})
	return out, nil
}

// ports target container ports by number, so hand-written Deployments in a
// base need not follow our port names.
// The serving port's appProtocol says what it speaks: h2c for gRPC,
// http for HTTP/1.1.
func ports(name string, port, metrics int32) []corev1.ServicePort {
	app := appProtocolH2C
	if name == naming.PortHTTP {
		app = appProtocolHTTP
	}
	return []corev1.ServicePort{
		{Name: name, Port: port, TargetPort: intstr.FromInt32(port), Protocol: corev1.ProtocolTCP, AppProtocol: &app},
		{Name: naming.PortMetrics, Port: metrics, TargetPort: intstr.FromInt32(metrics), Protocol: corev1.ProtocolTCP},
	}
}
