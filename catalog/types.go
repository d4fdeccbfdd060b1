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
	APIVersion string   `json:"apiVersion"`
	Kind       string   `json:"kind"`
	Metadata   Metadata `json:"metadata"`
	Spec       Spec     `json:"spec"`

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
	Name        string            `json:"name"`
	Annotations map[string]string `json:"annotations,omitempty"`
}

// Spec is everything the environment is made of.
type Spec struct {
	Namespace string `json:"namespace"`
	// CreateNamespace renders the Namespace itself (default true); false
	// where namespaces are made elsewhere.
	CreateNamespace *bool          `json:"createNamespace,omitempty"`
	Defaults        Defaults       `json:"defaults"`
	Images          Images         `json:"images"`
	Secrets         Secrets        `json:"secrets"`
	Monitoring      Monitoring     `json:"monitoring"`
	Infrastructure  Infrastructure `json:"infrastructure"`
	Migrations      Migrations     `json:"migrations"`
	Databases       []Database     `json:"databases"`
	Topics          []Topic        `json:"topics"`
	Services        []Service      `json:"services"`
	// Contracts are the API contracts (proto files); nil renders none.
	Contracts *Contracts `json:"contracts,omitempty"`
	// Ingress says how exposed services are reached from outside the
	// namespace; defaulted when a service is exposed.
	Ingress *Ingress `json:"ingress,omitempty"`
	// Partitions split delivery into slices (an Argo CD Application
	// each); nil delivers the catalog whole.
	Partitions *Partitions `json:"partitions,omitempty"`
	// Extensions are the sections of generators a program adds, by
	// name, as JSON objects each checked against its extension's schema
	// (load.Options.Extensions); the generator decodes its own.
	Extensions map[string]json.RawMessage `json:"extensions,omitempty"`
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
	Kind       string            `json:"kind,omitempty"`
	ClassName  string            `json:"className,omitempty"`
	Gateway    *GatewayRef       `json:"gateway,omitempty"`
	Issuer     *IssuerRef        `json:"issuer,omitempty"`
	Controller IngressController `json:"controller"`
}

// GatewayRef names the parent Gateway of the HTTPRoutes.
type GatewayRef struct {
	Name        string `json:"name"`
	Namespace   string `json:"namespace,omitempty"`
	SectionName string `json:"sectionName,omitempty"`
}

// IssuerRef names the cert-manager (Cluster)Issuer of the Certificates.
type IssuerRef struct {
	Kind string `json:"kind,omitempty"`
	Name string `json:"name"`
}

// IngressController selects the pods that forward outside traffic.
type IngressController struct {
	Namespace string            `json:"namespace,omitempty"`
	PodLabels map[string]string `json:"podLabels,omitempty"`
}

// Defaults apply to every service unless the service overrides them.
type Defaults struct {
	Image ImageDefaults `json:"image"`
	Ports Ports         `json:"ports"`
	// HealthPath is what the kubelet and the validation Job GET on an
	// HTTP service's port.
	HealthPath string    `json:"healthPath,omitempty"`
	Wait       Wait      `json:"wait"`
	Replicas   *int32    `json:"replicas,omitempty"`
	Resources  Resources `json:"resources"`
	RunAsUser  int64     `json:"runAsUser"`
	// StartupGrace is how long a service may take to start before its
	// liveness probe counts.
	StartupGrace Duration `json:"startupGrace"`
}

// ImageDefaults build a service image as <registry>/<service>:<tag>, or
// @<digest> when a digest is given.
type ImageDefaults struct {
	Registry string `json:"registry"`
	Tag      string `json:"tag"`
	Digest   string `json:"digest,omitempty"`
}

// Ports are where a service listens: its serving port (GRPC or HTTP, by
// its protocol) and metrics.
type Ports struct {
	GRPC    int32 `json:"grpc,omitempty"`
	HTTP    int32 `json:"http,omitempty"`
	Metrics int32 `json:"metrics,omitempty"`
}

// Service protocols: how a service serves its clients.
const (
	ProtocolGRPC = "grpc" // plaintext gRPC (h2c), grpc.health.v1 probes
	ProtocolHTTP = "http" // HTTP/1.1, probes GET its health path
)

// Wait is how long an init container waits for a dependency.
type Wait struct {
	Retries  int      `json:"retries"`
	Interval Duration `json:"interval"`
}

// Resources are container requests and limits as Kubernetes quantities.
type Resources struct {
	Requests map[string]string `json:"requests,omitempty"`
	Limits   map[string]string `json:"limits,omitempty"`
}

// Images are the pinned images novagen puts into generated pods.
type Images struct {
	Postgres string `json:"postgres"`
	Redis    string `json:"redis"`
	Busybox  string `json:"busybox"`
	Sqlx     string `json:"sqlx"`
	// Zookeeper is a Confluent Platform 7.x cp-zookeeper image.
	Zookeeper string `json:"zookeeper"`
	// Kafka is the broker and topic-tool image in zookeeper mode: a
	// Confluent Platform 7.x cp-kafka image (the last line that runs
	// with ZooKeeper), configured through its KAFKA_* environment.
	Kafka string `json:"kafka"`
	// KafkaKraft is the image in kraft mode: an Apache Kafka image
	// (apache/kafka 3.7 or later; /opt/kafka/bin). One field per mode, so
	// switching mode never runs a broker in the other family's image.
	KafkaKraft string `json:"kafkaKraft"`
	// ClickHouse is the server image (clickhouse/clickhouse-server): the
	// operator runs it, and the schema Job its clickhouse-client.
	ClickHouse string `json:"clickhouse"`
	// GRPCHealthProbe holds grpc_health_probe, which the validation Job
	// runs against every service: the grpc-ecosystem image (distroless,
	// no shell; the Job brings busybox's).
	GRPCHealthProbe string `json:"grpcHealthProbe"`
	// Buf runs the contracts' validation Job (bufbuild/buf).
	Buf string `json:"buf"`
}

// Secrets says where External Secrets finds credentials, and how a
// rotated credential reaches the pods that hold it.
type Secrets struct {
	Store           SecretStoreRef `json:"store"`
	KeyPrefix       string         `json:"keyPrefix"`
	RefreshInterval Duration       `json:"refreshInterval"`
	// Rotation is any text; changing it restarts every service (a pod
	// template annotation), so pods pick up rotated credentials.
	Rotation string `json:"rotation,omitempty"`
	// Reloader annotates each Deployment for Stakater Reloader, which then
	// restarts it whenever one of its Secrets changes.
	Reloader bool `json:"reloader,omitempty"`
}

// SecretStoreRef names the (Cluster)SecretStore every ExternalSecret uses.
type SecretStoreRef struct {
	Kind string `json:"kind"`
	Name string `json:"name"`
}

// Monitoring selects the pods allowed to scrape metrics ports and, with
// the Prometheus Operator, tells them what to scrape and alert on. Both
// follow Catalog.MetricsTargets, so a ServiceMonitor never names a port
// the NetworkPolicies keep Prometheus out of.
type Monitoring struct {
	Namespace string            `json:"namespace"`
	PodLabels map[string]string `json:"podLabels,omitempty"`
	// PrometheusOperator, when enabled, renders a ServiceMonitor per
	// metrics target and a PrometheusRule of alerts.
	PrometheusOperator PrometheusOperator `json:"prometheusOperator"`
}

// PrometheusOperator configures the monitoring.coreos.com objects.
type PrometheusOperator struct {
	Enabled bool `json:"enabled,omitempty"`
	// Labels go on every ServiceMonitor and the PrometheusRule: what the
	// Prometheus resource's serviceMonitorSelector and ruleSelector match.
	Labels   map[string]string `json:"labels,omitempty"`
	Interval Duration          `json:"interval"`
	Alerts   Alerts            `json:"alerts"`
}

// Alerts are the thresholds of the per-service alert rules.
type Alerts struct {
	// NotReadyFor is how long a Deployment may have fewer available
	// replicas than it wants before it alerts.
	NotReadyFor Duration `json:"notReadyFor"`
	// Restarts within RestartWindow make a service's containers alert.
	Restarts      int      `json:"restarts,omitempty"`
	RestartWindow Duration `json:"restartWindow"`
	// Severity is the alerts' severity label (Alertmanager routes on it).
	Severity string `json:"severity,omitempty"`
}

// Migrations configures the SQLx migration Job.
type Migrations struct {
	Source         string   `json:"source"`
	ActiveDeadline Duration `json:"activeDeadline"`
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
	Managed   *bool             `json:"managed,omitempty"`
	Host      string            `json:"host,omitempty"`
	CIDR      string            `json:"cidr,omitempty"`
	Port      int32             `json:"port,omitempty"`
	PodLabels map[string]string `json:"podLabels,omitempty"`
}

// IsManaged says whether novagen runs the component.
func (c *Component) IsManaged() bool { return c.Managed == nil || *c.Managed }

// Infrastructure lists the shared components. A nil pointer means the
// environment has no such component and nothing may depend on it.
type Infrastructure struct {
	Postgres   *Postgres   `json:"postgres,omitempty"`
	Redis      *Redis      `json:"redis,omitempty"`
	Zookeeper  *Zookeeper  `json:"zookeeper,omitempty"`
	Kafka      *Kafka      `json:"kafka,omitempty"`
	ClickHouse *ClickHouse `json:"clickhouse,omitempty"`
	External   []External  `json:"external,omitempty"`
}

// Postgres is the shared PostgreSQL server holding every service database.
type Postgres struct {
	Component
	Extensions       []string      `json:"extensions,omitempty"`
	Admin            PostgresAdmin `json:"admin"`
	Storage          string        `json:"storage,omitempty"`
	StorageClassName string        `json:"storageClassName,omitempty"`
	Resources        Resources     `json:"resources"`
	PasswordSync     PasswordSync  `json:"passwordSync"`
}

// PostgresAdmin is the superuser the init scripts run as.
type PostgresAdmin struct {
	User string `json:"user"`
}

// PasswordSync is the CronJob that applies the secret store's current
// role passwords to PostgreSQL between syncs.
type PasswordSync struct {
	Schedule string `json:"schedule,omitempty"`
}

// Redis is the Redis Cluster.
type Redis struct {
	Component
	Nodes             int      `json:"nodes,omitempty"`
	ReplicasPerMaster int      `json:"replicasPerMaster,omitempty"`
	Storage           string   `json:"storage,omitempty"`
	StorageClassName  string   `json:"storageClassName,omitempty"`
	Memory            string   `json:"memory,omitempty"`
	MaxmemoryPolicy   string   `json:"maxmemoryPolicy,omitempty"`
	AntiAffinity      string   `json:"antiAffinity,omitempty"`
	NodeTimeout       Duration `json:"nodeTimeout"`
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
	Replicas         int       `json:"replicas,omitempty"`
	Storage          string    `json:"storage,omitempty"`
	StorageClassName string    `json:"storageClassName,omitempty"`
	Resources        Resources `json:"resources"`
	AntiAffinity     string    `json:"antiAffinity,omitempty"`
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
	Mode      string   `json:"mode,omitempty"`
	Brokers   int      `json:"brokers,omitempty"`
	Retention Duration `json:"retention"`
	JMXPort   int32    `json:"jmxPort,omitempty"`
	// ControllerPort is the KRaft controller listener.
	ControllerPort int32 `json:"controllerPort,omitempty"`
	// ReplicationFactor is that of the internal topics and the default of
	// catalog topics; MinInsyncReplicas the fewest in-sync replicas a
	// write with acks=all needs.
	ReplicationFactor int `json:"replicationFactor,omitempty"`
	MinInsyncReplicas int `json:"minInsyncReplicas,omitempty"`
	// ClusterID is the KRaft cluster ID (default derived from namespace
	// and catalog name: naming.KafkaClusterID).
	ClusterID        string    `json:"clusterId,omitempty"`
	Storage          string    `json:"storage,omitempty"`
	StorageClassName string    `json:"storageClassName,omitempty"`
	Resources        Resources `json:"resources"`
	AntiAffinity     string    `json:"antiAffinity,omitempty"`
	// Topics says how catalog topics are made: TopicsJob or TopicsStrimzi
	// (then StrimziCluster is the strimzi.io/cluster label).
	Topics         string `json:"topics,omitempty"`
	StrimziCluster string `json:"strimziCluster,omitempty"`
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
	HTTPPort         int32     `json:"httpPort,omitempty"`
	Shards           int       `json:"shards,omitempty"`
	Replicas         int       `json:"replicas,omitempty"`
	Cluster          string    `json:"cluster,omitempty"`
	Storage          string    `json:"storage,omitempty"`
	StorageClassName string    `json:"storageClassName,omitempty"`
	Resources        Resources `json:"resources"`
	Database         string    `json:"database,omitempty"`
	// ClientNetworks are the CIDRs the service logins may connect from
	// (ClickHouse's users/<user>/networks/ip): the pod network.
	ClientNetworks []string `json:"clientNetworks,omitempty"`
	// Grants are the privileges each service login has on Database.
	Grants   []string           `json:"grants,omitempty"`
	Operator ClickHouseOperator `json:"operator"`
	Tables   []ClickHouseTable  `json:"tables,omitempty"`
}

// Replicated says whether the tables have replicas: Replicated* engines
// and ON CLUSTER DDL, coordinated through ZooKeeper.
func (c *ClickHouse) Replicated() bool { return c.IsManaged() && c.Replicas > 1 }

// ClickHouseOperator is where the Altinity operator runs: it queries
// every ClickHouse pod over HTTP, so their NetworkPolicy must let it in.
type ClickHouseOperator struct {
	Namespace string            `json:"namespace,omitempty"`
	PodLabels map[string]string `json:"podLabels,omitempty"`
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
	Name        string             `json:"name"`
	Description string             `json:"description,omitempty"`
	Engine      string             `json:"engine"`
	Columns     []ClickHouseColumn `json:"columns"`
	// PartitionBy is a date column: PARTITION BY toYYYYMM(column).
	PartitionBy string   `json:"partitionBy,omitempty"`
	OrderBy     []string `json:"orderBy,omitempty"`
	// Sum lists the columns a SummingMergeTree adds up (default: every
	// numeric column outside the sorting key).
	Sum []string `json:"sum,omitempty"`
	// Version is the version column of a ReplacingMergeTree.
	Version string         `json:"version,omitempty"`
	TTL     *ClickHouseTTL `json:"ttl,omitempty"`
}

// ClickHouseColumn is a column; Type is a ClickHouse data type, parsed at
// load time (ColumnType) and written back in canonical form.
type ClickHouseColumn struct {
	Name string      `json:"name"`
	Type string      `json:"type"`
	Kind *ColumnType `json:"-"`
}

// ClickHouseTTL deletes rows Days days after their date column.
type ClickHouseTTL struct {
	Column string `json:"column"`
	Days   int    `json:"days"`
}

// External is a component outside the namespace (Elasticsearch, Neo4j).
// Host is where it runs (a DNS name or an IP address); clients reach it
// through an in-namespace Service named Name that points there.
type External struct {
	Component
	Name string `json:"name"`
}

// Database is one PostgreSQL database. Its owner is derived: the service
// that names it.
type Database struct {
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
	ReadOnly    bool   `json:"readOnly,omitempty"`
	ReaderRole  string `json:"readerRole,omitempty"`
}

// Topic is one Kafka topic. ReplicationFactor and Retention default to
// Kafka's.
type Topic struct {
	Name              string   `json:"name"`
	Partitions        int      `json:"partitions"`
	ReplicationFactor int      `json:"replicationFactor,omitempty"`
	Retention         Duration `json:"retention"`
}

// Service is one Nova microservice (or the gateway).
type Service struct {
	Name        string       `json:"name"`
	Description string       `json:"description,omitempty"`
	Database    string       `json:"database,omitempty"`
	DependsOn   []string     `json:"dependsOn,omitempty"`
	Produces    []string     `json:"produces,omitempty"`
	Consumes    []string     `json:"consumes,omitempty"`
	Replicas    *int32       `json:"replicas,omitempty"`
	Image       ServiceImage `json:"image"`
	// Protocol is ProtocolGRPC (default) or ProtocolHTTP.
	Protocol string `json:"protocol,omitempty"`
	Ports    Ports  `json:"ports"`
	// HealthPath overrides defaults.healthPath (HTTP services).
	HealthPath string            `json:"healthPath,omitempty"`
	Expose     *Expose           `json:"expose,omitempty"`
	Resources  Resources         `json:"resources"`
	Labels     map[string]string `json:"labels,omitempty"`
	// StartupGrace overrides defaults.startupGrace.
	StartupGrace Duration `json:"startupGrace"`
}

// Expose publishes a service outside the namespace at Host and Path
// (default /), over HTTPS with a cert-manager Certificate when TLS.
type Expose struct {
	Host string `json:"host"`
	Path string `json:"path,omitempty"`
	TLS  bool   `json:"tls,omitempty"`
}

// ServiceImage overrides the default image of one service.
type ServiceImage struct {
	Repository string `json:"repository,omitempty"`
	Tag        string `json:"tag,omitempty"`
	Digest     string `json:"digest,omitempty"`
}

// Duration is a time.Duration written as a Go duration string ("2s").
// Set says the catalog wrote it, so an explicit 0s is never mistaken for
// "not given" and replaced by a default.
type Duration struct {
	time.Duration
	Set bool   // the catalog states it
	Raw string // as written, for messages
}
