package catalog

import (
	"fmt"

	"github.com/novagen/novagen/contracts/registry"
	"github.com/novagen/novagen/naming"
)

// Contracts are the catalog's API contracts (spec.contracts): proto files
// below Root, relative to the catalog's directory. The loader reads and
// compiles them (protocompile) and renders the contract ConfigMaps, so the
// generator reads nothing and a catalog that loads always renders.
type Contracts struct {
	// Version is the API version (semantic: 1.0.0); its major names the
	// definitions ConfigMap (<catalog>-proto-definitions-v1).
	Version string `json:"version" schema:"required;ref=semver" doc:"The API version (1.0.0); its major version names the definitions ConfigMap (<catalog>-proto-definitions-v1)."`
	// Root is the directory of the proto tree, relative to the catalog's
	// directory; files are relative to it (their import paths).
	Root  string   `json:"root,omitempty" schema:"default=.;minLength=1" doc:"Directory of the proto tree, relative to the catalog's directory; default the catalog's directory itself."`
	Files []string `json:"files" schema:"required;maxItems=1000;minItems=1;elem.maxLength=253;elem.minLength=1" doc:"The proto files, relative to root: their import paths (nova/user/v1/user.proto). Imports resolve among them and google/protobuf's." elemdoc:"A proto file path relative to root, e.g. nova/user/v1/user.proto."`
	// BufConfig is the tree's buf.yaml, relative to Root; without one buf
	// uses its defaults (lint STANDARD, breaking FILE).
	BufConfig string `json:"bufConfig,omitempty" schema:"minLength=1" doc:"The tree's buf configuration (buf.yaml), relative to root; without it buf uses its defaults (lint STANDARD, breaking FILE)."`
	// Previous is the last release, which buf breaking compares against.
	Previous *PreviousContracts `json:"previous,omitempty" doc:"The previous release: the validation Job runs buf breaking against it."`

	configMaps []registry.ConfigMap // set by the loader: SetContractConfigMaps
}

// PreviousContracts is the release the current one must stay compatible
// with: its own tree, with the same files unless it lists its own.
type PreviousContracts struct {
	Version string   `json:"version" schema:"required;ref=semver" doc:"The previous release's API version (MAJOR.MINOR.PATCH); its major version names its definitions ConfigMap."`
	Root    string   `json:"root" schema:"required;minLength=1" doc:"Directory of the previous release's proto tree, relative to the catalog's directory."`
	Files   []string `json:"files,omitempty" schema:"maxItems=1000;minItems=1;elem.maxLength=253;elem.minLength=1" doc:"The previous release's files, relative to its root; default the current files." elemdoc:"A proto file path relative to the previous root."`
}

// ContractConfigMaps are the contract ConfigMaps (definitions, previous
// definitions, versions, service registry, docs), rendered and
// size-checked at load; none without spec.contracts.
func (c *Catalog) ContractConfigMaps() []registry.ConfigMap {
	if c.Spec.Contracts == nil {
		return nil
	}
	return c.Spec.Contracts.configMaps
}

// ServiceRegistry is the registry entry of every catalog service, in
// catalog order.
func (c *Catalog) ServiceRegistry() registry.Registry {
	r := registry.Registry{Namespace: c.Spec.Namespace, Services: []registry.RegistryService{}}
	if c.Spec.Contracts != nil {
		r.APIVersion = c.Spec.Contracts.Version
	}
	nonNil := func(s []string) []string { return append([]string{}, s...) }
	for i := range c.Spec.Services {
		s := &c.Spec.Services[i]
		health := naming.GRPCHealthCheck
		if s.HTTP() {
			health = "GET " + s.HealthPath
		}
		r.Services = append(r.Services, registry.RegistryService{
			Name:        s.Name,
			Description: s.Description,
			Protocol:    s.Protocol,
			Address:     fmt.Sprintf("%s.%s.svc.cluster.local:%d", s.Name, c.Spec.Namespace, s.Port()),
			Database:    s.Database,
			Ports:       registry.Ports{GRPC: s.Ports.GRPC, HTTP: s.Ports.HTTP, Metrics: s.Ports.Metrics},
			DependsOn:   nonNil(s.DependsOn),
			Health:      health,
			Produces:    nonNil(s.Produces),
			Consumes:    nonNil(s.Consumes),
		})
	}
	return r
}

// SetContractConfigMaps records the contract ConfigMaps the loader
// rendered from spec.contracts (nothing without it); the model does not
// compile protobuf itself.
func (c *Catalog) SetContractConfigMaps(cms []registry.ConfigMap) {
	if c.Spec.Contracts != nil {
		c.Spec.Contracts.configMaps = cms
	}
}
