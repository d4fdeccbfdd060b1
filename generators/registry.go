// Package generators is the registry of everything novagen can emit. Each
// generator lives in its own package as a pure function of the catalog
// and says, here, where its objects go in the startup order; adding one
// means writing that package and one line below, nothing else.
//
// Generator packages import only catalog, naming and the shared helpers
// (generators/kube, generators/scripts), never each other: what two of
// them must agree on is a catalog fact (catalog) or a naming convention
// (naming). registry_test.go enforces it.
package generators

import (
	"fmt"
	"slices"
	"strings"

	"sigs.k8s.io/kustomize/kyaml/yaml"

	"github.com/novagen/novagen/catalog"
	"github.com/novagen/novagen/generators/apicontracts"
	"github.com/novagen/novagen/generators/clickhouse"
	"github.com/novagen/novagen/generators/dbinit"
	"github.com/novagen/novagen/generators/externalservices"
	"github.com/novagen/novagen/generators/grpcservices"
	"github.com/novagen/novagen/generators/ingress"
	"github.com/novagen/novagen/generators/initcontainers"
	"github.com/novagen/novagen/generators/kafka"
	"github.com/novagen/novagen/generators/kube"
	"github.com/novagen/novagen/generators/migrations"
	"github.com/novagen/novagen/generators/monitoring"
	"github.com/novagen/novagen/generators/namespace"
	"github.com/novagen/novagen/generators/networkpolicy"
	"github.com/novagen/novagen/generators/postgres"
	"github.com/novagen/novagen/generators/redis"
	"github.com/novagen/novagen/generators/secrets"
	"github.com/novagen/novagen/generators/syncwaves"
	"github.com/novagen/novagen/generators/validation"
	"github.com/novagen/novagen/generators/workloads"
	"github.com/novagen/novagen/generators/zookeeper"
)

// Generator emits objects from the catalog alone: no I/O, no clock, no
// randomness, so the same catalog always gives the same objects. A
// catalog that loads never makes a generator fail; an error is a bug.
type Generator struct {
	Name        string
	Description string
	// Phase is where the generator's objects go in the startup order
	// (their Argo CD sync wave).
	Phase    syncwaves.Phase
	Generate func(*catalog.Catalog) ([]kube.Object, error)
	// Check, if set, is what the generator needs of a catalog beyond the
	// loader's own validation (its objects' names fitting their limits):
	// the loader runs it with its own checks (Checks, load.Options) so
	// that a catalog that loads never makes the generator fail.
	Check func(*catalog.Catalog) []catalog.Problem
}

// Transformer changes objects that already exist (generated or hand-written
// in a kustomize base), guided by the catalog. Running it twice must give
// the same result as running it once.
type Transformer struct {
	Name        string
	Description string
	Transform   func(*catalog.Catalog, []*yaml.RNode) ([]*yaml.RNode, error)
}

var registry = []Generator{
	{namespace.Name, "the Namespace (Pod Security restricted) and its default-deny NetworkPolicy", syncwaves.PhaseNamespace, namespace.Generate, nil},
	{secrets.Name, "ExternalSecret per PostgreSQL login (services, readers) and the admin", syncwaves.PhaseCredentials, secrets.Generate, nil},
	{postgres.Name, "PostgreSQL StatefulSet (the same whatever the databases: the db-init Jobs initialise it), headless and client Services", syncwaves.PhaseDatabaseServer, postgres.Generate, nil},
	{dbinit.Name, "init-scripts ConfigMap (databases, roles, extensions), the Job that runs them, the password-sync CronJob, their NetworkPolicy", syncwaves.PhaseDatabaseInit, dbinit.Generate, dbinit.Check},
	{migrations.Name, "SQLx migration Job (every service's migrations, in catalog order) and its NetworkPolicy", syncwaves.PhaseMigrations, migrations.Generate, migrations.Check},
	{externalservices.Name, "an in-namespace Service (ExternalName, or an EndpointSlice for an IP) per external component", syncwaves.PhaseInfrastructure, externalservices.Generate, nil},
	{redis.Name, "Redis Cluster: redis.conf, StatefulSet, Services, PodDisruptionBudget, cluster-init Job and their NetworkPolicies", syncwaves.PhaseInfrastructure, redis.Generate, nil},
	{zookeeper.Name, "ZooKeeper ensemble (Kafka in zookeeper mode): StatefulSet, Services, PodDisruptionBudget", syncwaves.PhaseInfrastructure, zookeeper.Generate, nil},
	{kafka.Name, "Kafka brokers (zookeeper or kraft mode): StatefulSet, Services, PodDisruptionBudget; the catalog's topics: a Job and its NetworkPolicies, or Strimzi KafkaTopics", syncwaves.PhaseInfrastructure, kafka.Generate, nil},
	{clickhouse.Name, "ClickHouseInstallation (a login per client service, passwords from Secrets), the analytics tables' DDL ConfigMap, the Job that applies it and their NetworkPolicies", syncwaves.PhaseInfrastructure, clickhouse.Generate, nil},
	{grpcservices.Name, "ClusterIP Service per service and the headless discovery Service", syncwaves.PhaseServices, grpcservices.Generate, nil},
	{workloads.Name, "Deployment per service, and a PodDisruptionBudget for one with several replicas (leave out where a base has its own Deployments)", syncwaves.PhaseServices, workloads.Generate, nil},
	{ingress.Name, "entry points of exposed services: an Ingress or a Gateway API HTTPRoute each, and a cert-manager Certificate for TLS", syncwaves.PhaseLast, ingress.Generate, nil},
	{monitoring.Name, "with the Prometheus Operator: a ServiceMonitor and a PrometheusRule (not ready, restarting) per service, and a PrometheusRule for failed Sync Jobs", syncwaves.PhaseServices, monitoring.Generate, nil},
	{validation.Name, "the deployment validation: a Job beside the last wave checking every database, Redis, topic, ClickHouse table, external component, entry point's certificate and service's health (gRPC, or GET on an http service's health path), retrying what may still be starting (PASS/FAIL/WARN and totals), and its NetworkPolicies", syncwaves.PhaseLast, validation.Generate, nil},
	{apicontracts.Name, "API contracts: ConfigMaps of the proto files, versions and checksums, the service registry and docs; the buf validation Job", syncwaves.PhaseLast, apicontracts.Generate, nil},
	{networkpolicy.Name, "allow-lists of every service and component, derived from the dependency graph", syncwaves.PhaseOfNode, networkpolicy.Generate, nil},
}

var transformers = []Transformer{
	{initcontainers.Name, "wait-for-<dependency> init containers on every service's Deployment/StatefulSet", initcontainers.Transform},
}

// All returns every generator in registry order.
func All() []Generator { return slices.Clone(registry) }

// Checks are every generator's Check, in registry order: what every
// entry point that loads a catalog passes to the loader
// (load.Options{Checks: generators.Checks()}), so that a catalog that
// loads renders with every generator.
func Checks() []func(*catalog.Catalog) []catalog.Problem {
	var out []func(*catalog.Catalog) []catalog.Problem
	for _, g := range registry {
		if g.Check != nil {
			out = append(out, g.Check)
		}
	}
	return out
}

// Transformers returns every transformer in registry order.
func Transformers() []Transformer { return slices.Clone(transformers) }

// Placements are the generators' places in the startup order, for the
// wave table.
func Placements() []syncwaves.Placement {
	out := make([]syncwaves.Placement, len(registry))
	for i, g := range registry {
		out[i] = syncwaves.Placement{Generator: g.Name, Phase: g.Phase}
	}
	return out
}

// Select returns the named generators in registry order; no names means all.
func Select(names []string) ([]Generator, error) {
	if len(names) == 0 {
		return All(), nil
	}
	return byName(names, registry, func(g Generator) string { return g.Name })
}

// SelectTransformers returns the named transformers in registry order.
func SelectTransformers(names []string) ([]Transformer, error) {
	return byName(names, transformers, func(t Transformer) string { return t.Name })
}

// byName keeps the entries of known that names lists, in known's order,
// and rejects a name that is not there.
func byName[T any](names []string, known []T, name func(T) string) ([]T, error) {
	var valid []string
	var out []T
	for _, k := range known {
		valid = append(valid, name(k))
		if slices.Contains(names, name(k)) {
			out = append(out, k)
		}
	}
	for _, n := range names {
		if !slices.Contains(valid, n) {
			return nil, fmt.Errorf("unknown %q: expected one of %s", n, strings.Join(valid, ", "))
		}
	}
	return out, nil
}

// Generate runs the given generators and returns all their objects, each
// annotated with its sync wave.
func Generate(cat *catalog.Catalog, gens []Generator) ([]kube.Object, error) {
	waves := syncwaves.New(cat)
	var out []kube.Object
	for _, g := range gens {
		objs, err := g.Generate(cat)
		if err != nil {
			return nil, fmt.Errorf("generator %s: %w", g.Name, err)
		}
		if err := syncwaves.Annotate(waves, g.Phase, objs); err != nil {
			return nil, fmt.Errorf("generator %s: %w", g.Name, err)
		}
		out = append(out, objs...)
	}
	return out, nil
}
