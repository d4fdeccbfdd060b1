// Package registry holds the plain data of the API contracts that the
// catalog model and the generators share: the contract ConfigMaps the
// loader renders and the service registry built from the catalog. It
// exists so that neither the model (package catalog) nor the generators
// pull in protobuf compilation: it must import nothing beyond the
// standard library (package contracts, which compiles and renders, does).
package registry

import "strings"

// MaxConfigMapBytes is the most data a ConfigMap may hold: the API server
// adds up the lengths of every key and value and refuses more than 1 MiB.
const MaxConfigMapBytes = 1 << 20

// Size is a ConfigMap's data size as the API server counts it.
func Size(data map[string]string) int {
	n := 0
	for k, v := range data {
		n += len(k) + len(v)
	}
	return n
}

// Registry is the service registry: one entry per catalog service, built
// from the catalog alone and written as YAML and as JSON from this one
// struct, so the two cannot disagree with each other or the catalog.
type Registry struct {
	// APIVersion is the contracts' version (spec.contracts.version).
	APIVersion string            `json:"apiVersion"`
	Namespace  string            `json:"namespace"`
	Services   []RegistryService `json:"services"`
}

// RegistryService is one catalog service.
type RegistryService struct {
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
	// Protocol is how it serves: grpc or http.
	Protocol string `json:"protocol"`
	// Address is host:port of the service's Service, its serving port.
	Address   string   `json:"address"`
	Database  string   `json:"database,omitempty"`
	Ports     Ports    `json:"ports"`
	DependsOn []string `json:"dependsOn"`
	// Health is the health endpoint: grpc.health.v1.Health/Check for a
	// grpc service, "GET <path>" for an http one.
	Health   string   `json:"health"`
	Produces []string `json:"produces"`
	Consumes []string `json:"consumes"`
}

// Ports are a service's serving port (gRPC or HTTP, by protocol) and
// its metrics port.
type Ports struct {
	GRPC    int32 `json:"grpc,omitempty"`
	HTTP    int32 `json:"http,omitempty"`
	Metrics int32 `json:"metrics"`
}

// ConfigMap is the name and data of one contract ConfigMap; Paths maps
// each key of a tree of proto files back to its path (volume items).
type ConfigMap struct {
	Name  string
	Data  map[string]string
	Paths map[string]string
}

// Major is the major version of a semantic version: "1" of "1.0.0".
func Major(version string) string {
	major, _, _ := strings.Cut(strings.TrimPrefix(version, "v"), ".")
	return major
}
