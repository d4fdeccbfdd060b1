// Package gatewayapi holds typed structs for the Gateway API's HTTPRoute
// (gateway.networking.k8s.io/v1): only the fields novagen sets, with the
// JSON names of the v1 CRD.
package gatewayapi

import metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

// APIVersion and Kind of an HTTPRoute.
const (
	APIVersion = "gateway.networking.k8s.io/v1"
	Kind       = "HTTPRoute"
)

// PathPrefix matches a path and everything below it.
const PathPrefix = "PathPrefix"

// HTTPRoute routes HTTP requests of a Gateway to Services.
type HTTPRoute struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`
	Spec              HTTPRouteSpec `json:"spec"`
}

// HTTPRouteSpec is spec of an HTTPRoute.
type HTTPRouteSpec struct {
	ParentRefs []ParentReference `json:"parentRefs"`
	Hostnames  []string          `json:"hostnames,omitempty"`
	Rules      []HTTPRouteRule   `json:"rules"`
}

// ParentReference names the Gateway (and optionally its listener) the
// route attaches to.
type ParentReference struct {
	Name        string `json:"name"`
	Namespace   string `json:"namespace,omitempty"`
	SectionName string `json:"sectionName,omitempty"`
}

// HTTPRouteRule sends matching requests to its backends.
type HTTPRouteRule struct {
	Matches     []HTTPRouteMatch `json:"matches,omitempty"`
	BackendRefs []BackendRef     `json:"backendRefs"`
}

// HTTPRouteMatch matches requests by path.
type HTTPRouteMatch struct {
	Path *PathMatch `json:"path,omitempty"`
}

// PathMatch is a path match of Type (PathPrefix).
type PathMatch struct {
	Type  string `json:"type"`
	Value string `json:"value"`
}

// BackendRef is a Service (in the route's namespace) and its port.
type BackendRef struct {
	Name string `json:"name"`
	Port int32  `json:"port"`
}
