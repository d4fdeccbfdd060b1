package catalog

import (
	"net/netip"
	"slices"
	"strings"

	"github.com/novagen/novagen/naming"
)

// EndpointKind says what a dependency name refers to.
type EndpointKind string

const (
	KindService        EndpointKind = "service"
	KindInfrastructure EndpointKind = "infrastructure"
	KindExternal       EndpointKind = "external"
)

// Endpoint is something a service can depend on: where clients reach it
// and which pods implement it.
type Endpoint struct {
	Name      string
	Kind      EndpointKind
	Host      string            // what clients dial: always the in-namespace Service named Name
	Port      int32             // what clients wait for
	Ports     []EndpointPort    // every port clients use, Port first
	PodLabels map[string]string // the pods implementing it; none when it runs outside
	Address   string            // runs outside (external, or infrastructure not managed): its DNS name or IP
	CIDR      string            // runs outside: where egress may go; empty means its IP, or anywhere
}

// EndpointPort is one TCP port of an endpoint.
type EndpointPort struct {
	Name string // "" for the main port: its user names it
	Port int32
}

// PortNumbers are the endpoint's TCP ports, Port first.
func (e Endpoint) PortNumbers() []int32 {
	out := make([]int32, len(e.Ports))
	for i, p := range e.Ports {
		out[i] = p.Port
	}
	return out
}

// Outside says the endpoint runs outside the namespace: clients reach it
// through a Service pointing at Address.
func (e Endpoint) Outside() bool { return e.Address != "" }

// Login is one PostgreSQL login role the catalog declares: a
// database-owning service's, or a database's reader role.
type Login struct {
	Role     string   // the PostgreSQL role
	Database string   // the one database it may connect to
	Secret   string   // the Secret with its username, password and DATABASE_URL
	Service  *Service // the service owning Database; nil for a reader role
}

// index holds what generators look up, computed once when the catalog
// loads, so no lookup scans the catalog: render cost stays linear in its
// size.
type index struct {
	endpoints []Endpoint      // sorted by name
	endpoint  map[string]int  // name -> endpoints
	service   map[string]int  // name -> Spec.Services
	owner     map[string]int  // database -> Spec.Services
	logins    []Login         // sorted by role
	waits     map[string]bool // wait-for-<endpoint> container names
	databases []Database      // sorted by name
	infra     map[string]*Component
	kafka     []string            // Kafka's clients, sorted
	analytics []string            // ClickHouse's clients, sorted
	reaches   map[string][]string // node -> the nodes it connects to
	reachedBy map[string][]string // node -> the nodes connecting to it, sorted
	metrics   []MetricsTarget     // sorted by name
	metric    map[string]int      // name -> metrics
	exporters []Exporter          // sorted by name
	externals externalIndex       // who waits for external components
}

// DeclaredEndpoints lists every dependency target: infrastructure,
// external components and services, sorted by name. It reads Spec alone
// (the loader validates with it before the index exists); Endpoints is
// the indexed list.
func (c *Catalog) DeclaredEndpoints() []Endpoint {
	var out []Endpoint
	for _, ic := range c.InfrastructureComponents() {
		e := Endpoint{Name: ic.Name, Kind: KindInfrastructure, Host: ic.Name, Port: ic.Comp.Port, PodLabels: ic.Comp.PodLabels}
		e.Ports = append([]EndpointPort{{Port: ic.Comp.Port}}, ic.ExtraPorts...)
		if !ic.Comp.IsManaged() {
			e.PodLabels, e.Address, e.CIDR = nil, ic.Comp.Host, ic.Comp.CIDR
		}
		out = append(out, e)
	}
	for _, e := range c.Spec.Infrastructure.External {
		out = append(out, Endpoint{Name: e.Name, Kind: KindExternal, Host: e.Name, Port: e.Port, Ports: []EndpointPort{{Port: e.Port}}, Address: e.Host, CIDR: e.CIDR})
	}
	for i := range c.Spec.Services {
		s := &c.Spec.Services[i]
		out = append(out, Endpoint{Name: s.Name, Kind: KindService, Host: s.Name, Port: s.Port(), Ports: []EndpointPort{{Port: s.Port()}}, PodLabels: s.SelectorLabels()})
	}
	slices.SortStableFunc(out, func(a, b Endpoint) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// NamedComponent is a declared infrastructure component and its name.
type NamedComponent struct {
	Name       string
	Comp       *Component
	ExtraPorts []EndpointPort // client ports besides Comp.Port
}

// InfrastructureComponents lists the declared components in a fixed order.
func (c *Catalog) InfrastructureComponents() []NamedComponent {
	inf := &c.Spec.Infrastructure
	var out []NamedComponent
	if inf.Postgres != nil {
		out = append(out, NamedComponent{"postgres", &inf.Postgres.Component, nil})
	}
	if inf.Redis != nil {
		out = append(out, NamedComponent{"redis", &inf.Redis.Component, nil})
	}
	if inf.Zookeeper != nil {
		out = append(out, NamedComponent{"zookeeper", &inf.Zookeeper.Component, nil})
	}
	if inf.Kafka != nil {
		out = append(out, NamedComponent{"kafka", &inf.Kafka.Component, nil})
	}
	if inf.ClickHouse != nil {
		// Clients speak the native protocol or HTTP.
		out = append(out, NamedComponent{"clickhouse", &inf.ClickHouse.Component, []EndpointPort{{Name: naming.PortClickHouseHTTP, Port: inf.ClickHouse.HTTPPort}}})
	}
	return out
}

// Index indexes the validated catalog, once, as the loader's last step:
// endpoints are its DeclaredEndpoints (already built for validation) and
// g its dependency graph (NewGraph, without cycles). Every lookup
// (Service, Endpoint, DatabaseOwner, Reaches...) reads this index, so no
// lookup scans the catalog: render cost stays linear in its size.
func (c *Catalog) Index(endpoints []Endpoint, g *Graph) {
	c.graph = g
	ix := &index{
		endpoints: endpoints,
		endpoint:  map[string]int{},
		service:   map[string]int{},
		owner:     map[string]int{},
		waits:     map[string]bool{},
		infra:     map[string]*Component{},
	}
	for i, e := range ix.endpoints {
		ix.endpoint[e.Name] = i
		ix.waits[naming.WaitContainer(e.Name)] = true
	}
	for _, ic := range c.InfrastructureComponents() {
		ix.infra[ic.Name] = ic.Comp
	}
	for i := range c.Spec.Services {
		s := &c.Spec.Services[i]
		ix.service[s.Name] = i
		if c.Spec.Infrastructure.Kafka != nil && s.UsesKafka() {
			ix.kafka = append(ix.kafka, s.Name)
		}
		if c.Spec.Infrastructure.ClickHouse != nil && s.UsesClickHouse() {
			ix.analytics = append(ix.analytics, s.Name)
		}
		if s.Database != "" {
			ix.owner[s.Database] = i
			ix.logins = append(ix.logins, Login{Role: s.Role(), Database: s.Database, Secret: naming.DBSecret(s.Name), Service: s})
		}
	}
	ix.databases = slices.Clone(c.Spec.Databases)
	slices.SortFunc(ix.databases, func(a, b Database) int { return strings.Compare(a.Name, b.Name) })
	for _, d := range ix.databases {
		if d.ReaderRole != "" {
			ix.logins = append(ix.logins, Login{Role: d.ReaderRole, Database: d.Name, Secret: naming.ReaderSecret(d.ReaderRole)})
		}
	}
	slices.SortFunc(ix.logins, func(a, b Login) int { return strings.Compare(a.Role, b.Role) })
	slices.Sort(ix.kafka)
	slices.Sort(ix.analytics)
	c.index = ix
	c.indexConnections()
	c.indexExternals()
	c.indexMetrics()
	c.IndexPartitions()
}

// indexConnections records who talks to whom: what a node waits for, and
// for a service also the database server when it owns a database and
// Kafka when it produces or consumes (it may do both without waiting).
func (c *Catalog) indexConnections() {
	ix := c.index
	ix.reaches, ix.reachedBy = map[string][]string{}, map[string][]string{}
	db, hasDB := c.DatabaseServer()
	for _, n := range c.graph.Nodes() {
		to := c.graph.DependsOn(n)
		if s, ok := c.Service(n); ok {
			if hasDB && s.Database != "" && !slices.Contains(to, db.Name) {
				to = append(to, db.Name)
			}
			if c.Spec.Infrastructure.Kafka != nil && s.UsesKafka() && !slices.Contains(to, "kafka") {
				to = append(to, "kafka")
			}
		}
		ix.reaches[n] = to
		for _, d := range to {
			ix.reachedBy[d] = append(ix.reachedBy[d], n) // sorted: nodes come sorted
		}
	}
}

// Reaches lists the nodes n connects to: what it waits for, in catalog
// order, then the database server if it owns a database and Kafka if it
// produces or consumes. NetworkPolicies allow exactly these. The slice is
// shared.
func (c *Catalog) Reaches(n string) []string { return c.index.reaches[n] }

// ReachedBy lists the nodes that connect to n, sorted. The slice is
// shared.
func (c *Catalog) ReachedBy(n string) []string { return c.index.reachedBy[n] }

// Endpoints returns every dependency target, sorted by name. The slice is
// shared: callers must not change it.
func (c *Catalog) Endpoints() []Endpoint { return c.index.endpoints }

// Endpoint looks up a dependency target by name.
func (c *Catalog) Endpoint(name string) (Endpoint, bool) {
	i, ok := c.index.endpoint[name]
	if !ok {
		return Endpoint{}, false
	}
	return c.index.endpoints[i], true
}

// IsWaitContainer reports whether name is the wait-for container of one
// of the catalog's endpoints.
func (c *Catalog) IsWaitContainer(name string) bool { return c.index.waits[name] }

// Graph returns the validated dependency graph.
func (c *Catalog) Graph() *Graph { return c.graph }

// Service looks up a service by name.
func (c *Catalog) Service(name string) (*Service, bool) {
	i, ok := c.index.service[name]
	if !ok {
		return nil, false
	}
	return &c.Spec.Services[i], true
}

// DatabaseOwner returns the service that owns database db, if any.
func (c *Catalog) DatabaseOwner(db string) (*Service, bool) {
	i, ok := c.index.owner[db]
	if !ok {
		return nil, false
	}
	return &c.Spec.Services[i], true
}

// DatabaseOwners returns the services that own a database, in catalog
// order (the order their migrations run in).
func (c *Catalog) DatabaseOwners() []*Service {
	var out []*Service
	for i := range c.Spec.Services {
		if c.Spec.Services[i].Database != "" {
			out = append(out, &c.Spec.Services[i])
		}
	}
	return out
}

// Databases returns the catalog's databases sorted by name: the order of
// spec.databases means nothing, so nothing derived from it may depend on
// it. The slice is shared: callers must not change it.
func (c *Catalog) Databases() []Database { return c.index.databases }

// Logins lists every PostgreSQL login role, sorted by role: the
// database-owning services' and the reader roles. The admin is not one:
// it exists before any of this runs. The slice is shared.
func (c *Catalog) Logins() []Login { return c.index.logins }

// DatabaseServer is the endpoint of the PostgreSQL server that holds the
// service databases, if the catalog has one.
func (c *Catalog) DatabaseServer() (Endpoint, bool) { return c.Endpoint("postgres") }

// Component returns the declared infrastructure component name (postgres,
// redis, zookeeper, kafka, clickhouse).
func (c *Catalog) Component(name string) (*Component, bool) {
	comp, ok := c.index.infra[name]
	return comp, ok
}

// KafkaClients are the services that use Kafka, sorted: every producer
// and consumer of a topic and every service that waits for Kafka. Each
// gets its address and may reach it. The slice is shared.
func (c *Catalog) KafkaClients() []string { return c.index.kafka }

// ClickHouseClients are the services that use ClickHouse (they depend on
// it), sorted: each gets a login of its own. The slice is shared.
func (c *Catalog) ClickHouseClients() []string { return c.index.analytics }

// KafkaImage is the image of Kafka's mode: images.kafkaKraft in kraft
// mode, else images.kafka.
func (c *Catalog) KafkaImage() string {
	if k := c.Spec.Infrastructure.Kafka; k != nil && k.KRaft() {
		return c.Spec.Images.KafkaKraft
	}
	return c.Spec.Images.Kafka
}

// UsesKafka says whether the service produces or consumes a topic or
// waits for Kafka.
func (s *Service) UsesKafka() bool {
	return len(s.Produces) > 0 || len(s.Consumes) > 0 || slices.Contains(s.DependsOn, "kafka")
}

// UsesClickHouse says whether the service depends on ClickHouse, which
// makes it a client with a login of its own.
func (s *Service) UsesClickHouse() bool { return slices.Contains(s.DependsOn, "clickhouse") }

// CreatesNamespace says whether the Namespace is rendered.
func (c *Catalog) CreatesNamespace() bool {
	return c.Spec.CreateNamespace == nil || *c.Spec.CreateNamespace
}

// SelectorLabels select the pods of a service; they never change for the
// life of a Deployment, so they hold only the name.
func (s *Service) SelectorLabels() map[string]string {
	return map[string]string{naming.LabelName: s.Name}
}

// ImageRef is the full, pinned image reference of the service:
// repository:tag or repository@digest.
func (s *Service) ImageRef() string {
	if s.Image.Digest != "" {
		return s.Image.Repository + "@" + s.Image.Digest
	}
	return s.Image.Repository + ":" + s.Image.Tag
}

// Role is the PostgreSQL login role of a service: its name in SQL form.
func (s *Service) Role() string { return naming.Role(s.Name) }

// AddressIP is the address of an endpoint outside the namespace when its
// host is an IP address.
func (e Endpoint) AddressIP() (netip.Addr, bool) {
	if !e.Outside() {
		return netip.Addr{}, false
	}
	return ParseIP(e.Address)
}

// EgressCIDR is the network an endpoint outside the namespace is reached
// in: its catalog cidr, else its own address when that is an IP; "" means
// any.
func (e Endpoint) EgressCIDR() string {
	if e.CIDR != "" {
		return e.CIDR
	}
	if a, ok := e.AddressIP(); ok {
		return netip.PrefixFrom(a, a.BitLen()).String()
	}
	return ""
}

// HTTP says the service serves HTTP rather than gRPC.
func (s *Service) HTTP() bool { return s.Protocol == ProtocolHTTP }

// Port is the port the service serves its clients on: its gRPC or its
// HTTP port, by protocol.
func (s *Service) Port() int32 {
	if s.HTTP() {
		return s.Ports.HTTP
	}
	return s.Ports.GRPC
}

// PortName is the name of the serving port (Service and container).
func (s *Service) PortName() string {
	if s.HTTP() {
		return naming.PortHTTP
	}
	return naming.PortGRPC
}

// Exposed lists the services the catalog exposes, in catalog order.
func (c *Catalog) Exposed() []*Service {
	var out []*Service
	for i := range c.Spec.Services {
		if c.Spec.Services[i].Expose != nil {
			out = append(out, &c.Spec.Services[i])
		}
	}
	return out
}

// ParseIP reads host as an IP address in the one form the API server
// accepts (no leading zeros, no zone).
func ParseIP(host string) (netip.Addr, bool) {
	a, err := netip.ParseAddr(host)
	if err != nil || a.Zone() != "" {
		return netip.Addr{}, false
	}
	return a.Unmap(), true
}
