package schema

import (
	"fmt"
	"slices"
	"strings"

	"k8s.io/apimachinery/pkg/api/resource"
)

// validator checks what the JSON Schema cannot: that references resolve,
// names and ports are unique, ownership is consistent and the dependency
// graph has no cycles. It records every finding and stops at none.
type validator struct {
	cat  *Catalog
	pos  *positions
	errs Errors
}

func (v *validator) errorf(ptr string, format string, args ...any) {
	v.errs = append(v.errs, Error{Pos: v.pos.value(ptr), Message: fmt.Sprintf(format, args...)})
}

func (v *validator) validate() {
	v.checkNames()
	v.checkPorts()
	v.checkDatabases()
	v.checkServices()
	v.checkInfrastructure()
	v.checkQuantities()
	v.buildGraph()
}

// checkNames: services, infrastructure and external components share one
// namespace of dependency names; databases and topics have their own.
func (v *validator) checkNames() {
	first := map[string]string{}
	claim := func(name, ptr, what string) {
		if prev, ok := first[name]; ok {
			v.errorf(ptr, "duplicate name %q: already used by %s", name, prev)
			return
		}
		first[name] = fmt.Sprintf("%s at %s", what, v.pos.value(ptr))
	}
	inf := v.cat.Spec.Infrastructure
	for _, c := range []struct {
		name string
		set  bool
	}{{"postgres", inf.Postgres != nil}, {"redis", inf.Redis != nil}, {"zookeeper", inf.Zookeeper != nil}, {"kafka", inf.Kafka != nil}, {"clickhouse", inf.ClickHouse != nil}} {
		if c.set {
			first[c.name] = "infrastructure component at " + v.pos.key("/spec/infrastructure/"+c.name).String()
		}
	}
	for i, e := range inf.External {
		claim(e.Name, fmt.Sprintf("/spec/infrastructure/external/%d/name", i), "external component")
	}
	for i, s := range v.cat.Spec.Services {
		claim(s.Name, fmt.Sprintf("/spec/services/%d/name", i), "service")
	}

	dbs := map[string]bool{}
	for i, d := range v.cat.Spec.Databases {
		if dbs[d.Name] {
			v.errorf(fmt.Sprintf("/spec/databases/%d/name", i), "duplicate database %q", d.Name)
		}
		dbs[d.Name] = true
	}
	topics := map[string]bool{}
	for i, t := range v.cat.Spec.Topics {
		if topics[t.Name] {
			v.errorf(fmt.Sprintf("/spec/topics/%d/name", i), "duplicate topic %q", t.Name)
		}
		topics[t.Name] = true
	}
}

// checkPorts: the ports one pod or component listens on must differ.
func (v *validator) checkPorts() {
	for i, s := range v.cat.Spec.Services {
		// A service that inherits both ports shares the defaults' error.
		if _, own := v.pos.keys[fmt.Sprintf("/spec/services/%d/ports", i)]; own && s.Ports.GRPC == s.Ports.Metrics {
			v.errorf(fmt.Sprintf("/spec/services/%d/ports", i), "service %q uses port %d for both gRPC and metrics", s.Name, s.Ports.GRPC)
		}
	}
	d := v.cat.Spec.Defaults.Ports
	if d.GRPC == d.Metrics {
		v.errorf("/spec/defaults/ports", "defaults use port %d for both gRPC and metrics", d.GRPC)
	}
	inf := v.cat.Spec.Infrastructure
	if k := inf.Kafka; k != nil && k.JMXPort != 0 && k.JMXPort == k.Port {
		v.errorf("/spec/infrastructure/kafka/jmxPort", "kafka uses port %d for both clients and JMX", k.Port)
	}
	if c := inf.ClickHouse; c != nil && c.HTTPPort != 0 && c.HTTPPort == c.Port {
		v.errorf("/spec/infrastructure/clickhouse/httpPort", "clickhouse uses port %d for both TCP and HTTP", c.Port)
	}
}

// checkDatabases: each database has at most one owner; a read-only one has
// none; every role name derived from the catalog is distinct.
func (v *validator) checkDatabases() {
	byName := map[string]Database{}
	for _, d := range v.cat.Spec.Databases {
		byName[d.Name] = d
	}
	owner := map[string]string{}
	roles := map[string]string{}
	if pg := v.cat.Spec.Infrastructure.Postgres; pg != nil {
		roles[pg.Admin.User] = "the postgres admin user"
	}
	for i, s := range v.cat.Spec.Services {
		if s.Database == "" {
			continue
		}
		ptr := fmt.Sprintf("/spec/services/%d/database", i)
		if v.cat.Spec.Infrastructure.Postgres == nil {
			v.errorf(ptr, "service %q has database %q but spec.infrastructure.postgres is not declared", s.Name, s.Database)
		}
		d, ok := byName[s.Database]
		switch {
		case !ok:
			v.errorf(ptr, "service %q uses unknown database %q%s", s.Name, s.Database, suggest(s.Database, keys(byName)))
		case d.ReadOnly:
			v.errorf(ptr, "service %q cannot own database %q: it is read-only", s.Name, s.Database)
		case owner[s.Database] != "":
			v.errorf(ptr, "database %q is owned by both %q and %q", s.Database, owner[s.Database], s.Name)
		default:
			owner[s.Database] = s.Name
		}
		// Two services share a role only if they share a name, which
		// checkNames reports; the admin user is the one to guard against.
		if prev, ok := roles[s.Role()]; ok && !strings.HasPrefix(prev, "the role of service") {
			v.errorf(ptr, "service %q would log in as role %q, already %s", s.Name, s.Role(), prev)
		}
		roles[s.Role()] = fmt.Sprintf("the role of service %q", s.Name)
	}
	for i, d := range v.cat.Spec.Databases {
		if d.ReaderRole == "" {
			continue
		}
		ptr := fmt.Sprintf("/spec/databases/%d/readerRole", i)
		if prev, ok := roles[d.ReaderRole]; ok {
			v.errorf(ptr, "reader role %q of database %q is already %s", d.ReaderRole, d.Name, prev)
		}
		roles[d.ReaderRole] = fmt.Sprintf("the reader role of database %q", d.Name)
	}
}

// checkServices: every dependency and topic reference resolves.
func (v *validator) checkServices() {
	names := map[string]bool{}
	for _, e := range v.cat.Endpoints() {
		names[e.Name] = true
	}
	topics := map[string]bool{}
	for _, t := range v.cat.Spec.Topics {
		topics[t.Name] = true
	}
	for i, s := range v.cat.Spec.Services {
		seen := map[string]bool{}
		for j, d := range s.DependsOn {
			ptr := fmt.Sprintf("/spec/services/%d/dependsOn/%d", i, j)
			switch {
			case d == s.Name:
				v.errorf(ptr, "service %q depends on itself", s.Name)
			case !names[d]:
				others := slices.DeleteFunc(keys(names), func(n string) bool { return n == s.Name })
				v.errorf(ptr, "service %q depends on unknown %q%s", s.Name, d, suggest(d, others))
			case seen[d]:
				v.errorf(ptr, "service %q lists dependency %q twice", s.Name, d)
			}
			seen[d] = true
		}
		for _, list := range []struct {
			field  string
			topics []string
		}{{"produces", s.Produces}, {"consumes", s.Consumes}} {
			for j, t := range list.topics {
				ptr := fmt.Sprintf("/spec/services/%d/%s/%d", i, list.field, j)
				if !topics[t] {
					v.errorf(ptr, "service %q %s unknown topic %q%s", s.Name, list.field, t, suggest(t, keys(topics)))
				}
			}
			// Without the dependency the service would neither wait for
			// Kafka nor be allowed to reach it by its NetworkPolicy.
			if len(list.topics) > 0 && !seen["kafka"] {
				v.errorf(fmt.Sprintf("/spec/services/%d/%s", i, list.field), "service %q %s topics but does not depend on \"kafka\"", s.Name, list.field)
			}
		}
	}
}

func (v *validator) checkInfrastructure() {
	inf := v.cat.Spec.Infrastructure
	if k := inf.Kafka; k != nil && k.Mode == "zookeeper" && inf.Zookeeper == nil {
		v.errorf("/spec/infrastructure/kafka", "kafka in zookeeper mode needs spec.infrastructure.zookeeper")
	}
	if len(v.cat.Spec.Topics) > 0 && inf.Kafka == nil {
		v.errorf("/spec/topics", "topics are declared but spec.infrastructure.kafka is not")
	}
	for i, t := range v.cat.Spec.Topics {
		if inf.Kafka != nil && t.ReplicationFactor > inf.Kafka.Brokers && inf.Kafka.Brokers > 0 {
			v.errorf(fmt.Sprintf("/spec/topics/%d/replicationFactor", i), "topic %q has replication factor %d but kafka has %d broker(s)", t.Name, t.ReplicationFactor, inf.Kafka.Brokers)
		}
	}
}

// checkQuantities parses every resource quantity the way the API server
// will; the schema pattern only approximates it.
func (v *validator) checkQuantities() {
	check := func(ptr string, r Resources) {
		for _, kind := range []struct {
			name string
			m    map[string]string
		}{{"requests", r.Requests}, {"limits", r.Limits}} {
			for _, k := range slices.Sorted(mapKeys(kind.m)) {
				if _, err := resource.ParseQuantity(kind.m[k]); err != nil {
					v.errorf(ptr+"/"+kind.name+"/"+k, "%q is not a valid quantity: %v", kind.m[k], err)
				}
			}
		}
	}
	check("/spec/defaults/resources", v.cat.Spec.Defaults.Resources)
	for i, s := range v.cat.Spec.Services {
		check(fmt.Sprintf("/spec/services/%d/resources", i), s.Resources)
	}
}

func (v *validator) buildGraph() {
	known := map[string]bool{}
	var nodes []string
	for _, e := range v.cat.Endpoints() {
		if !known[e.Name] {
			nodes = append(nodes, e.Name)
		}
		known[e.Name] = true
	}
	// Edges to unknown names were reported above; leaving them out still
	// lets cycles among the known ones show in the same run.
	deps := map[string][]string{}
	index := map[string]int{}
	for i, s := range v.cat.Spec.Services {
		if _, dup := index[s.Name]; dup {
			continue
		}
		index[s.Name] = i
		for _, d := range s.DependsOn {
			if known[d] && d != s.Name && !slices.Contains(deps[s.Name], d) {
				deps[s.Name] = append(deps[s.Name], d)
			}
		}
	}
	if k := v.cat.Spec.Infrastructure.Kafka; k != nil && k.Mode == "zookeeper" && v.cat.Spec.Infrastructure.Zookeeper != nil {
		deps["kafka"] = []string{"zookeeper"}
	}
	g, cycles := newGraph(nodes, deps)
	for _, c := range cycles {
		// Report at the edge from the cycle's first service to the next.
		ptr := "/spec/services"
		if i, ok := index[c[0]]; ok {
			j := slices.Index(v.cat.Spec.Services[i].DependsOn, c[1%len(c)])
			ptr = fmt.Sprintf("/spec/services/%d/dependsOn/%d", i, j)
		}
		v.errorf(ptr, "dependency cycle: %s -> %s", strings.Join(c, " -> "), c[0])
	}
	v.cat.graph = g
}

// suggest offers the closest known name for a likely typo.
func suggest(got string, known []string) string {
	best, bestD := "", 3
	for _, k := range slices.Sorted(slices.Values(known)) {
		if d := editDistance(got, k); d < bestD {
			best, bestD = k, d
		}
	}
	if best == "" {
		return ""
	}
	return fmt.Sprintf(" (did you mean %q?)", best)
}

func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(b)]
}

func keys[V any](m map[string]V) []string { return slices.Collect(mapKeys(m)) }
