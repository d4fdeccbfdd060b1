// Package catalog is the service catalog's model: its Go types, defaults'
// values, the facts every generator derives from it (endpoints, database
// owners, login roles, metrics targets, who waits for external
// components), the dependency graph and partitions, indexed once when the
// catalog loads, and ClickHouse column types. It reads nothing: package
// catalog/load makes a *Catalog from services.yaml, and generators only
// read one. So that every generator stays small, it imports no YAML, JSON
// Schema, protobuf or cron library (deps_test.go enforces it): only the
// standard library, naming and contracts/registry.
package catalog

import (
	"encoding/json"
	"net/url"
	"strconv"
	"time"
)

// APIVersion and Kind identify a catalog document.
const (
	APIVersion = "catalog.nova.dev/v1alpha1"
	Kind       = "ServiceCatalog"
)

// Catalog is a loaded, defaulted and validated services.yaml.
// Generators treat it as read-only.
type Catalog struct {
	APIVersion string   `json:"apiVersion" schema:"required;const=catalog.nova.dev/v1alpha1" doc:"The catalog format version: always catalog.nova.dev/v1alpha1."`
	Kind       string   `json:"kind" schema:"required;const=ServiceCatalog" doc:"Always ServiceCatalog."`
	Metadata   Metadata `json:"metadata" schema:"required" doc:"Identifies the catalog; only name and annotations are read."`
	Spec       Spec     `json:"spec" schema:"required" doc:"Everything novagen generates from: the namespace, defaults, infrastructure, databases, topics and services."`

	// File is the path the catalog was loaded from, as given to Load.
	File string `json:"-"`
	// Environment is the spec.environments entry merged into Spec ("" for
	// the catalog as written); EnvironmentNames are all of them, sorted.
	Environment      string   `json:"-"`
	EnvironmentNames []string `json:"-"`

	graph *Graph
	index *index
	parts *partitionIndex // nil when not partitioned
	scope string          // the partition rendered ("" for all): InPartition

	// Origin is the loader's record of where the catalog came from (its
	// bytes, its directory, the checks it ran), so that its other
	// environments load the same way; nothing else reads it.
	Origin any `json:"-"`
}

// Metadata names the catalog; the name becomes app.kubernetes.io/part-of.
type Metadata struct {
	Name        string            `json:"name" schema:"required;ref=dns1035Label" doc:"Name of the catalog: app.kubernetes.io/part-of of every object, and the prefix of the headless Service <name>-grpc-services."`
	Annotations map[string]string `json:"annotations,omitempty" doc:"Free-form annotations of the catalog document; novagen does not copy them onto generated objects." elemdoc:"An annotation value."`
}

// Spec is everything the environment is made of.
type Spec struct {
	Namespace string `json:"namespace" schema:"required;ref=dnsLabel" doc:"Namespace of every generated object."`
	// CreateNamespace renders the Namespace itself (default true); false
	// where namespaces are made elsewhere.
	CreateNamespace *bool          `json:"createNamespace,omitempty" schema:"default=true" doc:"Render the Namespace (with Pod Security 'restricted' labels); default true. Set false where namespaces are made elsewhere."`
	Defaults        Defaults       `json:"defaults,omitzero" doc:"Values every service gets unless it sets its own: image, ports, probes, replicas, resources, security."`
	Images          Images         `json:"images,omitzero" doc:"Pinned images of the containers novagen runs itself (infrastructure, init containers and Jobs); each has a default."`
	Secrets         Secrets        `json:"secrets,omitzero" doc:"Where External Secrets reads credentials (database logins, Redis and ClickHouse passwords) and how rotated ones reach the pods."`
	Monitoring      Monitoring     `json:"monitoring,omitzero" doc:"Who scrapes the metrics ports, and optionally Prometheus Operator ServiceMonitors and alert rules."`
	Tracing         Tracing        `json:"tracing,omitzero" doc:"OpenTelemetry tracing: the OTEL_* settings of every service, its egress to the collector, and optionally the collector itself (off unless enabled)."`
	Infrastructure  Infrastructure `json:"infrastructure,omitzero" doc:"Shared components the services depend on: postgres, redis, zookeeper, kafka, clickhouse, and external ones. A component left out does not exist, and nothing may depend on it."`
	Migrations      Migrations     `json:"migrations,omitzero" doc:"The SQLx migration Job run for each service that owns a database."`
	Databases       []Database     `json:"databases,omitempty" doc:"PostgreSQL databases on the shared server (infrastructure.postgres). A service names the one it owns with its database field; each database has at most one owner." elemdoc:"One PostgreSQL database."`
	Topics          []Topic        `json:"topics,omitempty" doc:"Kafka topics, created by a Job (or KafkaTopics with infrastructure.kafka.topics: strimzi). Needs infrastructure.kafka." elemdoc:"One Kafka topic."`
	Services        []Service      `json:"services" schema:"required;minItems=1" doc:"The microservices: each gets a Deployment, a Service, a ServiceAccount, a NetworkPolicy and init containers that wait for what it depends on. At least one." elemdoc:"One service; name is the only required field."`
	// Contracts are the API contracts (proto files); nil renders none.
	Contracts *Contracts `json:"contracts,omitempty" doc:"API contracts: proto files rendered into ConfigMaps and checked by a buf Job. Omitted: no contract objects."`
	// Ingress says how exposed services are reached from outside the
	// namespace; defaulted when a service is exposed.
	Ingress *Ingress `json:"ingress,omitempty" doc:"How exposed services (services[].expose) are reached from outside: an Ingress or HTTPRoutes, and cert-manager Certificates."`
	// Partitions split delivery into slices (an Argo CD Application
	// each); nil delivers the catalog whole.
	Partitions *Partitions `json:"partitions,omitempty" doc:"Split delivery into partitions, one Argo CD Application each. Omitted: the catalog is delivered whole."`
	// Extensions are the sections of generators a program adds, by
	// name, as JSON objects each checked against its extension's schema
	// (load.Options.Extensions); the generator decodes its own.
	Extensions map[string]json.RawMessage `json:"extensions,omitempty" schema:"ref=extensions" doc:"Sections read by generators a program adds to novagen (README, Extending novagen): each key names an extension, its value is checked against the JSON Schema that extension supplies. A key no registered extension claims is an error."`
	// Environments are overlays of the spec by environment name. The
	// loader takes them out before decoding (selectEnvironment): a loaded
	// catalog has none; they are declared for the schema and for writers.
	Environments map[string]Environment "json:\"environments,omitempty\" schema:\"maxProperties=100;keys.ref=dnsLabel\" doc:\"Per-environment overlays: each name (production) maps to what that environment changes. Selected with `novagen render -e NAME` or the function config's spec.environment; the overlay merges into the spec (mappings key by key; a list or a value replaces) and the result is checked like a catalog of its own.\" elemdoc:\"What this environment changes in the spec.\""
}

// Environment is what one environment changes in the spec: mappings merge
// key by key, lists and values replace.
type Environment struct {
	Namespace       string                     `json:"namespace,omitempty" schema:"ref=dnsLabel" doc:"The environment's namespace (overrides spec.namespace)."`
	CreateNamespace *bool                      `json:"createNamespace,omitempty" doc:"Overrides spec.createNamespace."`
	Defaults        *Defaults                  `json:"defaults,omitempty" doc:"Merged over spec.defaults."`
	Images          *Images                    `json:"images,omitempty" doc:"Merged over spec.images."`
	Secrets         *Secrets                   `json:"secrets,omitempty" doc:"Merged over spec.secrets."`
	Monitoring      *Monitoring                `json:"monitoring,omitempty" doc:"Merged over spec.monitoring."`
	Tracing         *Tracing                   `json:"tracing,omitempty" doc:"Merged over spec.tracing."`
	Ingress         *Ingress                   `json:"ingress,omitempty" doc:"Merged over spec.ingress."`
	Partitions      *Partitions                `json:"partitions,omitempty" doc:"Merged over spec.partitions."`
	Migrations      *Migrations                `json:"migrations,omitempty" doc:"Merged over spec.migrations."`
	Infrastructure  *Infrastructure            `json:"infrastructure,omitempty" doc:"Merged over spec.infrastructure (e.g. more brokers, managed: false with a host)."`
	Extensions      map[string]json.RawMessage `json:"extensions,omitempty" schema:"ref=extensions" doc:"Merged over spec.extensions."`
	Services        map[string]ServicePatch    `json:"services,omitempty" schema:"keys.ref=dnsLabel" doc:"Patches of catalog services by name." elemdoc:"What this environment changes in the service of that name."`
}

// ServicePatch is what an environment changes in one service.
type ServicePatch struct {
	Replicas     *int32            `json:"replicas,omitempty" schema:"maximum=2147483647;minimum=0" doc:"Overrides the service's replicas."`
	Image        *ImagePatch       `json:"image,omitempty" doc:"Merged over the service's image."`
	Resources    *Resources        `json:"resources,omitempty" doc:"Merged over the service's resources."`
	Labels       map[string]string `json:"labels,omitempty" schema:"ref=labels" doc:"Merged over the service's labels."`
	StartupGrace *Duration         `json:"startupGrace,omitempty" schema:"ref=duration" doc:"Overrides the service's startupGrace."`
	Expose       *Expose           `json:"expose,omitempty" doc:"Merged over the service's expose."`
}

// ImagePatch is what an environment changes in a service's image.
type ImagePatch struct {
	Repository string `json:"repository,omitempty" schema:"ref=imageRepository" doc:"The image without tag, e.g. registry.example/team/app; default <defaults.image.registry>/<service>."`
	Tag        string `json:"tag,omitempty" schema:"ref=imageTag" doc:"Overrides the image tag."`
	Digest     string `json:"digest,omitempty" schema:"ref=imageDigest" doc:"Overrides the image digest."`
}

// Entry-point kinds the catalog may choose.
const (
	IngressKindIngress   = "Ingress"   // networking.k8s.io/v1
	IngressKindHTTPRoute = "HTTPRoute" // gateway.networking.k8s.io/v1
)

// Ingress is the catalog's entry point: an Ingress of ClassName, or an
// HTTPRoute attached to Gateway; Certificates from Issuer; Controller is
// whose pods forward to the exposed services (NetworkPolicy ingress).
type Ingress struct {
	Kind       string            `json:"kind,omitempty" schema:"default=Ingress;enum=Ingress|HTTPRoute" doc:"networking.k8s.io/v1 Ingress (default) or gateway.networking.k8s.io/v1 HTTPRoute."`
	ClassName  string            `json:"className,omitempty" schema:"ref=dnsSubdomain" doc:"ingressClassName of the Ingress (kind Ingress only); default nginx."`
	Gateway    *GatewayRef       `json:"gateway,omitempty" doc:"The parent Gateway of the HTTPRoutes."`
	Issuer     *IssuerRef        `json:"issuer,omitempty" doc:"The cert-manager issuer of the Certificates."`
	Controller IngressController `json:"controller,omitzero" doc:"The pods that forward outside traffic: admitted to exposed services on their port."`
}

// GatewayRef names the parent Gateway of the HTTPRoutes.
type GatewayRef struct {
	Name        string `json:"name" schema:"required;ref=dnsSubdomain" doc:"Name of the Gateway."`
	Namespace   string `json:"namespace,omitempty" schema:"ref=dnsLabel" doc:"Default: the catalog namespace."`
	SectionName string `json:"sectionName,omitempty" schema:"ref=dnsSubdomain" doc:"A listener of the Gateway."`
}

// IssuerRef names the cert-manager (Cluster)Issuer of the Certificates.
type IssuerRef struct {
	Kind string `json:"kind,omitempty" schema:"default=ClusterIssuer;enum=ClusterIssuer|Issuer" doc:"Default ClusterIssuer."`
	Name string `json:"name" schema:"required;ref=dnsSubdomain" doc:"Name of the issuer; needed for any expose with tls: true."`
}

// IngressController selects the pods that forward outside traffic.
type IngressController struct {
	Namespace string            `json:"namespace,omitempty" schema:"ref=dnsLabel" doc:"Namespace of the controller pods; default ingress-nginx for kind Ingress, the Gateway's namespace for HTTPRoute."`
	PodLabels map[string]string `json:"podLabels,omitempty" schema:"ref=labels" doc:"Labels of the controller pods; default app.kubernetes.io/name: ingress-nginx for kind Ingress, gateway.networking.k8s.io/gateway-name: <gateway> for HTTPRoute."`
}

// Defaults apply to every service unless the service overrides them.
type Defaults struct {
	Image ImageDefaults `json:"image,omitzero" doc:"How service images are named: <registry>/<service>:<tag>, or @<digest> when a digest is given."`
	Ports DefaultPorts  `json:"ports,omitzero" doc:"Ports every service listens on unless it sets its own; a service has only the serving port of its protocol."`
	// HealthPath is what the kubelet and the validation Job GET on an
	// HTTP service's port.
	HealthPath string    `json:"healthPath,omitempty" schema:"ref=httpPath;default=/healthz" doc:"What probes and the validation Job GET on an http service; default /healthz."`
	Wait       Wait      `json:"wait,omitzero" doc:"How long a service's init containers wait for each dependency before the pod fails: retries × interval (default 30 × 2s)."`
	Replicas   *int32    `json:"replicas,omitempty" schema:"default=1;maximum=2147483647;minimum=0" doc:"Replicas of every service that sets none; default 1. 0 renders the Deployment scaled to zero."`
	Resources  Resources `json:"resources,omitzero" schema:"default={requests: {cpu: 100m, memory: 128Mi}, limits: {cpu: 500m, memory: 256Mi}}" doc:"Requests and limits of every service container, merged one resource name at a time over novagen's own: requests cpu 100m, memory 128Mi, limits cpu 500m, memory 256Mi."`
	RunAsUser  int64     `json:"runAsUser,omitempty" schema:"default=10001;maximum=2147483647;minimum=1" doc:"Numeric non-root UID of every generated container; default 10001."`
	// StartupGrace is how long a service may take to start before its
	// liveness probe counts.
	StartupGrace Duration `json:"startupGrace,omitzero" schema:"ref=duration;default=2m" doc:"How long a service may take to start before its liveness probe counts (a startupProbe); default 2m, rounded up to whole 5 s probe periods."`
}

// ImageDefaults build a service image as <registry>/<service>:<tag>, or
// @<digest> when a digest is given.
type ImageDefaults struct {
	Registry string `json:"registry,omitempty" schema:"ref=imageRepository" doc:"Prefix of every service image: <registry>/<service>:<tag> (or @<digest>). No default: without it every service needs image.repository."`
	Tag      string `json:"tag,omitempty" schema:"ref=imageTag" doc:"The tag of every service image that names neither its own tag nor digest; 'latest' (in any case) is rejected. No default."`
	Digest   string `json:"digest,omitempty" schema:"ref=imageDigest" doc:"Pins every service image by digest instead of by tag (sha256:<64 hex digits>); a service that names its own tag or digest keeps it."`
}

// Ports are where a service listens: its serving port (GRPC or HTTP, by
// its protocol) and metrics.
type Ports struct {
	GRPC    int32 `json:"grpc,omitempty" schema:"ref=port" doc:"gRPC serving port (grpc services only); default defaults.ports.grpc (50051)."`
	HTTP    int32 `json:"http,omitempty" schema:"ref=port" doc:"HTTP serving port (http services only); default defaults.ports.http (8080)."`
	Metrics int32 `json:"metrics,omitempty" schema:"ref=port" doc:"Metrics port; default defaults.ports.metrics (9090)."`
}

// DefaultPorts are the ports of every service that sets none: Ports, with
// defaults of their own (the schema describes the two apart).
type DefaultPorts struct {
	GRPC    int32 `json:"grpc,omitempty" schema:"ref=port;default=50051" doc:"Serving port of grpc services; default 50051."`
	HTTP    int32 `json:"http,omitempty" schema:"ref=port;default=8080" doc:"Serving port of http services; default 8080."`
	Metrics int32 `json:"metrics,omitempty" schema:"ref=port;default=9090" doc:"Metrics port of every service: the Service port http-metrics, the one the monitoring pods may scrape; default 9090."`
}

// Service protocols: how a service serves its clients.
const (
	ProtocolGRPC = "grpc" // plaintext gRPC (h2c), grpc.health.v1 probes
	ProtocolHTTP = "http" // HTTP/1.1, probes GET its health path
)

// Wait is how long an init container waits for a dependency.
type Wait struct {
	Retries  int      `json:"retries,omitempty" schema:"default=30;maximum=1000;minimum=1" doc:"Attempts before the init container fails (Kubernetes then restarts it); default 30."`
	Interval Duration `json:"interval,omitzero" schema:"ref=duration;default=2s" doc:"Pause between attempts; default 2s."`
}

// Resources are container requests and limits as Kubernetes quantities.
type Resources struct {
	Requests map[string]string `json:"requests,omitempty" schema:"ref=resourceList" doc:"What the scheduler reserves for the container."`
	Limits   map[string]string `json:"limits,omitempty" schema:"ref=resourceList" doc:"The most the container may use; exceeding the memory limit kills it. A request may not exceed its limit."`
}

// Images are the pinned images novagen puts into generated pods.
type Images struct {
	Postgres string `json:"postgres,omitempty" schema:"ref=image;default=postgres:15-alpine" doc:"The PostgreSQL server, and the psql of the db-init Job, of the init containers waiting for postgres and of the validation Job; default postgres:15-alpine."`
	Redis    string `json:"redis,omitempty" schema:"ref=image;default=redis:7.2.5" doc:"The Redis Cluster nodes, and the redis-cli of the cluster setup and the validation Job; default redis:7.2.5."`
	Busybox  string `json:"busybox,omitempty" schema:"ref=image;default=busybox:1.36.1" doc:"The shell of the helper containers: the init containers waiting for dependencies, the migration Job's copy step, the contracts and validation Jobs; default busybox:1.36.1."`
	Sqlx     string `json:"sqlx,omitempty" schema:"ref=image;default=registry.nova.internal/tools/sqlx-cli:0.8.2" doc:"The migration Job's sqlx-cli; default registry.nova.internal/tools/sqlx-cli:0.8.2."`
	// Zookeeper is a Confluent Platform 7.x cp-zookeeper image.
	Zookeeper string `json:"zookeeper,omitempty" schema:"ref=image;default=confluentinc/cp-zookeeper:7.7.1" doc:"ZooKeeper (Kafka in zookeeper mode): a Confluent Platform 7.x cp-zookeeper image; default confluentinc/cp-zookeeper:7.7.1."`
	// Kafka is the broker and topic-tool image in zookeeper mode: a
	// Confluent Platform 7.x cp-kafka image (the last line that runs
	// with ZooKeeper), configured through its KAFKA_* environment.
	Kafka string `json:"kafka,omitempty" schema:"ref=image;default=confluentinc/cp-kafka:7.7.1" doc:"Kafka in zookeeper mode (broker and topic Job): a Confluent Platform 7.x cp-kafka image, the last line that runs with ZooKeeper; default confluentinc/cp-kafka:7.7.1."`
	// KafkaKraft is the image in kraft mode: an Apache Kafka image
	// (apache/kafka 3.7 or later; /opt/kafka/bin). One field per mode, so
	// switching mode never runs a broker in the other family's image.
	KafkaKraft string `json:"kafkaKraft,omitempty" schema:"ref=image;default=apache/kafka:4.1.1" doc:"Kafka in kraft mode (broker and topic Job): an Apache Kafka image (apache/kafka 3.7 or later, tools in /opt/kafka/bin); default apache/kafka:4.1.1."`
	// ClickHouse is the server image (clickhouse/clickhouse-server): the
	// operator runs it, and the schema Job its clickhouse-client.
	ClickHouse string `json:"clickhouse,omitempty" schema:"ref=image;default=clickhouse/clickhouse-server:25.8.29.51" doc:"ClickHouse server (clickhouse/clickhouse-server): run by the Altinity operator, and the schema Job's clickhouse-client; default clickhouse/clickhouse-server:25.8.29.51."`
	// GRPCHealthProbe holds grpc_health_probe, which the validation Job
	// runs against every service: the grpc-ecosystem image (distroless,
	// no shell; the Job brings busybox's).
	GRPCHealthProbe string `json:"grpcHealthProbe,omitempty" schema:"ref=image;default=registry.nova.internal/tools/grpc-health-probe:v0.4.40" doc:"grpc_health_probe, which the validation Job runs against every service's gRPC port: a pinned grpc-health-probe image from grpc-ecosystem, mirrored (the Job brings its own shell); default registry.nova.internal/tools/grpc-health-probe:v0.4.40."`
	// Buf runs the contracts' validation Job (bufbuild/buf).
	Buf string `json:"buf,omitempty" schema:"ref=image;default=bufbuild/buf:1.75.0" doc:"The API contracts' validation Job (buf lint, buf breaking): a bufbuild/buf 1.x image; default bufbuild/buf:1.75.0."`
	// OTelCollector runs the tracing collector (tracing.collector
	// managed): the contrib distribution, which has the health_check
	// extension the probes ask.
	OTelCollector string `json:"otelCollector,omitempty" schema:"ref=image;default=otel/opentelemetry-collector-contrib:0.114.0" doc:"The OpenTelemetry Collector novagen runs when tracing.collector is managed: the contrib distribution (binary /otelcol-contrib, UID 10001); default otel/opentelemetry-collector-contrib:0.114.0."`
	// The exporters of the data tier (monitoring.prometheusOperator on,
	// component managed): Deployments of their own beside the servers.
	PostgresExporter string `json:"postgresExporter,omitempty" schema:"ref=image;default=prometheuscommunity/postgres-exporter:v0.20.1" doc:"The PostgreSQL exporter run when monitoring.prometheusOperator is enabled and postgres is managed: a prometheus-community postgres_exporter image; default prometheuscommunity/postgres-exporter:v0.20.1."`
	RedisExporter    string `json:"redisExporter,omitempty" schema:"ref=image;default=oliver006/redis_exporter:v1.88.0" doc:"The Redis exporter run when monitoring.prometheusOperator is enabled and redis is managed: an oliver006/redis_exporter image; default oliver006/redis_exporter:v1.88.0."`
	KafkaExporter    string `json:"kafkaExporter,omitempty" schema:"ref=image;default=danielqsj/kafka-exporter:v1.9.0" doc:"The Kafka exporter run when monitoring.prometheusOperator is enabled and kafka is managed: a danielqsj/kafka-exporter image; default danielqsj/kafka-exporter:v1.9.0."`
	// AWSCLI uploads and downloads PostgreSQL backups (amazon/aws-cli).
	AWSCLI string `json:"awsCli,omitempty" schema:"ref=image;default=amazon/aws-cli:2.22.35" doc:"The AWS CLI (amazon/aws-cli 2.x) that uploads PostgreSQL backups to S3-compatible storage and downloads them for a restore (infrastructure.postgres.backup); default amazon/aws-cli:2.22.35."`
}

// Secrets says where External Secrets finds credentials, and how a
// rotated credential reaches the pods that hold it.
type Secrets struct {
	Store           SecretStoreRef `json:"store,omitzero" doc:"The (Cluster)SecretStore every generated ExternalSecret reads from; it must exist in the cluster."`
	KeyPrefix       string         `json:"keyPrefix,omitempty" schema:"ref=secretKeyPrefix" doc:"Path in the store that every credential's key starts with (<keyPrefix>/postgres/<role>, <keyPrefix>/clickhouse/<user>, <keyPrefix>/redis/default). Default derived: nova/<spec.namespace>."`
	RefreshInterval Duration       `json:"refreshInterval,omitzero" schema:"ref=duration;default=1h" doc:"How often External Secrets re-reads the store; default 1h."`
	// Rotation is any text; changing it restarts every service (a pod
	// template annotation), so pods pick up rotated credentials.
	Rotation string `json:"rotation,omitempty" schema:"maxLength=63" doc:"Any text; changing it restarts every service so its pods read rotated credentials (a pod template annotation)."`
	// Reloader annotates each Deployment for Stakater Reloader, which then
	// restarts it whenever one of its Secrets changes.
	Reloader bool `json:"reloader,omitempty" schema:"default=false" doc:"Annotate each Deployment for Stakater Reloader, which then restarts it whenever one of its Secrets changes."`
}

// SecretStoreRef names the (Cluster)SecretStore every ExternalSecret uses.
type SecretStoreRef struct {
	Kind string `json:"kind,omitempty" schema:"default=ClusterSecretStore;enum=ClusterSecretStore|SecretStore" doc:"ClusterSecretStore (default) or SecretStore (namespaced, in the catalog namespace)."`
	Name string `json:"name,omitempty" schema:"ref=dnsLabel;default=aws-secrets-manager" doc:"Name of the store; default aws-secrets-manager."`
}

// Monitoring selects the pods allowed to scrape metrics ports and, with
// the Prometheus Operator, tells them what to scrape and alert on. Both
// follow Catalog.MetricsTargets, so a ServiceMonitor never names a port
// the NetworkPolicies keep Prometheus out of.
type Monitoring struct {
	Namespace string            `json:"namespace,omitempty" schema:"ref=dnsLabel" doc:"The namespace of the monitoring pods."`
	PodLabels map[string]string `json:"podLabels,omitempty" schema:"ref=labels" doc:"The labels of the monitoring pods."`
	// PrometheusOperator, when enabled, renders a ServiceMonitor per
	// metrics target and a PrometheusRule of alerts.
	PrometheusOperator PrometheusOperator `json:"prometheusOperator,omitzero" doc:"ServiceMonitors and alert rules for the Prometheus Operator (off unless enabled)."`
	// Grafana says how the dashboards reach Grafana's sidecar, which
	// loads every ConfigMap carrying its label.
	Grafana Grafana `json:"grafana,omitzero" doc:"The Grafana dashboards rendered with prometheusOperator.enabled: ConfigMaps for the Grafana sidecar."`
}

// Grafana configures the dashboard ConfigMaps.
type Grafana struct {
	Label      string `json:"label,omitempty" schema:"default=grafana_dashboard;maxLength=316;minLength=1" doc:"The label the Grafana sidecar looks for on ConfigMaps (its dashboards.label); default grafana_dashboard."`
	LabelValue string `json:"labelValue,omitempty" schema:"default=1;maxLength=63" doc:"That label's value (the sidecar's dashboards.labelValue); default 1."`
	Namespace  string `json:"namespace,omitempty" schema:"ref=dnsLabel" doc:"The namespace of the dashboard ConfigMaps, when the sidecar does not search the catalog's (its dashboards.searchNamespace); default the catalog's namespace."`
}

// PrometheusOperator configures the monitoring.coreos.com objects.
type PrometheusOperator struct {
	Enabled bool `json:"enabled,omitempty" schema:"default=false" doc:"Render the ServiceMonitors and the PrometheusRule (default false)."`
	// Labels go on every ServiceMonitor and the PrometheusRule: what the
	// Prometheus resource's serviceMonitorSelector and ruleSelector match.
	Labels   map[string]string `json:"labels,omitempty" schema:"ref=labels" doc:"Labels of every ServiceMonitor and the PrometheusRule: what the Prometheus resource's serviceMonitorSelector and ruleSelector match (e.g. release: prometheus). Not app.kubernetes.io/*, which novagen sets."`
	Interval Duration          `json:"interval,omitzero" schema:"ref=duration;default=30s" doc:"How often Prometheus scrapes each metrics port; default 30s, whole seconds."`
	Alerts   Alerts            `json:"alerts,omitzero" doc:"Thresholds of the per-service alerts."`
}

// Alerts are the thresholds of the per-service alert rules.
type Alerts struct {
	// NotReadyFor is how long a Deployment may have fewer available
	// replicas than it wants before it alerts.
	NotReadyFor Duration `json:"notReadyFor,omitzero" schema:"ref=duration;default=5m" doc:"How long a service may have fewer available replicas than it wants before ServiceNotReady fires; default 5m."`
	// Restarts within RestartWindow make a service's containers alert.
	Restarts      int      `json:"restarts,omitempty" schema:"default=3;maximum=1000000;minimum=1" doc:"How many container restarts within restartWindow fire ServiceRestarting; default 3."`
	RestartWindow Duration `json:"restartWindow,omitzero" schema:"ref=duration;default=15m" doc:"The window restarts are counted in; default 15m, at least twice the interval."`
	// Severity is the alerts' severity label (Alertmanager routes on it).
	Severity string `json:"severity,omitempty" schema:"default=warning;minLength=1" doc:"The alerts' severity label, which Alertmanager routes on; default warning."`
}

// OTLP protocols a service exports spans with (OTEL_EXPORTER_OTLP_PROTOCOL).
const (
	TracingGRPC = "grpc"
	TracingHTTP = "http/protobuf"
)

// Exporters the managed collector sends spans to.
const (
	ExporterDebug = "debug" // the collector's log: nothing leaves the pod
	ExporterOTLP  = "otlp"  // another OTLP/gRPC endpoint (a tracing backend)
)

// Tracing gives every service the OpenTelemetry SDK's settings (the
// OTEL_* environment, which every SDK reads) and the egress to the
// collector; with a managed collector novagen runs that too.
type Tracing struct {
	Enabled  bool   `json:"enabled,omitempty" schema:"default=false" doc:"Give every service the OTEL_* settings and egress to the collector (default false)."`
	Protocol string `json:"protocol,omitempty" schema:"default=grpc;enum=grpc|http/protobuf" doc:"The OTLP protocol the services export with (OTEL_EXPORTER_OTLP_PROTOCOL): grpc (default, port 4317) or http/protobuf (port 4318)."`
	// SampleRatio is the share of new traces sampled; a trace begun
	// upstream keeps its parent's decision (parentbased_traceidratio).
	SampleRatio string `json:"sampleRatio,omitempty" schema:"pattern=^(0(\\.[0-9]{1,6})?|1(\\.0{1,6})?)$;default=1" doc:"The share of new traces the services sample, 0 to 1 as a decimal string such as \"0.25\" (OTEL_TRACES_SAMPLER parentbased_traceidratio, whose argument it is); a trace begun upstream keeps its parent's decision. Default 1: every trace."`
	// Environment is the deployment.environment resource attribute;
	// default the catalog environment rendered (novagen render -e).
	Environment string           `json:"environment,omitempty" schema:"ref=dnsLabel" doc:"The deployment.environment resource attribute of every span; default the environment rendered (spec.environments key), none for the catalog as written."`
	Collector   TracingCollector `json:"collector,omitzero" doc:"Where the spans go: a collector novagen runs (managed, the default) or one provided from outside at host."`
}

// TracingCollector is the OpenTelemetry Collector the services export to:
// run by novagen (Managed, the default; Service otel-collector) or
// provided from outside at Host, like an infrastructure component.
type TracingCollector struct {
	Managed   *bool           `json:"managed,omitempty" schema:"default=true" doc:"true (default): novagen runs an OpenTelemetry Collector (Deployment, Service otel-collector on 4317 and 4318, its config) and the services export to it. false: the collector runs elsewhere, at host; novagen only points the services at it."`
	Host      string          `json:"host,omitempty" schema:"maxLength=253;minLength=1" doc:"Only with managed: false: where the collector runs, a fully qualified DNS name (e.g. otel-collector.observability.svc.cluster.local) or an IP address."`
	CIDR      string          `json:"cidr,omitempty" doc:"Only with managed: false: the network the services' egress to the collector may go to (canonical CIDR); without it, host's IP, or any destination on the port."`
	Port      int32           `json:"port,omitempty" schema:"ref=port" doc:"Only with managed: false: the collector's OTLP port; default 4317 for grpc, 4318 for http/protobuf."`
	TLS       bool            `json:"tls,omitempty" schema:"default=false" doc:"Only with managed: false: the collector speaks TLS (an https:// endpoint); default false."`
	Replicas  int32           `json:"replicas,omitempty" schema:"default=1;maximum=100;minimum=1" doc:"Collector pods (default 1)."`
	Resources Resources       `json:"resources,omitzero" schema:"default={requests: {cpu: 100m, memory: 128Mi}, limits: {cpu: 500m, memory: 512Mi}}" doc:"The collector container's; default requests cpu 100m, memory 128Mi, limits cpu 500m, memory 512Mi (its memory_limiter keeps to 80 % of the limit)."`
	Exporter  TracingExporter `json:"exporter,omitzero" doc:"Where the managed collector sends the spans it receives."`
}

// IsManaged says whether novagen runs the collector.
func (c *TracingCollector) IsManaged() bool { return c.Managed == nil || *c.Managed }

// TracingExporter is the managed collector's one exporter.
type TracingExporter struct {
	Kind     string `json:"kind,omitempty" schema:"default=debug;enum=debug|otlp" doc:"debug (default): the collector logs a line per batch and keeps nothing (see what arrives before a backend exists). otlp: it forwards every span over OTLP/gRPC to endpoint (Tempo, Jaeger, a vendor's gateway)."`
	Endpoint string `json:"endpoint,omitempty" schema:"maxLength=261;minLength=1" doc:"With kind otlp: where the spans go, host:port (a fully qualified DNS name or an IP address). The collector's egress goes to any address on that port."`
	Insecure bool   `json:"insecure,omitempty" schema:"default=false" doc:"With kind otlp: send without TLS (a backend inside the cluster); default false."`
}

// Migrations configures the SQLx migration Job.
type Migrations struct {
	Source         string   `json:"source,omitempty" schema:"ref=absolutePath;default=/migrations" doc:"Directory of the migrations inside each service image; default /migrations."`
	ActiveDeadline Duration `json:"activeDeadline,omitzero" schema:"ref=duration;default=30m" doc:"How long a migration Job may run before Kubernetes stops it (activeDeadlineSeconds); default 30m."`
}

// Component is what every infrastructure piece has: whether novagen runs
// it, where it listens and which pods implement it (for NetworkPolicies).
//
// Managed (the default) means novagen renders the workload and clients
// reach it at its Service, named after the component. A component
// provided from outside (managed: false: a hosted database, an existing
// cluster) gets no workload: Host says where it runs, and clients reach
// it through an in-namespace Service of the same name pointing there, as
// for external components.
type Component struct {
	Managed   *bool             `json:"managed,omitempty" schema:"default=true" doc:"true (default): novagen runs it and clients reach its Service <name>. false: it is provided from outside (a hosted database, an existing cluster) at host; novagen emits no workload, only an in-namespace Service of the same name pointing at host."`
	Host      string            `json:"host,omitempty" schema:"maxLength=253;minLength=1" doc:"Only with managed: false: where it runs, a fully qualified DNS name or an IP address."`
	CIDR      string            `json:"cidr,omitempty" doc:"Only with managed: false: the network egress may go to (canonical CIDR); without it, host's IP, or any destination on the port."`
	Port      int32             `json:"port,omitempty" schema:"ref=port" doc:"The port clients connect to; default per component: postgres 5432, redis 6379, zookeeper 2181, kafka 9092, clickhouse 9000 (native protocol)."`
	PodLabels map[string]string `json:"podLabels,omitempty" schema:"ref=labels" doc:"Labels selecting the component's pods in NetworkPolicies; default app.kubernetes.io/name: <component> (the pods novagen renders)."`
}

// IsManaged says whether novagen runs the component.
func (c *Component) IsManaged() bool { return c.Managed == nil || *c.Managed }

// Infrastructure lists the shared components. A nil pointer means the
// environment has no such component and nothing may depend on it.
type Infrastructure struct {
	Postgres   *Postgres   `json:"postgres,omitempty" doc:"The shared PostgreSQL server holding every catalog database: a StatefulSet, a db-init Job creating databases and roles, and a password-sync CronJob. With managed: false, an existing server at host. Services reach it as postgres."`
	Redis      *Redis      `json:"redis,omitempty" doc:"The Redis Cluster (a StatefulSet of nodes and a cluster-init Job). With managed: false, an existing Redis at host. Services reach it as redis."`
	Zookeeper  *Zookeeper  `json:"zookeeper,omitempty" doc:"The ZooKeeper ensemble Kafka runs on in zookeeper mode (a StatefulSet). Services reach it as zookeeper."`
	Kafka      *Kafka      `json:"kafka,omitempty" doc:"The Kafka brokers (a StatefulSet) and the topics of spec.topics. With managed: false, an existing cluster at host. Services reach it as kafka."`
	ClickHouse *ClickHouse `json:"clickhouse,omitempty" doc:"ClickHouse, run by the Altinity operator (a ClickHouseInstallation), with the tables of the analytics database and a login per service that depends on it. Services reach it as clickhouse."`
	External   []External  `json:"external,omitempty" doc:"Components that run outside this namespace; services may wait for them." elemdoc:"One component outside the namespace, reached through an in-namespace Service of its name."`
}

// Postgres is the shared PostgreSQL server holding every service database.
type Postgres struct {
	Component
	Extensions       []string      `json:"extensions,omitempty" schema:"elem.ref=postgresExtension" doc:"Extensions the db-init Job creates in every database (CREATE EXTENSION IF NOT EXISTS)."`
	Admin            PostgresAdmin `json:"admin,omitzero" doc:"The superuser the db-init Job and password sync run as (password from the secret store)."`
	Storage          string        `json:"storage,omitempty" schema:"ref=quantity;default=10Gi" doc:"Size of the data volume (default 10Gi)."`
	StorageClassName string        `json:"storageClassName,omitempty" schema:"ref=dnsSubdomain" doc:"StorageClass of the data volume; default: the cluster's default class."`
	Resources        Resources     `json:"resources,omitzero" schema:"default={requests: {cpu: 250m, memory: 256Mi}, limits: {cpu: '1', memory: 1Gi}}" doc:"The server container's; default requests cpu 250m, memory 256Mi, limits cpu 1, memory 1Gi."`
	PasswordSync     PasswordSync  `json:"passwordSync,omitzero" doc:"The CronJob that applies the secret store's current role passwords to PostgreSQL between syncs."`
	// Backup, when set and enabled, renders the backup CronJob (generator
	// postgres-backup); only for a server novagen runs.
	Backup *PostgresBackup `json:"backup,omitempty" doc:"Scheduled logical backups of every catalog database (pg_dump -Fc, plus the roles without passwords) to S3-compatible storage, kept retention times; novagen restore renders the Job that restores them. Only for a managed server: a provided one is backed up by its provider."`
}

// PostgresBackup is the schedule, retention and storage of the logical
// backups of a managed PostgreSQL server.
type PostgresBackup struct {
	Enabled  *bool  `json:"enabled,omitempty" schema:"default=true" doc:"Render the backup CronJob (default true once backup is given); false keeps the settings but stops the backups."`
	Schedule string `json:"schedule,omitempty" schema:"ref=cronSchedule;default=0 2 * * *" doc:"When the backup CronJob runs (default 0 2 * * *: daily at 02:00 in the controller's time zone)."`
	// Retention is how many complete backups the CronJob keeps.
	Retention int           `json:"retention,omitempty" schema:"default=7;maximum=10000;minimum=1" doc:"How many complete backups are kept (default 7): after a successful upload the oldest complete ones beyond this are deleted; incomplete ones never."`
	Storage   BackupStorage `json:"storage" schema:"required" doc:"The S3-compatible bucket the backups go to. The credentials come from the secret store, key <secrets.keyPrefix>/postgres-backup/s3, properties accessKeyId and secretAccessKey (ExternalSecret postgres-backup-s3)."`
}

// On says whether the backups run.
func (b *PostgresBackup) On() bool { return b != nil && (b.Enabled == nil || *b.Enabled) }

// BackupStorage is where backups go: s3://Bucket/Prefix/<stamp>/ at
// Endpoint.
type BackupStorage struct {
	Endpoint  string `json:"endpoint" schema:"required;maxLength=2000;pattern=^https://" doc:"HTTPS URL of the S3-compatible server, e.g. https://s3.eu-west-1.amazonaws.com or https://minio.storage.svc:9000 (no path). The backup pods may reach its port (NetworkPolicy)."`
	Bucket    string `json:"bucket" schema:"required;maxLength=63;minLength=3;pattern=^[a-z0-9][a-z0-9.-]*[a-z0-9]$" doc:"The bucket; it must exist."`
	Prefix    string `json:"prefix,omitempty" schema:"maxLength=200;pattern=^[A-Za-z0-9._-]+(/[A-Za-z0-9._-]+)*$" doc:"Key prefix of the backups (default: the catalog name): each backup is <prefix>/<UTC stamp>/<database>.dump, globals.sql and COMPLETE."`
	Region    string `json:"region,omitempty" schema:"maxLength=63;pattern=^[a-z0-9-]+$;default=us-east-1" doc:"The region signed into requests (default us-east-1)."`
	PathStyle bool   `json:"pathStyle,omitempty" schema:"default=false" doc:"Address the bucket in the path (https://host/bucket/key) rather than the host name (https://bucket.host/key): most servers other than AWS need it."`
	// CAConfigMap names a ConfigMap (key ca.crt) holding the CA bundle
	// that signed the endpoint's certificate.
	CAConfigMap string `json:"caConfigMap,omitempty" schema:"ref=dnsSubdomain" doc:"A ConfigMap in the namespace whose key ca.crt holds the CA bundle of a private CA that signed the endpoint's certificate; default: the image's public CAs."`
}

// PostgresAdmin is the superuser the init scripts run as.
type PostgresAdmin struct {
	User string `json:"user,omitempty" schema:"ref=sqlIdentifier;default=postgres" doc:"The superuser's name; default postgres."`
}

// PasswordSync is the CronJob that applies the secret store's current
// role passwords to PostgreSQL between syncs.
type PasswordSync struct {
	Schedule string `json:"schedule,omitempty" schema:"ref=cronSchedule;default=*/15 * * * *" doc:"When the password-sync CronJob applies the secret store's current role passwords (default */15 * * * *)."`
}

// Redis is the Redis Cluster.
type Redis struct {
	Component
	Nodes             int      `json:"nodes,omitempty" schema:"default=3;maximum=1000;minimum=3" doc:"Redis pods (default 3); nodes / (replicasPerMaster + 1) masters, at least 3."`
	ReplicasPerMaster int      `json:"replicasPerMaster,omitempty" schema:"default=0;maximum=10;minimum=0" doc:"Replicas of each master (default 0)."`
	Storage           string   `json:"storage,omitempty" schema:"ref=quantity;default=10Gi" doc:"Size of each pod's /data volume (default 10Gi)."`
	StorageClassName  string   `json:"storageClassName,omitempty" schema:"ref=dnsSubdomain" doc:"StorageClass of the data volumes; default: the cluster's default class."`
	Memory            string   `json:"memory,omitempty" schema:"ref=quantity;default=512Mi" doc:"Each pod's memory request and limit (default 512Mi); maxmemory is 75 % of it."`
	MaxmemoryPolicy   string   `json:"maxmemoryPolicy,omitempty" schema:"default=allkeys-lru;enum=noeviction|allkeys-lru|allkeys-lfu|allkeys-random|volatile-lru|volatile-lfu|volatile-random|volatile-ttl" doc:"What Redis evicts when maxmemory is reached (maxmemory-policy); default allkeys-lru."`
	AntiAffinity      string   `json:"antiAffinity,omitempty" schema:"default=preferred;enum=preferred|required" doc:"Spread pods over nodes (kubernetes.io/hostname): preferred (default) or required."`
	NodeTimeout       Duration `json:"nodeTimeout,omitzero" schema:"ref=duration;default=5s" doc:"cluster-node-timeout (default 5s)."`
}

// Fixed ports of a ZooKeeper server besides its client port.
const (
	ZookeeperFollowerPort = 2888
	ZookeeperElectionPort = 3888
	ZookeeperAdminPort    = 8080
)

// Zookeeper coordinates Kafka in zookeeper mode: an ensemble of Replicas
// (odd) servers.
type Zookeeper struct {
	Component
	Replicas         int       `json:"replicas,omitempty" schema:"default=1;maximum=99;minimum=1" doc:"ZooKeeper servers (default 1); odd, so a majority survives."`
	Storage          string    `json:"storage,omitempty" schema:"ref=quantity;default=5Gi" doc:"Size of each server's data and transaction-log volumes (default 5Gi each)."`
	StorageClassName string    `json:"storageClassName,omitempty" schema:"ref=dnsSubdomain" doc:"StorageClass of the volumes; default: the cluster's default class."`
	Resources        Resources `json:"resources,omitzero" schema:"default={requests: {cpu: 100m, memory: 512Mi}, limits: {cpu: 500m, memory: 1Gi}}" doc:"The server container's; default requests cpu 100m, memory 512Mi, limits cpu 500m, memory 1Gi (heap: half the memory limit)."`
	AntiAffinity     string    `json:"antiAffinity,omitempty" schema:"ref=antiAffinity;default=preferred" doc:"Spread servers over nodes (kubernetes.io/hostname): preferred (default) or required."`
}

// Kafka modes and topic outputs.
const (
	KafkaModeZookeeper = "zookeeper"
	KafkaModeKRaft     = "kraft"
	TopicsJob          = "job"     // a Job creates and grows the topics
	TopicsStrimzi      = "strimzi" // a Strimzi KafkaTopic per topic
)

// Kafka is the event broker.
type Kafka struct {
	Component
	Mode      string   `json:"mode,omitempty" schema:"default=zookeeper;enum=zookeeper|kraft" doc:"zookeeper (default; images.kafka, with spec.infrastructure.zookeeper) or kraft (images.kafkaKraft; combined broker and controller pods, no ZooKeeper)."`
	Brokers   int      `json:"brokers,omitempty" schema:"default=1;maximum=1000;minimum=1" doc:"Broker pods (default 1); in kraft mode every broker is a controller too, so the count is odd. For Kafka provided from outside: its broker count, which bounds replication factors."`
	Retention Duration `json:"retention,omitzero" schema:"ref=duration;default=168h" doc:"Default retention of the topics (log.retention.ms; default 168h), whole milliseconds."`
	JMXPort   int32    `json:"jmxPort,omitempty" schema:"ref=port;default=9999" doc:"JMX port, also the RMI port (default 9999)."`
	// ControllerPort is the KRaft controller listener.
	ControllerPort int32 `json:"controllerPort,omitempty" schema:"ref=port;default=9093" doc:"The KRaft controller listener (default 9093)."`
	// ReplicationFactor is that of the internal topics and the default of
	// catalog topics; MinInsyncReplicas the fewest in-sync replicas a
	// write with acks=all needs.
	ReplicationFactor int `json:"replicationFactor,omitempty" schema:"maximum=32767;minimum=1" doc:"Replication factor of the internal topics and default of the catalog's topics (default: brokers, at most 3)."`
	MinInsyncReplicas int `json:"minInsyncReplicas,omitempty" schema:"maximum=32767;minimum=1" doc:"min.insync.replicas (default 2 with a replication factor of 3 or more, else 1)."`
	// ClusterID is the KRaft cluster ID (default derived from namespace
	// and catalog name: naming.KafkaClusterID).
	ClusterID        string    `json:"clusterId,omitempty" schema:"ref=kafkaClusterId" doc:"KRaft cluster ID; default derived from namespace and catalog name. Set it to keep the ID of existing volumes when those change."`
	Storage          string    `json:"storage,omitempty" schema:"ref=quantity;default=20Gi" doc:"Size of each broker's data volume (default 20Gi)."`
	StorageClassName string    `json:"storageClassName,omitempty" schema:"ref=dnsSubdomain" doc:"StorageClass of the broker volumes; default: the cluster's default class."`
	Resources        Resources `json:"resources,omitzero" schema:"default={requests: {cpu: 250m, memory: 1Gi}, limits: {cpu: '1', memory: 2Gi}}" doc:"The broker container's; default requests cpu 250m, memory 1Gi, limits cpu 1, memory 2Gi (heap: half the memory limit)."`
	AntiAffinity     string    `json:"antiAffinity,omitempty" schema:"ref=antiAffinity;default=preferred" doc:"Spread brokers over nodes (kubernetes.io/hostname): preferred (default) or required."`
	// Topics says how catalog topics are made: TopicsJob or TopicsStrimzi
	// (then StrimziCluster is the strimzi.io/cluster label).
	Topics         string `json:"topics,omitempty" schema:"default=job;enum=job|strimzi" doc:"How the catalog's topics are made: job (default: a Job running kafka-topics) or strimzi (a kafka.strimzi.io/v1 KafkaTopic per topic, for a Topic Operator)."`
	StrimziCluster string `json:"strimziCluster,omitempty" schema:"ref=dnsLabel" doc:"With topics: strimzi, the Strimzi Kafka cluster (label strimzi.io/cluster) whose Topic Operator manages the topics."`
}

// KRaft says whether Kafka runs without ZooKeeper.
func (k *Kafka) KRaft() bool { return k.Mode == KafkaModeKRaft }

// KafkaKRaftHome is the Apache Kafka installation of the kraft-mode image
// (apache/kafka).
const KafkaKRaftHome = "/opt/kafka"

// Tools locate Kafka's CLI tools in the mode's image: on PATH without a
// suffix in cp-kafka (kafka-topics), under /opt/kafka/bin with .sh in
// apache/kafka (kafka-topics.sh).
func (k *Kafka) Tools() (dir, suffix string) {
	if k.KRaft() {
		return KafkaKRaftHome + "/bin/", ".sh"
	}
	return "", ""
}

// ClickHouse is the analytics database: a ClickHouseInstallation of the
// Altinity operator when managed, with a login per service that depends
// on it and the tables of Database.
type ClickHouse struct {
	Component
	HTTPPort         int32     `json:"httpPort,omitempty" schema:"ref=port;default=8123" doc:"HTTP interface (default 8123); port is the native TCP protocol (default 9000)."`
	Shards           int       `json:"shards,omitempty" schema:"default=1;maximum=1000;minimum=1" doc:"Shards (default 1). More than one host needs ClickHouse Keeper, which novagen does not set up yet: 1."`
	Replicas         int       `json:"replicas,omitempty" schema:"default=1;maximum=1000;minimum=1" doc:"Replicas per shard (default 1); see shards."`
	Cluster          string    `json:"cluster,omitempty" schema:"default=analytics;maxLength=15;minLength=1;pattern=^[a-z0-9]([a-z0-9-]*[a-z0-9])?$" doc:"The ClickHouse cluster's name in the installation (default analytics; at most 15 characters, the operator's rule)."`
	Storage          string    `json:"storage,omitempty" schema:"ref=quantity;default=50Gi" doc:"Data volume of each host (default 50Gi), kept when the installation is deleted (reclaimPolicy Retain)."`
	StorageClassName string    `json:"storageClassName,omitempty" schema:"ref=dnsSubdomain" doc:"StorageClass of the data volumes; default: the cluster's default class."`
	Resources        Resources `json:"resources,omitzero" schema:"default={requests: {cpu: 250m, memory: 1Gi}, limits: {cpu: '2', memory: 2Gi}}" doc:"The server container's; default requests cpu 250m, memory 1Gi, limits cpu 2, memory 2Gi."`
	Database         string    `json:"database,omitempty" schema:"ref=sqlIdentifier;default=analytics" doc:"The analytics database (default analytics): the tables live there and the service logins are granted on it."`
	// ClientNetworks are the CIDRs the service logins may connect from
	// (ClickHouse's users/<user>/networks/ip): the pod network.
	ClientNetworks []string `json:"clientNetworks,omitempty" schema:"default=[10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16, fd00::/8];maxItems=100;minItems=1;elem.maxLength=43" doc:"CIDRs service logins may connect from (the pod network; default the private ranges 10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16, fd00::/8). NetworkPolicies decide which pods get through." elemdoc:"A network in CIDR notation, e.g. 10.0.0.0/8."`
	// Grants are the privileges each service login has on Database.
	Grants   []string           `json:"grants,omitempty" schema:"default=[SELECT, INSERT];minItems=1;uniqueItems=true;elem.enum=SELECT|INSERT|ALTER UPDATE|ALTER DELETE|OPTIMIZE|SHOW TABLES" doc:"What each service login may do on the analytics database (default SELECT, INSERT)." elemdoc:"One privilege on the analytics database."`
	Operator ClickHouseOperator `json:"operator,omitzero" schema:"default={namespace: kube-system, podLabels: {app: clickhouse-operator}}" doc:"Where the Altinity operator runs (default namespace kube-system, pods app: clickhouse-operator): it queries every ClickHouse pod over HTTP."`
	Tables   []ClickHouseTable  `json:"tables,omitempty" schema:"maxItems=1000" doc:"Tables of the analytics database, created by the schema Job (CREATE TABLE IF NOT EXISTS)." elemdoc:"One table of the analytics database."`
}

// Replicated says whether the tables have replicas: Replicated* engines
// and ON CLUSTER DDL, coordinated through ZooKeeper.
func (c *ClickHouse) Replicated() bool { return c.IsManaged() && c.Replicas > 1 }

// ClickHouseOperator is where the Altinity operator runs: it queries
// every ClickHouse pod over HTTP, so their NetworkPolicy must let it in.
type ClickHouseOperator struct {
	Namespace string            `json:"namespace,omitempty" schema:"ref=dnsLabel" doc:"Namespace of the operator's pods; default kube-system (with podLabels app: clickhouse-operator)."`
	PodLabels map[string]string `json:"podLabels,omitempty" schema:"ref=labels" doc:"Labels of the operator's pods; default app: clickhouse-operator."`
}

// ClickHouse table engines the catalog may name.
const (
	EngineMergeTree          = "MergeTree"
	EngineReplacingMergeTree = "ReplacingMergeTree"
	EngineSummingMergeTree   = "SummingMergeTree"
)

// ClickHouseTable is one table of the analytics database, from which the
// schema Job's DDL is generated (never pasted).
type ClickHouseTable struct {
	Name        string             `json:"name" schema:"required;ref=sqlIdentifier" doc:"Table name in the analytics database."`
	Description string             `json:"description,omitempty" schema:"maxLength=1000" doc:"Free text for people; not rendered."`
	Engine      string             `json:"engine" schema:"required;enum=MergeTree|ReplacingMergeTree|SummingMergeTree" doc:"Table engine. SummingMergeTree adds up the numeric columns (sum) of rows with equal sorting keys; ReplacingMergeTree keeps the latest row (version)."`
	Columns     []ClickHouseColumn `json:"columns" schema:"required;maxItems=1000;minItems=1" doc:"The columns, in order." elemdoc:"One column."`
	// PartitionBy is a date column: PARTITION BY toYYYYMM(column).
	PartitionBy string   `json:"partitionBy,omitempty" schema:"ref=sqlIdentifier" doc:"A date or time column: PARTITION BY toYYYYMM(column), a partition per month."`
	OrderBy     []string `json:"orderBy,omitempty" schema:"maxItems=100;elem.ref=sqlIdentifier" doc:"The sorting key (ORDER BY), non-nullable columns; none: ORDER BY tuple()."`
	// Sum lists the columns a SummingMergeTree adds up (default: every
	// numeric column outside the sorting key).
	Sum []string `json:"sum,omitempty" schema:"maxItems=1000;elem.ref=sqlIdentifier" doc:"SummingMergeTree: the numeric columns outside orderBy to add up (default: every such column)."`
	// Version is the version column of a ReplacingMergeTree.
	Version string         `json:"version,omitempty" schema:"ref=sqlIdentifier" doc:"ReplacingMergeTree: the version column (unsigned integer, Date, DateTime or DateTime64); the row with the highest survives."`
	TTL     *ClickHouseTTL `json:"ttl,omitempty" doc:"Rows are deleted days after their date column (TTL column + INTERVAL days DAY; a DateTime64 is wrapped in toDateTime)."`
}

// ClickHouseColumn is a column; Type is a ClickHouse data type, parsed at
// load time (ColumnType) and written back in canonical form.
type ClickHouseColumn struct {
	Name string      `json:"name" schema:"required;ref=sqlIdentifier" doc:"Column name."`
	Type string      `json:"type" schema:"required;ref=clickhouseColumnType" doc:"Column type, e.g. UInt64, String, DateTime64(3), LowCardinality(String)."`
	Kind *ColumnType `json:"-"`
}

// ClickHouseTTL deletes rows Days days after their date column.
type ClickHouseTTL struct {
	Column string `json:"column" schema:"required;ref=sqlIdentifier" doc:"A Date, DateTime or DateTime64 column."`
	Days   int    `json:"days" schema:"required;maximum=36500;minimum=1" doc:"Days after the column's time a row is deleted."`
}

// External is a component outside the namespace (Elasticsearch, Neo4j).
// Host is where it runs (a DNS name or an IP address); clients reach it
// through an in-namespace Service named Name that points there.
//
// It is not a Component: novagen never runs it (no managed) and selects
// no pods of it (no podLabels).
type External struct {
	Name string `json:"name" schema:"required;ref=dns1035Label" doc:"The in-namespace name clients use: an ExternalName Service (or a selector-less Service for an IP) of this name points at host."`
	Host string `json:"host" schema:"required;maxLength=253;minLength=1" doc:"Where it runs: a fully qualified DNS name (e.g. neo4j.graph.svc.cluster.local) or an IP address."`
	Port int32  `json:"port" schema:"required;ref=port" doc:"The port it listens on, which egress is allowed to."`
	CIDR string `json:"cidr,omitempty" doc:"Restricts egress to this network (canonical CIDR, e.g. 10.20.0.0/16); without it, egress goes to host's address when host is an IP, else to any destination on the port."`
}

// Database is one PostgreSQL database. Its owner is derived: the service
// that names it.
type Database struct {
	Name        string `json:"name" schema:"required;ref=sqlIdentifier" doc:"The database name; services refer to it with their database field."`
	Description string `json:"description,omitempty" doc:"Free text for people, at most 200 characters: shown in the db-init Job's log of databases."`
	ReadOnly    bool   `json:"readOnly,omitempty" schema:"default=false" doc:"Legacy database kept for reads: no role may write to it and no service may own it."`
	ReaderRole  string `json:"readerRole,omitempty" schema:"ref=sqlIdentifier" doc:"A login role that gets CONNECT and SELECT only."`
}

// Topic is one Kafka topic. ReplicationFactor and Retention default to
// Kafka's.
type Topic struct {
	Name              string   `json:"name" schema:"required;ref=topicName" doc:"The topic name; services refer to it in produces and consumes. Names differing only in '.' and '_' collide in Kafka and are refused."`
	Partitions        int      `json:"partitions" schema:"required;maximum=10000;minimum=1" doc:"Number of partitions; a Job can only grow it, never shrink it."`
	ReplicationFactor int      `json:"replicationFactor,omitempty" schema:"maximum=32767;minimum=1" doc:"Copies of each partition, at most the broker count; default infrastructure.kafka.replicationFactor."`
	Retention         Duration `json:"retention,omitzero" schema:"ref=duration" doc:"retention.ms of the topic; default infrastructure.kafka.retention."`
}

// Service is one Nova microservice (or the gateway).
type Service struct {
	Name        string       `json:"name" schema:"required;ref=dns1035Label" doc:"The service name: its Deployment, Service and app.kubernetes.io/name label. A DNS-1035 label; unique among services and infrastructure."`
	Description string       `json:"description,omitempty" doc:"Free text for people: shown in the service registry of spec.contracts."`
	Database    string       `json:"database,omitempty" schema:"ref=sqlIdentifier" doc:"The database (of spec.databases) this service owns: it gets a login role, the Secret <service>-db with DATABASE_URL, and a migration Job. At most one owner per database; not a readOnly one."`
	DependsOn   []string     `json:"dependsOn,omitempty" schema:"elem.ref=dnsLabel" doc:"What the service needs: other services, infrastructure components (postgres, redis, kafka, clickhouse...) or external ones. Each becomes an init container that waits for it, a later sync wave and a NetworkPolicy egress rule. No cycles." elemdoc:"A service or component name."`
	Produces    []string     `json:"produces,omitempty" doc:"Topics the service writes: it reaches Kafka (NetworkPolicy) and gets KAFKA_BOOTSTRAP_SERVERS, without waiting for it." elemdoc:"A topic name of spec.topics."`
	Consumes    []string     `json:"consumes,omitempty" doc:"Topics the service reads; it must depend on kafka (it waits for it)." elemdoc:"A topic name of spec.topics."`
	Replicas    *int32       `json:"replicas,omitempty" schema:"maximum=2147483647;minimum=0" doc:"Pods of the Deployment; default defaults.replicas (1). 0 scales it to zero."`
	Image       ServiceImage `json:"image,omitzero" doc:"The service's image; by default <defaults.image.registry>/<name> with defaults.image's tag or digest."`
	// Protocol is ProtocolGRPC (default) or ProtocolHTTP.
	Protocol string `json:"protocol,omitempty" schema:"default=grpc;enum=grpc|http" doc:"How the service serves: grpc (default; gRPC health probes) or http (probes GET healthPath)."`
	Ports    Ports  `json:"ports,omitzero" doc:"Where the service listens; defaults from defaults.ports. Only the serving port of its protocol (grpc or http) may be set."`
	// HealthPath overrides defaults.healthPath (HTTP services).
	HealthPath string            `json:"healthPath,omitempty" schema:"ref=httpPath" doc:"http services: what probes and the validation Job GET; default defaults.healthPath (/healthz)."`
	Expose     *Expose           `json:"expose,omitempty" doc:"Publish this http service outside the namespace through spec.ingress."`
	Resources  Resources         `json:"resources,omitzero" doc:"The service container's requests and limits, merged one resource name at a time over defaults.resources."`
	Labels     map[string]string `json:"labels,omitempty" schema:"ref=labels" doc:"Extra labels on the service's pods; spec.partitions.label names one of them. Keys novagen sets itself (app.kubernetes.io/name...) are refused."`
	// StartupGrace overrides defaults.startupGrace.
	StartupGrace Duration `json:"startupGrace,omitzero" schema:"ref=duration" doc:"How long this service may take to start before its liveness probe counts; default defaults.startupGrace (2m)."`
}

// Expose publishes a service outside the namespace at Host and Path
// (default /), over HTTPS with a cert-manager Certificate when TLS.
type Expose struct {
	Host string `json:"host" schema:"required;ref=hostName" doc:"The DNS name clients use; one service per host and path."`
	Path string `json:"path,omitempty" schema:"ref=httpPath;default=/" doc:"Path prefix; default /."`
	TLS  bool   `json:"tls,omitempty" schema:"default=false" doc:"Serve HTTPS with a Certificate from spec.ingress.issuer (Secret <service>-tls)."`
}

// ServiceImage overrides the default image of one service.
type ServiceImage struct {
	Repository string `json:"repository,omitempty" schema:"ref=imageRepository" doc:"The image without tag, e.g. registry.example/team/app; default <defaults.image.registry>/<service>."`
	Tag        string `json:"tag,omitempty" schema:"ref=imageTag" doc:"This service's tag; default defaults.image.tag (unless it sets a digest). 'latest' is rejected."`
	Digest     string `json:"digest,omitempty" schema:"ref=imageDigest" doc:"Pins this service's image by digest; default defaults.image.digest (unless it sets a tag)."`
}

// Duration is a time.Duration written as a Go duration string ("2s").
// Set says the catalog wrote it, so an explicit 0s is never mistaken for
// "not given" and replaced by a default.
type Duration struct {
	time.Duration
	Set bool   // the catalog states it
	Raw string // as written, for messages
}

// EndpointPort is the TCP port of the storage endpoint: its URL's, else
// HTTPS's 443. The loader has checked the URL.
func (s BackupStorage) EndpointPort() int32 {
	u, err := url.Parse(s.Endpoint)
	if err != nil || u.Port() == "" {
		return 443
	}
	n, _ := strconv.Atoi(u.Port())
	return int32(n)
}
