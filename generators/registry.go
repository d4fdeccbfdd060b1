// Package generators is the registry of everything novagen can emit. Each
// generator lives in its own package as a pure function of the catalog
// and says, here, where its objects go in the startup order; adding one
// means writing that package and one line below, nothing else. A program
// outside this module adds its own with Default().With(...) (see
// examples/custom-generator).
//
// Generator packages import only schema, naming and the shared helpers
// (generators/kube, generators/scripts), never each other: what two of
// them must agree on is a catalog fact (schema) or a naming convention
// (naming). registry_test.go enforces it.
package generators

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	k8svalidation "k8s.io/apimachinery/pkg/util/validation"
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
	// the loader runs it with its own checks (Registry.Checks,
	// load.Options) so that a catalog that loads never makes the
	// generator fail.
	Check func(*catalog.Catalog) []catalog.Problem
	// Extension is the JSON Schema of the generator's own catalog
	// section, spec.extensions.<Name> (an object), which the loader
	// checks the catalog against; nil when it reads none. novagen's own
	// generators read the catalog's declared fields and have none.
	Extension []byte
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
	builtin(namespace.Name, "the Namespace (Pod Security restricted) and its default-deny NetworkPolicy", syncwaves.PhaseNamespace, namespace.Generate, nil),
	builtin(secrets.Name, "ExternalSecret per PostgreSQL login (services, readers) and the admin", syncwaves.PhaseCredentials, secrets.Generate, nil),
	builtin(postgres.Name, "PostgreSQL StatefulSet (the same whatever the databases: the db-init Jobs initialise it), headless and client Services", syncwaves.PhaseDatabaseServer, postgres.Generate, nil),
	builtin(dbinit.Name, "init-scripts ConfigMap (databases, roles, extensions), the Job that runs them, the password-sync CronJob, their NetworkPolicy", syncwaves.PhaseDatabaseInit, dbinit.Generate, dbinit.Check),
	builtin(migrations.Name, "SQLx migration Job (every service's migrations, in catalog order) and its NetworkPolicy", syncwaves.PhaseMigrations, migrations.Generate, migrations.Check),
	builtin(externalservices.Name, "an in-namespace Service (ExternalName, or an EndpointSlice for an IP) per external component", syncwaves.PhaseInfrastructure, externalservices.Generate, nil),
	builtin(redis.Name, "Redis Cluster: redis.conf, StatefulSet, Services, PodDisruptionBudget, cluster-init Job and their NetworkPolicies", syncwaves.PhaseInfrastructure, redis.Generate, nil),
	builtin(zookeeper.Name, "ZooKeeper ensemble (Kafka in zookeeper mode): StatefulSet, Services, PodDisruptionBudget", syncwaves.PhaseInfrastructure, zookeeper.Generate, nil),
	builtin(kafka.Name, "Kafka brokers (zookeeper or kraft mode): StatefulSet, Services, PodDisruptionBudget; the catalog's topics: a Job and its NetworkPolicies, or Strimzi KafkaTopics", syncwaves.PhaseInfrastructure, kafka.Generate, nil),
	builtin(clickhouse.Name, "ClickHouseInstallation (a login per client service, passwords from Secrets), the analytics tables' DDL ConfigMap, the Job that applies it and their NetworkPolicies", syncwaves.PhaseInfrastructure, clickhouse.Generate, nil),
	builtin(grpcservices.Name, "ClusterIP Service per service and the headless discovery Service", syncwaves.PhaseServices, grpcservices.Generate, nil),
	builtin(workloads.Name, "Deployment per service, and a PodDisruptionBudget for one with several replicas (leave out where a base has its own Deployments)", syncwaves.PhaseServices, workloads.Generate, nil),
	builtin(ingress.Name, "entry points of exposed services: an Ingress or a Gateway API HTTPRoute each, and a cert-manager Certificate for TLS", syncwaves.PhaseLast, ingress.Generate, nil),
	builtin(monitoring.Name, "with the Prometheus Operator: a ServiceMonitor and a PrometheusRule (not ready, restarting) per service, and a PrometheusRule for failed Sync Jobs", syncwaves.PhaseServices, monitoring.Generate, nil),
	builtin(validation.Name, "the deployment validation: a Job beside the last wave checking every database, Redis, topic, ClickHouse table, external component, entry point's certificate and service's health (gRPC, or GET on an http service's health path), retrying what may still be starting (PASS/FAIL/WARN and totals), and its NetworkPolicies", syncwaves.PhaseLast, validation.Generate, nil),
	builtin(apicontracts.Name, "API contracts: ConfigMaps of the proto files, versions and checksums, the service registry and docs; the buf validation Job", syncwaves.PhaseLast, apicontracts.Generate, nil),
	builtin(networkpolicy.Name, "allow-lists of every service and component, derived from the dependency graph", syncwaves.PhaseOfNode, networkpolicy.Generate, nil),
}

// builtin is one of novagen's own generators: no extension section.
func builtin(name, description string, phase syncwaves.Phase, generate func(*catalog.Catalog) ([]kube.Object, error), check func(*catalog.Catalog) []catalog.Problem) Generator {
	return Generator{Name: name, Description: description, Phase: phase, Generate: generate, Check: check}
}

var transformers = []Transformer{
	{initcontainers.Name, "wait-for-<dependency> init containers on every service's Deployment/StatefulSet", initcontainers.Transform},
}

// Registry is a set of generators and transformers: novagen's own
// (Default) and whatever a downstream program adds (Add, With). Every
// front (cli, fns, kbuild, pipeline) takes one, so a team builds its own
// novagen with one more generator instead of forking. A Registry is not
// changed once in use: Add before handing it on.
type Registry struct {
	gens  []Generator
	trans []Transformer
}

// Default is novagen's own registry, a fresh copy each time.
func Default() *Registry {
	return &Registry{gens: slices.Clone(registry), trans: slices.Clone(transformers)}
}

// Add appends generators (after those already there, so their objects
// come last in the wave's order), or none of them if one is refused: a
// name already taken by a generator or transformer, no name, phase or
// function, or an extension under a name that is no catalog key (a DNS
// label, as spec.extensions' keys are).
func (r *Registry) Add(gens ...Generator) error {
	next := &Registry{gens: slices.Clone(r.gens), trans: r.trans}
	for _, g := range gens {
		switch {
		case g.Name == "":
			return errors.New("generator with no name: every generator needs a unique name")
		case g.Generate == nil:
			return fmt.Errorf("generator %q has no Generate function", g.Name)
		case g.Phase == 0:
			return fmt.Errorf("generator %q has no Phase: say where its objects go in the startup order", g.Name)
		case slices.Contains(next.names(), g.Name):
			return fmt.Errorf("generator %q: the name is already registered (%s)", g.Name, strings.Join(next.names(), ", "))
		case g.Extension != nil && len(k8svalidation.IsDNS1123Label(g.Name)) > 0:
			return fmt.Errorf("generator %q has an extension, so its name is a key of spec.extensions: it must be a DNS label (lower-case letters, digits and '-')", g.Name)
		}
		next.gens = append(next.gens, g)
	}
	r.gens = next.gens
	return nil
}

// With is a copy of r with gens added, for a program's main; it panics
// with Add's error on a name taken twice, a bug of that program.
func (r *Registry) With(gens ...Generator) *Registry {
	out := &Registry{gens: slices.Clone(r.gens), trans: slices.Clone(r.trans)}
	if err := out.Add(gens...); err != nil {
		panic("novagen: " + err.Error())
	}
	return out
}

// names are every generator's and transformer's name, in registry order.
func (r *Registry) names() []string {
	var out []string
	for _, g := range r.gens {
		out = append(out, g.Name)
	}
	for _, t := range r.trans {
		out = append(out, t.Name)
	}
	return out
}

// All returns every generator in registry order.
func (r *Registry) All() []Generator { return slices.Clone(r.gens) }

// Transformers returns every transformer in registry order.
func (r *Registry) Transformers() []Transformer { return slices.Clone(r.trans) }

// Checks are every generator's Check, in registry order: what every
// entry point that loads a catalog passes to the loader
// (pipeline.Loader), so that a catalog that loads renders with every
// generator.
func (r *Registry) Checks() []func(*catalog.Catalog) []catalog.Problem {
	var out []func(*catalog.Catalog) []catalog.Problem
	for _, g := range r.gens {
		if g.Check != nil {
			out = append(out, g.Check)
		}
	}
	return out
}

// Extensions are the JSON Schemas of the generators' own catalog
// sections, spec.extensions.<name>, by name: what the loader checks them
// against (pipeline.Loader).
func (r *Registry) Extensions() map[string][]byte {
	exts := map[string][]byte{}
	for _, g := range r.gens {
		if g.Extension != nil {
			exts[g.Name] = g.Extension
		}
	}
	return exts
}

// Placements are the generators' places in the startup order, for the
// wave table.
func (r *Registry) Placements() []syncwaves.Placement {
	out := make([]syncwaves.Placement, len(r.gens))
	for i, g := range r.gens {
		out[i] = syncwaves.Placement{Generator: g.Name, Phase: g.Phase}
	}
	return out
}

// Select returns the named generators in registry order; no names means all.
func (r *Registry) Select(names []string) ([]Generator, error) {
	if len(names) == 0 {
		return r.All(), nil
	}
	return byName(names, r.gens, func(g Generator) string { return g.Name })
}

// SelectTransformers returns the named transformers in registry order.
func (r *Registry) SelectTransformers(names []string) ([]Transformer, error) {
	return byName(names, r.trans, func(t Transformer) string { return t.Name })
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
