package load

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"k8s.io/apimachinery/pkg/util/validation"

	"github.com/novagen/novagen/catalog"
	"github.com/novagen/novagen/naming"
)

// validator checks what the JSON Schema cannot: that references resolve,
// names and ports are unique, ownership is consistent, derived names fit
// the Kubernetes limits, values mean what the generators will make of
// them, and the dependency graph has no cycles. It records every finding
// and stops at none. Whatever it accepts, every generator can render and
// the API server accepts.
type validator struct {
	cat       *catalog.Catalog
	pos       *positions
	endpoints []catalog.Endpoint // every dependency target, sorted; the index keeps them
	graph     *catalog.Graph     // the dependency graph (buildGraph); the index keeps it
	errs      Errors
	names     []string // their distinct names, sorted: for suggestions
	hints     int      // suggestions made so far
}

func (v *validator) errorf(ptr string, format string, args ...any) {
	v.errs = append(v.errs, Error{Pos: v.pos.value(ptr), Message: fmt.Sprintf(format, args...)})
}

func (v *validator) validate() {
	v.checkNames()
	v.checkDerivedNames()
	v.checkPorts()
	v.checkProtocols()
	v.checkIngress()
	v.checkDatabases()
	v.checkServices()
	v.checkInfrastructure()
	v.checkExternal()
	v.checkImages()
	v.checkResources()
	v.checkDataTier()
	v.checkEventStreaming()
	v.checkAnalytics()
	v.checkDurations()
	v.checkLabels()
	v.checkMonitoring()
	v.checkTracing()
	v.checkScale()
	v.checkPartitions()
	v.checkPostgresSizes()
	v.buildGraph()
}

// checkNames: services, infrastructure and external components share one
// namespace of dependency names; databases and topics have their own.
// (The names other objects derive from are checkDerivedNames'.)
func (v *validator) checkNames() {
	first := map[string]string{}
	claim := func(name, ptr, what string) {
		if prev, ok := first[name]; ok {
			v.errorf(ptr, "duplicate name %q: already used by %s", name, prev)
			return
		}
		first[name] = fmt.Sprintf("%s at %s", what, v.pos.value(ptr))
	}
	for _, ic := range v.cat.InfrastructureComponents() {
		first[ic.Name] = "infrastructure component at " + v.pos.key("/spec/infrastructure/"+ic.Name).String()
	}
	// Names derived from the catalog's: a service of that name would
	// share them (its PrometheusRule is named like it).
	derived := map[string]string{
		naming.HeadlessService(v.cat.Metadata.Name): "the headless Service",
		naming.AlertRules(v.cat.Metadata.Name):      "the PrometheusRule of the Sync Jobs' alerts",
	}
	reserved := func(name, ptr, what string) {
		if why, ok := naming.ReservedServiceNames[name]; ok {
			v.errorf(ptr, "%s name %q is reserved: it is %s", what, name, why)
		}
		if why, ok := derived[name]; ok {
			v.errorf(ptr, "%s name %q is reserved: it is %s of catalog %q", what, name, why, v.cat.Metadata.Name)
		}
	}
	for i, e := range v.cat.Spec.Infrastructure.External {
		ptr := fmt.Sprintf("/spec/infrastructure/external/%d/name", i)
		claim(e.Name, ptr, "external component")
		reserved(e.Name, ptr, "external component")
	}
	for i, s := range v.cat.Spec.Services {
		ptr := fmt.Sprintf("/spec/services/%d/name", i)
		claim(s.Name, ptr, "service")
		reserved(s.Name, ptr, "service")
	}

	dbs := map[string]bool{}
	for i, d := range v.cat.Spec.Databases {
		if dbs[d.Name] {
			v.errorf(fmt.Sprintf("/spec/databases/%d/name", i), "duplicate database %q", d.Name)
		}
		dbs[d.Name] = true
	}
	v.checkTopicNames()
}

// checkTopicNames: topic names are unique, and unique to Kafka, which
// refuses a topic whose name differs from another's only in '.' and '_'
// (they are the same character in its metric names).
func (v *validator) checkTopicNames() {
	topics := map[string]bool{}
	collides := map[string]int{} // '.' as '_' -> the first topic's index
	for i, t := range v.cat.Spec.Topics {
		ptr := fmt.Sprintf("/spec/topics/%d/name", i)
		metric := strings.ReplaceAll(t.Name, ".", "_")
		first, seen := collides[metric]
		switch {
		case topics[t.Name]:
			v.errorf(ptr, "duplicate topic %s", quoteShort(t.Name))
		case seen:
			v.errorf(ptr, "topic %s collides with topic %s at %s: Kafka treats '.' and '_' alike in topic names (its metric names) and refuses the second",
				quoteShort(t.Name), quoteShort(v.cat.Spec.Topics[first].Name), v.pos.value(fmt.Sprintf("/spec/topics/%d/name", first)))
		default:
			collides[metric] = i
		}
		if t.Name == "." || t.Name == ".." {
			v.errorf(ptr, "topic name %q is not allowed by Kafka", t.Name)
		}
		topics[t.Name] = true
	}
	v.checkTopicResources()
}

// checkTopicResources: with Strimzi, no two topics share a KafkaTopic
// (naming.KafkaTopicResource hashes a name it changes, but a topic may
// be named like another's hashed resource).
func (v *validator) checkTopicResources() {
	if k := v.cat.Spec.Infrastructure.Kafka; k == nil || k.Topics != catalog.TopicsStrimzi {
		return
	}
	first := map[string]int{}
	for i, t := range v.cat.Spec.Topics {
		res := naming.KafkaTopicResource(t.Name)
		j, seen := first[res]
		if !seen {
			first[res] = i
			continue
		}
		if other := v.cat.Spec.Topics[j].Name; other != t.Name {
			v.errorf(fmt.Sprintf("/spec/topics/%d/name", i), "topic %s would have KafkaTopic %q, as topic %s has: rename one",
				quoteShort(t.Name), res, quoteShort(other))
		}
	}
}

// checkPorts: the ports one pod or component listens on must differ.
func (v *validator) checkPorts() {
	for i, s := range v.cat.Spec.Services {
		// A service that inherits both ports shares the defaults' error.
		if ptr := fmt.Sprintf("/spec/services/%d/ports", i); v.pos.has(ptr) && s.Port() == s.Ports.Metrics {
			v.errorf(ptr, "service %q uses port %d for both %s and metrics", s.Name, s.Port(), map[bool]string{false: "gRPC", true: "HTTP"}[s.HTTP()])
		}
	}
	d := v.cat.Spec.Defaults.Ports
	if d.GRPC == d.Metrics {
		v.errorf("/spec/defaults/ports", "defaults use port %d for both gRPC and metrics", d.GRPC)
	}
	usesHTTP := slices.ContainsFunc(v.cat.Spec.Services, func(s catalog.Service) bool { return s.HTTP() })
	if d.HTTP == d.Metrics && (usesHTTP || v.pos.has("/spec/defaults/ports/http")) {
		v.errorf("/spec/defaults/ports", "defaults use port %d for both HTTP and metrics", d.HTTP)
	}
	inf := v.cat.Spec.Infrastructure
	if k := inf.Kafka; k != nil && k.IsManaged() && k.JMXPort == k.Port {
		v.errorf("/spec/infrastructure/kafka/jmxPort", "kafka uses port %d for both clients and JMX", k.Port)
	}
	if c := inf.ClickHouse; c != nil && c.HTTPPort != 0 && c.HTTPPort == c.Port {
		v.errorf("/spec/infrastructure/clickhouse/httpPort", "clickhouse uses port %d for both TCP and HTTP", c.Port)
	}
	if c := inf.ClickHouse; c != nil && c.IsManaged() && v.cat.Spec.Monitoring.PrometheusOperator.Enabled {
		// Its Prometheus endpoint then listens there too.
		for _, p := range []struct {
			field string
			port  int32
		}{{"port", c.Port}, {"httpPort", c.HTTPPort}} {
			if p.port == catalog.ClickHouseMetricsPort {
				v.errorf("/spec/infrastructure/clickhouse/"+p.field, "clickhouse %s %d is where its Prometheus metrics are served with monitoring.prometheusOperator on: choose another", p.field, p.port)
			}
		}
	}
}

// reservedDatabases exist in every PostgreSQL cluster; the db-init scripts
// would alter them.
var reservedDatabases = []string{"postgres", "template0", "template1"}

// reservedRoles cannot be created (PostgreSQL reserves them), nor can any
// role whose name starts with pg_.
var reservedRoles = []string{"public", "none", "current_role", "current_user", "session_user"}

func roleProblem(role string) string {
	if slices.Contains(reservedRoles, role) {
		return "is reserved in PostgreSQL"
	}
	if strings.HasPrefix(role, "pg_") {
		return "starts with pg_, which PostgreSQL reserves"
	}
	return ""
}

// checkDatabases: each database has at most one owner; a read-only one has
// none; no catalog database is one PostgreSQL needs itself; every role
// name derived from the catalog is distinct and creatable.
func (v *validator) checkDatabases() {
	byName := map[string]catalog.Database{}
	var dbNames []string
	for i, d := range v.cat.Spec.Databases {
		byName[d.Name] = d
		dbNames = append(dbNames, d.Name)
		if slices.Contains(reservedDatabases, d.Name) {
			v.errorf(fmt.Sprintf("/spec/databases/%d/name", i), "database %q is reserved: every PostgreSQL server has it, and the init scripts would change it", d.Name)
		}
	}
	slices.Sort(dbNames)
	owner := map[string]string{}
	roles := map[string]string{}
	if pg := v.cat.Spec.Infrastructure.Postgres; pg != nil {
		roles[pg.Admin.User] = "the postgres admin user"
		if p := roleProblem(pg.Admin.User); p != "" {
			v.errorf("/spec/infrastructure/postgres/admin/user", "admin user %q %s", pg.Admin.User, p)
		}
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
			v.errorf(ptr, "service %q uses unknown database %q%s", s.Name, s.Database, v.suggest(s.Database, dbNames, ""))
		case d.ReadOnly:
			v.errorf(ptr, "service %q cannot own database %q: it is read-only", s.Name, s.Database)
		case owner[s.Database] != "":
			v.errorf(ptr, "database %q is owned by both %q and %q", s.Database, owner[s.Database], s.Name)
		default:
			owner[s.Database] = s.Name
		}
		if p := roleProblem(s.Role()); p != "" {
			v.errorf(fmt.Sprintf("/spec/services/%d/name", i), "service %q would log in to PostgreSQL as role %q, but that name %s: rename the service", s.Name, s.Role(), p)
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
		if p := roleProblem(d.ReaderRole); p != "" {
			v.errorf(ptr, "reader role %q of database %q %s", d.ReaderRole, d.Name, p)
		}
		if prev, ok := roles[d.ReaderRole]; ok {
			v.errorf(ptr, "reader role %q of database %q is already %s", d.ReaderRole, d.Name, prev)
		}
		roles[d.ReaderRole] = fmt.Sprintf("the reader role of database %q", d.Name)
	}
}

// checkServices: every dependency and topic reference resolves.
func (v *validator) checkServices() {
	names := map[string]bool{}
	for _, e := range v.endpoints {
		names[e.Name] = true
	}
	v.names = slices.Sorted(mapKeys(names))
	topics := map[string]bool{}
	for _, t := range v.cat.Spec.Topics {
		topics[t.Name] = true
	}
	topicNames := slices.Sorted(mapKeys(topics))
	for i, s := range v.cat.Spec.Services {
		seen := map[string]bool{}
		for j, d := range s.DependsOn {
			ptr := fmt.Sprintf("/spec/services/%d/dependsOn/%d", i, j)
			switch {
			case d == s.Name:
				v.errorf(ptr, "service %q depends on itself", s.Name)
			case !names[d]:
				v.errorf(ptr, "service %q depends on unknown %q%s", s.Name, d, v.suggest(d, v.names, s.Name))
			case seen[d]:
				v.errorf(ptr, "service %q lists dependency %q twice", s.Name, d)
			}
			seen[d] = true
		}
		for _, list := range []struct {
			field  string
			topics []string
		}{{"produces", s.Produces}, {"consumes", s.Consumes}} {
			listed := map[string]bool{}
			for j, t := range list.topics {
				ptr := fmt.Sprintf("/spec/services/%d/%s/%d", i, list.field, j)
				switch {
				case !topics[t]:
					v.errorf(ptr, "service %q %s unknown topic %s%s", s.Name, list.field, quoteShort(t), v.suggest(t, topicNames, ""))
				case listed[t]:
					v.errorf(ptr, "service %q lists topic %s twice in %s", s.Name, quoteShort(t), list.field)
				}
				listed[t] = true
			}
		}
		// A consumer waits for Kafka (the seed's consumers do); a producer
		// need not: it reaches Kafka and gets its address all the same.
		if len(s.Consumes) > 0 && !seen["kafka"] {
			v.errorf(fmt.Sprintf("/spec/services/%d/consumes", i), "service %q consumes topics but does not depend on \"kafka\"", s.Name)
		}
	}
}

func (v *validator) checkInfrastructure() {
	if len(v.cat.Spec.Topics) > 0 && v.cat.Spec.Infrastructure.Kafka == nil {
		v.errorf("/spec/topics", "topics are declared but spec.infrastructure.kafka is not")
	}
}

// checkResources parses every quantity the way the API server will (the
// schema pattern only approximates it) and, as the API server does,
// rejects a request above its limit.
func (v *validator) checkResources() {
	v.checkResourceList("/spec/defaults/resources", "defaults.resources", v.cat.Spec.Defaults.Resources, true)
	for i, s := range v.cat.Spec.Services {
		ptr := fmt.Sprintf("/spec/services/%d/resources", i)
		v.checkResourceList(ptr, fmt.Sprintf("service %q", s.Name), s.Resources, v.pos.has(ptr))
	}
}

// checkDurations: a duration the catalog states is used as stated, or
// rejected here; it is never replaced silently.
func (v *validator) checkDurations() {
	// Only durations the catalog states are checked: defaults are valid.
	wholeSeconds := func(ptr string, d catalog.Duration, what string, min time.Duration, note string) {
		switch {
		case !d.Set:
		case d.Duration < min:
			v.errorf(ptr, "%s %s is too short: it must be at least %s%s", what, d.Raw, min, note)
		case d.Duration%time.Second != 0:
			v.errorf(ptr, "%s %s is not a whole number of seconds%s", what, d.Raw, note)
		}
	}
	wholeSeconds("/spec/defaults/wait/interval", v.cat.Spec.Defaults.Wait.Interval, "wait interval", time.Second, "")
	// 0s means no deadline, as for a Job without activeDeadlineSeconds.
	wholeSeconds("/spec/migrations/activeDeadline", v.cat.Spec.Migrations.ActiveDeadline, "migrations.activeDeadline", 0, " (0s means no deadline)")
	grace := func(ptr string, d catalog.Duration) {
		wholeSeconds(ptr, d, "startupGrace", time.Second, "")
		if d.Duration > MaxStartupGrace {
			v.errorf(ptr, "startupGrace %s is too long: it must be at most %s", d.Raw, "24h")
		}
	}
	grace("/spec/defaults/startupGrace", v.cat.Spec.Defaults.StartupGrace)
	po := v.cat.Spec.Monitoring.PrometheusOperator
	const poPtr = "/spec/monitoring/prometheusOperator"
	wholeSeconds(poPtr+"/interval", po.Interval, "prometheusOperator.interval", time.Second, "")
	wholeSeconds(poPtr+"/alerts/notReadyFor", po.Alerts.NotReadyFor, "alerts.notReadyFor", time.Second, "")
	wholeSeconds(poPtr+"/alerts/restartWindow", po.Alerts.RestartWindow, "alerts.restartWindow", time.Second, "")
	for i, s := range v.cat.Spec.Services {
		if ptr := fmt.Sprintf("/spec/services/%d/startupGrace", i); v.pos.has(ptr) {
			grace(ptr, s.StartupGrace)
		}
	}
}

// MaxStartupGrace bounds startupGrace: a service still starting after a
// day is not starting.
const MaxStartupGrace = 24 * time.Hour

// checkLabels validates label keys and values with the API server's own
// rules (the schema's patterns do not bound a key's prefix).
func (v *validator) checkLabels() {
	check := func(ptr string, labels map[string]string) {
		for _, k := range slices.Sorted(mapKeys(labels)) {
			kp := ptr + "/" + escapePointer(k)
			if errs := validation.IsQualifiedName(k); len(errs) > 0 {
				v.errorf(kp, "label key %s is not valid: %s", quoteShort(k), strings.Join(errs, "; "))
			}
			if errs := validation.IsValidLabelValue(labels[k]); len(errs) > 0 {
				v.errorf(kp, "label value %s is not valid: %s", quoteShort(labels[k]), strings.Join(errs, "; "))
			}
		}
	}
	check("/spec/monitoring/podLabels", v.cat.Spec.Monitoring.PodLabels)
	check("/spec/monitoring/prometheusOperator/labels", v.cat.Spec.Monitoring.PrometheusOperator.Labels)
	for _, ic := range v.cat.InfrastructureComponents() {
		check("/spec/infrastructure/"+ic.Name+"/podLabels", ic.Comp.PodLabels)
		if ic.Comp.IsManaged() {
			v.generatedLabels("/spec/infrastructure/"+ic.Name+"/podLabels", ic.Name, ic.Name, ic.Comp.PodLabels)
		}
	}
	for i, s := range v.cat.Spec.Services {
		check(fmt.Sprintf("/spec/services/%d/labels", i), s.Labels)
		v.generatedLabels(fmt.Sprintf("/spec/services/%d/labels", i), fmt.Sprintf("service %q", s.Name), "", s.Labels)
		// A service's pods that carry a component's pod labels would be
		// that component to every NetworkPolicy: admitted where it is.
		for _, ic := range v.cat.InfrastructureComponents() {
			if ic.Comp.IsManaged() && len(ic.Comp.PodLabels) > 0 && isSubset(ic.Comp.PodLabels, s.Labels) {
				v.errorf(fmt.Sprintf("/spec/services/%d/labels", i), "service %q has the pod labels of %s: NetworkPolicies would treat its pods as %s's", s.Name, ic.Name, ic.Name)
			}
		}
	}
}

// generatedLabels refuses catalog labels on pods with a key novagen
// sets there itself (naming.GeneratedLabels): on a service's pods
// novagen's value wins and the catalog's would be dropped; on a
// component's the catalog's would replace novagen's, which selectors and
// policies rely on. A component may repeat the name novagen gives its
// pods (its default podLabels); component is "" for a service.
func (v *validator) generatedLabels(ptr, who, component string, labels map[string]string) {
	for _, k := range naming.GeneratedLabels() {
		val, ok := labels[k]
		if !ok || component != "" && k == naming.LabelName && val == component {
			continue
		}
		effect := "would drop this one"
		if component != "" {
			effect = fmt.Sprintf("this one would replace it (only %s: %s may be repeated)", naming.LabelName, component)
		}
		v.errorf(ptr+"/"+escapePointer(k), "%s: label %s is reserved: novagen sets it on the pods and %s; choose another key", who, k, effect)
	}
}

// isSubset says whether every label of sub is in set.
func isSubset(sub, set map[string]string) bool {
	for k, v := range sub {
		if w, ok := set[k]; !ok || w != v {
			return false
		}
	}
	return true
}

func (v *validator) buildGraph() {
	known := map[string]bool{}
	var nodes []string
	for _, e := range v.endpoints {
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
		seen := map[string]bool{}
		for _, d := range s.DependsOn {
			if known[d] && d != s.Name && !seen[d] {
				deps[s.Name] = append(deps[s.Name], d)
			}
			seen[d] = true
		}
	}
	if k := v.cat.Spec.Infrastructure.Kafka; k != nil && k.IsManaged() && !k.KRaft() && v.cat.Spec.Infrastructure.Zookeeper != nil {
		deps["kafka"] = []string{"zookeeper"}
	}
	if ch := v.cat.Spec.Infrastructure.ClickHouse; ch != nil && ch.Replicated() && v.cat.Spec.Infrastructure.Zookeeper != nil {
		deps["clickhouse"] = []string{"zookeeper"}
	}
	g, cycles := catalog.NewGraph(nodes, deps)
	for _, c := range cycles {
		// Report at the edge from the cycle's first service to the next.
		ptr := "/spec/services"
		if i, ok := index[c[0]]; ok {
			j := slices.Index(v.cat.Spec.Services[i].DependsOn, c[1%len(c)])
			ptr = fmt.Sprintf("/spec/services/%d/dependsOn/%d", i, j)
		}
		v.errorf(ptr, "dependency cycle: %s -> %s", strings.Join(c, " -> "), c[0])
	}
	v.graph = g
}

// maxHints bounds the suggestions of one load: each costs a pass over the
// known names, and a hostile catalog may misspell thousands.
const maxHints = 20

// suggest offers the closest known name (sorted), other than exclude, for
// a likely typo.
func (v *validator) suggest(got string, known []string, exclude string) string {
	if v.hints >= maxHints {
		return ""
	}
	v.hints++
	best := closest(got, known, exclude)
	if best == "" {
		return ""
	}
	return fmt.Sprintf(" (did you mean %s?)", quoteShort(best))
}

// Closest is the name of known within two edits of got (a likely typo),
// the closest and first of equals, or "".
func Closest(got string, known []string) string { return closest(got, known, got) }

func closest(got string, known []string, exclude string) string {
	best, bestD := "", 3
	for _, k := range known {
		if k == exclude {
			continue
		}
		if d, ok := editDistanceWithin(got, k, bestD-1); ok && d < bestD {
			best, bestD = k, d
		}
	}
	return best
}

// editDistanceWithin is the Levenshtein distance of a and b if it is at
// most limit; it only fills the band of the table within limit of the
// diagonal, so it costs O(len(a)·limit).
func editDistanceWithin(a, b string, limit int) (int, bool) {
	if limit < 0 || abs(len(a)-len(b)) > limit {
		return 0, false
	}
	const inf = 1 << 30
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		lo, hi := max(1, i-limit), min(len(b), i+limit)
		for j := range cur {
			cur[j] = inf
		}
		if i <= limit {
			cur[0] = i
		}
		rowMin := cur[0]
		for j := lo; j <= hi; j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			rowMin = min(rowMin, cur[j])
		}
		if rowMin > limit {
			return 0, false
		}
		prev, cur = cur, prev
	}
	if prev[len(b)] > limit {
		return 0, false
	}
	return prev[len(b)], true
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

func keys[V any](m map[string]V) []string { return slices.Collect(mapKeys(m)) }

func mapKeys[V any](m map[string]V) func(func(string) bool) { return maps.Keys(m) }
