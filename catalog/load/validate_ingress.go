package load

import (
	"fmt"
	"strings"

	"github.com/novagen/novagen/catalog"
)

// checkProtocols: a service has the port and health path of its own
// protocol only, so no field is silently ignored.
func (v *validator) checkProtocols() {
	for i, s := range v.cat.Spec.Services {
		ptr := fmt.Sprintf("/spec/services/%d", i)
		if s.HTTP() {
			if v.pos.has(ptr + "/ports/grpc") {
				v.errorf(ptr+"/ports/grpc", "service %q serves http: give its port as ports.http", s.Name)
			}
			continue
		}
		for _, f := range []string{"/ports/http", "/healthPath"} {
			if v.pos.has(ptr + f) {
				v.errorf(ptr+f, "service %q serves grpc (the default): %s is for protocol http", s.Name, strings.ReplaceAll(f[1:], "/", "."))
			}
		}
	}
}

// checkIngress: exposed services serve HTTP at distinct host and path,
// TLS has an issuer, and the entry point names what its kind needs.
func (v *validator) checkIngress() {
	in := v.cat.Spec.Ingress
	if in == nil {
		return
	}
	switch in.Kind {
	case catalog.IngressKindHTTPRoute:
		if in.Gateway == nil {
			v.errorf("/spec/ingress/kind", "kind HTTPRoute needs gateway: {name, namespace}, the parent Gateway of the routes")
		}
		if in.ClassName != "" {
			v.errorf("/spec/ingress/className", "className is for kind Ingress; an HTTPRoute names its gateway")
		}
	case catalog.IngressKindIngress:
		if in.Gateway != nil {
			v.errorf("/spec/ingress/gateway", "gateway is for kind HTTPRoute; an Ingress names its className")
		}
	}
	if in.Controller.Namespace == "" || len(in.Controller.PodLabels) == 0 {
		v.errorf("/spec/ingress/controller", "the ingress controller needs both namespace and podLabels: its pods are admitted to the exposed services")
	}
	routes := map[string]string{}
	for i, s := range v.cat.Spec.Services {
		if s.Expose == nil {
			continue
		}
		ptr := fmt.Sprintf("/spec/services/%d/expose", i)
		if !s.HTTP() {
			v.errorf(ptr, "service %q is exposed but serves grpc: only protocol http services can be exposed", s.Name)
		}
		route := s.Expose.Host + s.Expose.Path
		if prev, ok := routes[route]; ok {
			v.errorf(ptr, "service %q is exposed at %s, as is service %q", s.Name, showKey(route), prev)
		}
		routes[route] = s.Name
		if s.Expose.TLS {
			if in.Issuer == nil {
				v.errorf(ptr+"/tls", "service %q has tls: true but spec.ingress names no issuer: {kind, name} for its Certificate", s.Name)
			}
		}
	}
}
