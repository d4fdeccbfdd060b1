// Package generators is the registry of everything novagen can emit. Each
// generator lives in its own package as a pure function of the catalog
// and says, here, where its objects go in the startup order; adding one
// means writing that package and one line below, nothing else. The
// registry's Description is the one description of a generator: the
// README's generator table and `novagen generators` print it. A program
// outside this module adds its own with Default().With(...) (see
// examples/custom-generator).
//
// What two generators must agree on is a catalog fact (catalog) or a
// naming convention (naming), never each other's code. So the non-test
// files of every package under generators/ (generators, the shared
// helpers generators/kube/... and generators/scripts, and the sync-wave
// pass) import only:
//
//   - of novagen: catalog (the model), naming, kobj and the shared
//     helpers;
//   - outside it: the standard library, k8s.io/api/... and
//     k8s.io/apimachinery/...;
//   - a transformer also: kyaml's yaml package (the nodes it changes)
//     and internal/yamlnode (typed values made nodes as render makes them);
//   - apicontracts also: contracts/registry (the contract ConfigMaps'
//     plain data, which the loader hands it through the catalog).
//
// Their tests may use test helpers and libraries too, but no other
// generator. registry_test.go enforces exactly this list.
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
	"github.com/novagen/novagen/generators/backup"
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
	"github.com/novagen/novagen/generators/tracing"
	"github.com/novagen/novagen/generators/validation"
	"github.com/novagen/novagen/generators/workloads"
	"github.com/novagen/novagen/generators/zookeeper"
)

// Generator emits objects from the catalog alone: no I/O, no clock, no
// randomness, so the same catalog always gives the same objects. A
// catalog that loads never makes a generator fail; an error is a bug.
type Generator struct {
	Name string
	// Description is the one description of what the generator emits
	// (Markdown: the README's table and novagen generators print it).
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
	builtin(namespace.Name, "the Namespace with Pod Security Admission `enforce`/`audit`/`warn: restricted` and `argocd.argoproj.io/sync-options: Delete=false` (unless `createNamespace: false`), and the namespace's `default-deny` NetworkPolicy. Deleting the Argo CD Application keeps the Namespace, so the PersistentVolumeClaims of the StatefulSets (not Argo CD resources, and retained by the StatefulSets) keep the data; delete the Namespace by hand to drop it", syncwaves.PhaseNamespace, namespace.Generate, nil),
	builtin(secrets.Name, "an `external-secrets.io/v1` ExternalSecret per database owner, the Postgres admin and each reader role; the S3 keys of the PostgreSQL backups (`postgres-backup-s3`: `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY` from `<keyPrefix>/postgres-backup/s3`, properties `accessKeyId` and `secretAccessKey`); the target Secret (`<service>-db`) carries `username`, `password` and a `DATABASE_URL` built by the ESO v2 template (password URL-encoded); the Redis password (`redis-auth`); a ClickHouse login per service that depends on ClickHouse (`<service>-clickhouse`) and the schema Job's (`clickhouse-schema-init`), `username` and `password`. No password ever appears in a manifest", syncwaves.PhaseCredentials, secrets.Generate, nil),
	builtin(postgres.Name, "when novagen runs PostgreSQL: the StatefulSet (pinned image as its own UID 70, PGDATA on the volume, the admin credential from its Secret, `pg_isready` probes) and nothing that depends on the catalog's databases or logins (no init scripts mounted, no login's password), so adding a service never restarts it: the db-init Jobs initialise a new data directory as they do an existing one; its headless and client Services", syncwaves.PhaseDatabaseServer, postgres.Generate, nil),
	builtin(dbinit.Name, "ConfigMap `01-create-databases.sql`, `02-create-service-users.sql`, `03-create-extensions.sql` + a database → service mapping (databases and roles in name order, so reordering the catalog's lists re-runs nothing), the Job that waits for Postgres and runs them with `psql -v ON_ERROR_STOP=1`, the `postgres-password-sync` CronJob (the roles script on `passwordSync.schedule`) and their pods' NetworkPolicy", syncwaves.PhaseDatabaseInit, dbinit.Generate, dbinit.Check),
	builtin(backup.Name, "when `infrastructure.postgres.backup` is set (and not `enabled: false`) on a PostgreSQL novagen runs: CronJob `postgres-backup` (`concurrencyPolicy: Forbid`) whose init container in `images.postgres` runs `pg_dump -Fc` of every catalog database and `pg_dumpall --globals-only --no-role-passwords` as the admin into an emptyDir, and whose container in `images.awsCli` uploads them to `s3://<bucket>/<prefix>/<UTC stamp>/`, writes the `COMPLETE` marker (the databases) only after every upload succeeded, then deletes the oldest complete backups beyond `retention` (never the newest, never an incomplete one); S3 keys from Secret `postgres-backup-s3` (generator secrets), an optional private CA from a ConfigMap; NetworkPolicy `postgres-backup` (PostgreSQL, DNS and the endpoint's port) and `postgres-from-backup`, which the restore Job of `novagen restore` shares. Logical backups only: point-in-time recovery needs a WAL archiver in the server's image, which the official one lacks", syncwaves.PhaseDatabaseInit, backup.Generate, nil),
	builtin(migrations.Name, "the SQLx migration Job: one init container per service, in catalog order, logging `[3/14] media-service: applied 2 migrations`, and its pods' NetworkPolicy", syncwaves.PhaseMigrations, migrations.Generate, migrations.Check),
	builtin(externalservices.Name, "per external component an in-namespace Service of its name: `ExternalName` for a DNS host, or a selector-less Service and its EndpointSlice for an IP, so clients, waits and egress policies all use one stable name", syncwaves.PhaseInfrastructure, externalservices.Generate, nil),
	builtin(redis.Name, "when novagen runs Redis: `redis.conf` (cluster mode, AOF, `maxmemory` 75 % of the memory limit, no password), the StatefulSet (`nodes` pods in parallel, a volume each at `/data`, anti-affinity preferred or required and a preferred spread over zones, a start script that keeps each node's identity when its IP changes, the password only as `redis-server` arguments from Secret `redis-auth`), headless and client Services, a PodDisruptionBudget, the idempotent cluster-init Job and its NetworkPolicies", syncwaves.PhaseInfrastructure, redis.Generate, nil),
	builtin(zookeeper.Name, "when novagen runs ZooKeeper (Kafka in zookeeper mode): the cp-zookeeper StatefulSet (`replicas`, odd; data and transaction-log volumes at the image's paths, `/etc/kafka` writable for its entrypoint, `ruok` readiness through the admin server), headless and client Services (2181, 2888, 3888, 8080), a PodDisruptionBudget for an ensemble", syncwaves.PhaseInfrastructure, zookeeper.Generate, nil),
	builtin(kafka.Name, "when novagen runs Kafka: the brokers, cp-kafka 7.x with ZooKeeper or apache/kafka 4.x in `mode: kraft` (combined broker/controller pods, the quorum from their DNS names, a deterministic cluster ID), each advertising its headless DNS name, JMX on 9999 with the RMI port the same, `auto.create.topics.enable=false`, internal topics at the catalog's replication factor; headless and client Services, a PodDisruptionBudget for several brokers. Managed or not, the catalog's topics: an idempotent Job (`kafka-topics --create --if-not-exists`, partitions raised never lowered, one log line per topic) and its NetworkPolicies, or Strimzi `KafkaTopic`s", syncwaves.PhaseInfrastructure, kafka.Generate, nil),
	builtin(clickhouse.Name, "when novagen runs ClickHouse: a `clickhouse.altinity.com/v1` ClickHouseInstallation for the Altinity operator (1 shard × 1 replica, a `Retain` data volume, the pinned `clickhouse/clickhouse-server` as UID 101 under \"restricted\", the operator's client Service named `clickhouse`), a login per client service and one for the schema Job (password from its Secret via `valueFrom.secretKeyRef`, `networks/ip` the pod network, grants on the analytics database only) and the operator's HTTP access; with `monitoring.prometheusOperator` on, ClickHouse's own Prometheus endpoint (`configuration.settings` `prometheus/*`: `/metrics` on port 9363 with current metrics, events and asynchronous metrics; container port `metrics`), which generator monitoring's PodMonitor scrapes. Managed or not: ConfigMap `clickhouse-schema` with the DDL written from the catalog's `tables` (`CREATE … IF NOT EXISTS`, monthly partitions, TTLs) and the Job that applies it, one log line per table", syncwaves.PhaseInfrastructure, clickhouse.Generate, nil),
	builtin(tracing.Name, "when `tracing.enabled` with a managed collector (the default): an OpenTelemetry Collector (pinned `otel/opentelemetry-collector-contrib`, its own UID 10001 under \"restricted\", `health_check` probes on 13133, `replicas` and `resources` from the catalog), ConfigMap `otel-collector-config` (OTLP receiver on 4317 gRPC and 4318 HTTP → `memory_limiter` → `batch` → one exporter: `debug`, which only logs, or `otlp` to the catalog's backend; traces only), Service `otel-collector` (both ports) and its NetworkPolicy (every service pod in on the OTLP ports; out DNS and the backend's port). With tracing on, collector managed or not, `workloads` gives every service `OTEL_SERVICE_NAME`, `OTEL_EXPORTER_OTLP_ENDPOINT`, `_PROTOCOL`, `OTEL_RESOURCE_ATTRIBUTES` (`service.namespace`, `service.version` the image tag, `deployment.environment`, `novagen.partition`), the sampler, and `network-policies` its egress to the collector", syncwaves.PhaseInfrastructure, tracing.Generate, nil),
	builtin(grpcservices.Name, "one ClusterIP Service per service (`grpc` 50051 with `appProtocol: kubernetes.io/h2c`, or for an http service `http` 8080 with `appProtocol: http`; `http-metrics` 9090) and the headless `<catalog>-grpc-services` discovery Service over the gRPC services' pods only (pod label `novagen.nova.dev/protocol: grpc`, which `workloads` sets and a hand-written Deployment may too; not in any Deployment's immutable selector): it publishes the gRPC port, where an http service's pods do not listen", syncwaves.PhaseServices, grpcservices.Generate, nil),
	builtin(workloads.Name, "a Deployment per service and, with 2 replicas or more, its PodDisruptionBudget (`maxUnavailable: 1`) and topology spread over zones and nodes (pinned image, the pod label `novagen.nova.dev/protocol` naming what it serves, gRPC or `httpGet` startup, liveness and readiness probes by its protocol, the startup probe allowing `startupGrace`, `DATABASE_URL` from its DB Secret, `REDIS_ADDR` and `REDIS_PASSWORD` when it depends on Redis, `KAFKA_BOOTSTRAP_SERVERS` when it produces, consumes or waits for Kafka, `CLICKHOUSE_HOST`, `_PORT`, `_HTTP_PORT`, `_DATABASE`, `_USER` and `_PASSWORD` when it depends on ClickHouse, restricted security). Leave it out of `spec.generators` where a base already has Deployments", syncwaves.PhaseServices, workloads.Generate, nil),
	builtin(ingress.Name, "per exposed service an `Ingress` (networking.k8s.io/v1, `ingressClassName` from the catalog) or a Gateway API `HTTPRoute` (gateway.networking.k8s.io/v1, on the catalog's Gateway) for its host and path prefix, and for `tls: true` a cert-manager `Certificate` (Secret `<service>-tls`) from the catalog's issuer, and then NetworkPolicy `acme-http01-solver`, which admits the ingress controller's pods (`controller`) to cert-manager's HTTP-01 solver pods on 8089 (the namespace denies everything else, so the challenge could never be answered); in the last sync wave, which the sync does not wait for", syncwaves.PhaseLast, ingress.Generate, nil),
	builtin(monitoring.Name, "when `monitoring.prometheusOperator.enabled`: a `monitoring.coreos.com/v1` ServiceMonitor per service (its Service's `http-metrics` port, every `interval`) and per exporter, and alert rules on kube-state-metrics series: a PrometheusRule per service, named like it, with `ServiceNotReady` (fewer available replicas than wanted for `notReadyFor`) and `ServiceRestarting` (`restarts` container restarts within `restartWindow`), and the `<catalog>-alerts` PrometheusRule with `SyncJobFailed` for the db-init, migration, schema, topic, cluster-init and contracts Jobs. One object per service, so adding a service changes no other service's alerts (the operator makes each PrometheusRule a rule file for Prometheus: the same rules either way; rules selecting by Deployment labels would need kube-state-metrics' `--metric-labels-allowlist`). The ServiceMonitors and the policies' metrics ingress follow one list (`catalog.Catalog.MetricsTargets`), so they cannot disagree (`test/output` checks it on the rendered objects), and enabling it without `monitoring.namespace` or `podLabels` is a load error. A managed ClickHouse serves its own: the clickhouse generator switches on its `<prometheus>` endpoint (port 9363, container port `metrics`) and a PodMonitor `clickhouse` scrapes every ClickHouse pod, which its policy admits. PostgreSQL, Redis and Kafka expose no Prometheus metrics (Kafka's JMX is not Prometheus' format), and ZooKeeper's image lacks ZooKeeper's Prometheus provider (it is not scraped), so for each managed PostgreSQL, Redis and Kafka it runs an exporter as a Deployment of its own, `<component>-exporter` (postgres_exporter with the `postgres-admin` login, redis_exporter scraping every cluster node through `/scrape?target=` with `redis-auth`, kafka_exporter on the bootstrap Service; images `images.postgresExporter`, `redisExporter`, `kafkaExporter`; UID 65534, restricted), so switching monitoring on restarts no server; they are metrics targets like the services, so they get a ServiceMonitor and the policies admit them. Grafana dashboards as ConfigMaps labelled for Grafana's sidecar (`monitoring.grafana.label`, default `grafana_dashboard: \"1\"`, in `grafana.namespace` or the catalog's): `<catalog>-dash-services` (requests, server errors and latency from `grpc_server_handled_total` and `grpc_server_handling_seconds_bucket`, restarts and available replicas from kube-state-metrics, for the services a `$service` variable reads from Prometheus, so a new service needs no new dashboard and none grows with the catalog) and `<catalog>-dash-<component>` per exporter and for ClickHouse (queries, failed queries, inserted rows, delayed and rejected inserts, merges, memory, parts of the largest partition and of all tables, connections, read-only replicas, replication delay and failed fetches, ZooKeeper sessions and errors). `test/promql` loads every generated rule with Prometheus' own rule loader and evaluates the staging alerts with its query engine over kube-state-metrics-shaped series (exactly the broken services and the Sync Jobs fire), and parses every dashboard query, which may name only scraped metrics: the gRPC server metrics, the kube-state-metrics series the alerts read, and each exporter's (and ClickHouse's) metrics as listed from its source at the pinned tag", syncwaves.PhaseServices, monitoring.Generate, nil),
	builtin(validation.Name, "the seed's staging validation as a Job in the last sync wave, running beside it: PostgreSQL and every catalog database, Redis `cluster_state:ok`, every topic with its partitions, ClickHouse and its tables, every external component accepting TCP (FAIL names who waits for it), every TLS entry point's certificate issued (WARN while it is not), every service's health (gRPC, or `GET` on an http service's health path); the last three retried until a settle deadline from the catalog (the last wave's wait budget per level plus the largest `startupGrace`); one init container per check in the component's own image; PASS/FAIL/WARN lines with totals, exit 1 on any FAIL, which the Application's health shows without failing the sync; its NetworkPolicies, which select the services by their shared labels", syncwaves.PhaseLast, validation.Generate, nil),
	builtin(apicontracts.Name, "API contracts: ConfigMaps of the proto files, versions and checksums, the service registry and docs; the buf validation Job", syncwaves.PhaseLast, apicontracts.Generate, nil),
	builtin(networkpolicy.Name, "per service and infrastructure component, allow-lists derived from the dependency graph (plus DNS, metrics scraping, and the ingress controller on an exposed service's port; a database owner reaches PostgreSQL and a producer or consumer Kafka, waiting or not); egress to an external component goes to its `cidr`, its IP, or any address on its port", syncwaves.PhaseOfNode, networkpolicy.Generate, nil),
}

// builtin is one of novagen's own generators: no extension section.
func builtin(name, description string, phase syncwaves.Phase, generate func(*catalog.Catalog) ([]kube.Object, error), check func(*catalog.Catalog) []catalog.Problem) Generator {
	return Generator{Name: name, Description: description, Phase: phase, Generate: generate, Check: check}
}

var transformers = []Transformer{
	{initcontainers.Name, "adds `wait-for-<dependency>` init containers, in catalog order, to every Deployment/StatefulSet named like a catalog service, generated or hand-written in a base; idempotent; a malformed hand-written pod spec is an error naming the object and field", initcontainers.Transform},
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
