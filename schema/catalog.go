package schema

import (
	"maps"
	"slices"
	"strings"
)

// EndpointKind says what a dependency name refers to.
type EndpointKind string

const (
	KindService        EndpointKind = "service"
	KindInfrastructure EndpointKind = "infrastructure"
	KindExternal       EndpointKind = "external"
)

// Endpoint is something a service can depend on: where it listens and
// which pods implement it.
type Endpoint struct {
	Name      string
	Kind      EndpointKind
	Host      string
	Port      int32
	PodLabels map[string]string // empty for external endpoints
	CIDR      string            // external only; empty means anywhere
}

// Endpoints returns every dependency target: infrastructure, external
// components and services, sorted by name.
func (c *Catalog) Endpoints() []Endpoint {
	var out []Endpoint
	inf := c.Spec.Infrastructure
	add := func(name string, comp *Component) {
		out = append(out, Endpoint{Name: name, Kind: KindInfrastructure, Host: comp.Host, Port: comp.Port, PodLabels: comp.PodLabels})
	}
	if inf.Postgres != nil {
		add("postgres", &inf.Postgres.Component)
	}
	if inf.Redis != nil {
		add("redis", &inf.Redis.Component)
	}
	if inf.Zookeeper != nil {
		add("zookeeper", &inf.Zookeeper.Component)
	}
	if inf.Kafka != nil {
		add("kafka", &inf.Kafka.Component)
	}
	if inf.ClickHouse != nil {
		add("clickhouse", &inf.ClickHouse.Component)
	}
	for _, e := range inf.External {
		out = append(out, Endpoint{Name: e.Name, Kind: KindExternal, Host: e.Host, Port: e.Port, CIDR: e.CIDR})
	}
	for _, s := range c.Spec.Services {
		out = append(out, Endpoint{Name: s.Name, Kind: KindService, Host: s.Name, Port: s.Ports.GRPC, PodLabels: s.SelectorLabels()})
	}
	slices.SortStableFunc(out, func(a, b Endpoint) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// Endpoint looks up a dependency target by name.
func (c *Catalog) Endpoint(name string) (Endpoint, bool) {
	for _, e := range c.Endpoints() {
		if e.Name == name {
			return e, true
		}
	}
	return Endpoint{}, false
}

// Graph returns the validated dependency graph.
func (c *Catalog) Graph() *Graph { return c.graph }

// Service looks up a service by name.
func (c *Catalog) Service(name string) (*Service, bool) {
	for i := range c.Spec.Services {
		if c.Spec.Services[i].Name == name {
			return &c.Spec.Services[i], true
		}
	}
	return nil, false
}

// DatabaseOwner returns the service that owns database db, if any.
func (c *Catalog) DatabaseOwner(db string) (*Service, bool) {
	for i := range c.Spec.Services {
		if c.Spec.Services[i].Database == db {
			return &c.Spec.Services[i], true
		}
	}
	return nil, false
}

// SelectorLabels select the pods of a service; they never change for the
// life of a Deployment, so they hold only the name.
func (s *Service) SelectorLabels() map[string]string {
	return map[string]string{"app.kubernetes.io/name": s.Name}
}

// Image is the full, pinned image reference of the service.
func (s *Service) ImageRef() string { return s.Image.Repository + ":" + s.Image.Tag }

// Role is the PostgreSQL login role of a service: its name in SQL form.
func (s *Service) Role() string { return strings.ReplaceAll(s.Name, "-", "_") }

func mapKeys[V any](m map[string]V) func(func(string) bool) { return maps.Keys(m) }
