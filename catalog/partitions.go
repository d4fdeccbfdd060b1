package catalog

import (
	"fmt"
	"hash/fnv"
	"slices"
	"strings"
)

// Partitions split one catalog into slices that are delivered apart (an
// Argo CD Application each), so no single render or sync has to carry
// thousands of services. A service goes to the partition its Label names
// (a team or domain label); the rest are spread over Hashed partitions by
// a hash of their name, which moves no service when another is added.
// Shared infrastructure (the namespace, credentials store objects,
// PostgreSQL, Redis, Kafka, ClickHouse...) is a partition of its own,
// InfrastructurePartition, delivered first.
type Partitions struct {
	// Label is a service label whose value names the service's partition.
	Label string `json:"label,omitempty" schema:"maxLength=317;minLength=1" doc:"A service label (e.g. team or domain) whose value names the service's partition."`
	// Hashed is how many partitions the services without Label share
	// (hash-0, hash-1...); 0 means one, "default".
	Hashed int `json:"hashed,omitempty" schema:"default=0;maximum=1000;minimum=0" doc:"How many hashed partitions share the services without the label (0: one, named default)."`
}

const (
	// InfrastructurePartition holds what every service shares.
	InfrastructurePartition = "infrastructure"
	// DefaultPartition holds the services without Label when Hashed is 0.
	DefaultPartition = "default"
	// HashedPartitionPrefix names the hashed partitions: hash-0, hash-1...
	HashedPartitionPrefix = "hash-"
	// MaxHashedPartitions bounds spec.partitions.hashed.
	MaxHashedPartitions = 1000
	// MaxPartitionName leaves room in an Application's name for the
	// catalog's name (<catalog>-<partition>, a DNS label: the loader
	// checks the two together, checkApplicationNames).
	MaxPartitionName = 30
)

// partitionIndex is the partitions of a partitioned catalog, computed
// once at load.
type partitionIndex struct {
	names []string          // infrastructure first, then sorted
	of    map[string]string // service -> partition
}

// Partitioned says the catalog declares spec.partitions.
func (c *Catalog) Partitioned() bool { return c.Spec.Partitions != nil }

// PartitionNames lists the partitions, infrastructure first, then by
// name; nil for a catalog that declares none.
func (c *Catalog) PartitionNames() []string {
	if c.parts == nil {
		return nil
	}
	return slices.Clone(c.parts.names)
}

// PartitionOf is the partition of a service ("" when the catalog declares
// none, or for a name that is not a service).
func (c *Catalog) PartitionOf(service string) string {
	if c.parts == nil {
		return ""
	}
	return c.parts.of[service]
}

// hashedPartition spreads services over n partitions by FNV-1a of the
// name: stable across catalog edits and Go versions.
func hashedPartition(name string, n int) string {
	h := fnv.New32a()
	h.Write([]byte(name))
	return fmt.Sprintf("%s%d", HashedPartitionPrefix, h.Sum32()%uint32(n))
}

// IndexPartitions assigns every service its partition. Index does it;
// the loader does it alone first so that checks which run before the
// index exists (generator checks: Problem) can group by partition. It
// needs only Spec, valid or not.
func (c *Catalog) IndexPartitions() {
	p := c.Spec.Partitions
	if p == nil {
		c.parts = nil
		return
	}
	ix := &partitionIndex{of: make(map[string]string, len(c.Spec.Services))}
	seen := map[string]bool{}
	for i := range c.Spec.Services {
		s := &c.Spec.Services[i]
		name := servicePartition(p, s)
		ix.of[s.Name] = name
		if !seen[name] {
			seen[name] = true
			ix.names = append(ix.names, name)
		}
	}
	slices.Sort(ix.names)
	ix.names = slices.Insert(ix.names, 0, InfrastructurePartition)
	c.parts = ix
}

func servicePartition(p *Partitions, s *Service) string {
	if v, ok := s.Labels[p.Label]; ok && p.Label != "" {
		return v
	}
	if p.Hashed == 0 {
		return DefaultPartition
	}
	return hashedPartition(s.Name, p.Hashed)
}

// InPartition is the catalog as one partition renders it: the same
// facts (every service, endpoint and dependency stays known, so waits,
// addresses and policies toward other partitions are right), but
// generators emit only what the partition owns (Owns, OwnsShared).
func (c *Catalog) InPartition(name string) (*Catalog, error) {
	if c.parts == nil {
		return nil, fmt.Errorf("partition %q: the catalog declares no spec.partitions", name)
	}
	if !slices.Contains(c.parts.names, name) {
		return nil, fmt.Errorf("partition %q is not in the catalog: it has %s", name, strings.Join(c.parts.names, ", "))
	}
	scoped := *c
	scoped.scope = name
	return &scoped, nil
}

// Partition is the partition this catalog renders, "" for all of them.
func (c *Catalog) Partition() string { return c.scope }

// Owns says whether the objects of this service are rendered: always,
// unless the catalog renders a partition the service is not in.
func (c *Catalog) Owns(service string) bool {
	return c.scope == "" || c.PartitionOf(service) == c.scope
}

// OwnsShared says whether shared objects (the infrastructure partition's)
// are rendered.
func (c *Catalog) OwnsShared() bool {
	return c.scope == "" || c.scope == InfrastructurePartition
}

// ownsPartition says whether objects of partition p are rendered ("" is
// the unpartitioned catalog's one partition).
func (c *Catalog) ownsPartition(p string) bool {
	return c.scope == "" || p == c.scope
}

// Group is a bounded share of a list, all in one partition: what one
// object that would otherwise grow with the catalog (a migration Job, an
// init-SQL ConfigMap, a validation Job) covers.
type Group[T any] struct {
	// Suffix tells the group's objects apart: "" when the whole
	// catalog is one group (small catalogs keep their plain names),
	// else "<partition>-<k>", or "<k>" in an unpartitioned catalog.
	Suffix    string
	Partition string // "" in an unpartitioned catalog
	Members   []T
}

// Groups splits members (in their order) into groups of at most size,
// partition by partition: partition says each member's
// (InfrastructurePartition for shared ones). A partition's render gets
// only its own groups; their suffixes are the same as in the whole
// render, so the partitions add up to it.
func Groups[T any](c *Catalog, members []T, partition func(T) string, size int) []Group[T] {
	if size < 1 {
		panic("catalog.Groups: size < 1")
	}
	var order []string
	byPart := map[string][]T{}
	for _, m := range members {
		p := ""
		if c.parts != nil {
			p = partition(m)
		}
		if _, ok := byPart[p]; !ok {
			order = append(order, p)
		}
		byPart[p] = append(byPart[p], m)
	}
	slices.Sort(order)
	single := c.parts == nil && len(members) <= size
	var out []Group[T]
	for _, p := range order {
		ms := byPart[p]
		if !c.ownsPartition(p) {
			continue
		}
		for k := 0; len(ms) > 0; k++ {
			n := min(size, len(ms))
			g := Group[T]{Partition: p, Members: ms[:n:n]}
			switch {
			case single:
			case p == "":
				g.Suffix = fmt.Sprint(k)
			default:
				g.Suffix = fmt.Sprintf("%s-%d", p, k)
			}
			out = append(out, g)
			ms = ms[n:]
		}
	}
	return out
}

// DatabasePartition is the partition a database's objects (its init SQL,
// its logins' Secrets) belong to: its owning service's, or the
// infrastructure partition for a database no service owns.
func (c *Catalog) DatabasePartition(db string) string {
	if s, ok := c.DatabaseOwner(db); ok && c.Partitioned() {
		return c.PartitionOf(s.Name)
	}
	return InfrastructurePartition
}

// OwnsDatabase says whether the objects of database db (and of its
// logins) are rendered: those of its owner's partition, or shared ones.
func (c *Catalog) OwnsDatabase(db string) bool {
	if s, ok := c.DatabaseOwner(db); ok {
		return c.Owns(s.Name)
	}
	return c.OwnsShared()
}

// PartitionPointer is where a partition is named: the label of its first
// service that has it, else spec.partitions (spec.databases in an
// unpartitioned catalog).
func (c *Catalog) PartitionPointer(partition string) string {
	p := c.Spec.Partitions
	if p == nil {
		return "/spec/databases"
	}
	if p.Label != "" {
		for i, s := range c.Spec.Services {
			if s.Labels[p.Label] == partition {
				return fmt.Sprintf("/spec/services/%d/labels/%s", i, EscapePointer(p.Label))
			}
		}
	}
	return "/spec/partitions"
}
