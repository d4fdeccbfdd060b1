// Package naming is the one place where novagen's naming conventions live:
// the names of derived objects and containers, Secret keys, port names and
// environment variables. Generators build names with it, and the catalog
// loader checks with it, at load time, that every derived name fits the
// Kubernetes limits. It imports nothing of novagen, so everything may
// import it.
package naming

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"strings"
)

// MaxLabel is the longest DNS-1123 label and the longest label value: the
// limit of container names, Service names and app.kubernetes.io/name.
const MaxLabel = 63

// Shortened returns name unchanged when it fits in 63 characters, else its
// first characters and an 8-character hash of the whole name, so two long
// names never collide and the same name always maps to the same label.
// Used only for names nothing outside the object refers to (container
// names); names other objects or people refer to are checked at load time
// instead, so they are never changed.
func Shortened(name string) string {
	if len(name) <= MaxLabel {
		return name
	}
	sum := sha256.Sum256([]byte(name))
	suffix := hex.EncodeToString(sum[:])[:8]
	head := strings.TrimRight(name[:MaxLabel-len(suffix)-1], "-")
	return head + "-" + suffix
}

// Suffixed is base-suffix with base cut so the whole fits in a label: for
// names whose suffix is a content hash (Jobs), where the hash, not the
// base, makes the name unique.
func Suffixed(base, suffix string) string {
	room := MaxLabel - len(suffix) - 1
	if len(base) > room {
		base = strings.TrimRight(base[:room], "-")
	}
	return base + "-" + suffix
}

// Objects named after the catalog, a service or a role.

// HeadlessService is the discovery Service over every gRPC pod of
// catalog: <catalog>-grpc-services.
func HeadlessService(catalog string) string { return catalog + "-grpc-services" }

// DBSecret is the Secret (written by External Secrets) with a service's
// database credentials: <service>-db.
func DBSecret(service string) string { return service + "-db" }

// ReaderSecret is the Secret of a database's reader role:
// postgres-<role>-reader with '_' as '-'. Role names have no '-', so the
// mapping is one-to-one; the -reader suffix keeps it apart from every
// <service>-db. Shortened, because a role may have 63 characters.
func ReaderSecret(role string) string {
	return Shortened("postgres-" + strings.ReplaceAll(role, "_", "-") + "-reader")
}

// Role is the PostgreSQL login role of a service: its name in SQL form.
func Role(service string) string { return strings.ReplaceAll(service, "-", "_") }

// PasswordEnv is the environment variable the db-init scripts read the
// password of role from: NOVA_PG_PASSWORD_<ROLE>. Roles are lower-case
// identifiers, so the upper-case form is a valid, distinct variable name.
func PasswordEnv(role string) string { return "NOVA_PG_PASSWORD_" + strings.ToUpper(role) }

// Fixed object names.
const (
	AdminSecret         = "postgres-admin"        // the PostgreSQL admin credential
	MaintenanceDB       = "postgres"              // the database every PostgreSQL server has: where admin scripts connect
	DefaultDenyPolicy   = "default-deny"          // the namespace's deny-all NetworkPolicy
	DBInitConfigMap     = "postgres-init-scripts" // the db-init SQL
	DBInitJob           = "postgres-db-init"      // plus -<hash>
	MigrationsJob       = "sqlx-migrate"          // plus -<hash>
	DBInitComponent     = "db-init"               // component, and the NetworkPolicy of its pods
	MigrationsComponent = "migrations"            // component, and the NetworkPolicy of its pods
)

// Grouped is the name of one group's object when an object that would
// grow with the catalog is split into groups (catalog.Groups): base itself
// when the whole catalog is one group (suffix ""), so small catalogs keep
// their names, else base-suffix.
func Grouped(base, suffix string) string {
	if suffix == "" {
		return base
	}
	return base + "-" + suffix
}

// MaxCronJobName is the longest CronJob name the API server accepts: the
// Jobs it creates append 11 characters (-<minutes since the epoch>) and
// must still be labels.
const MaxCronJobName = 52

// ReservedServiceNames are names a service (which gets a Service, a
// Deployment and a NetworkPolicy of its name) or an external component
// (a Service) may not have, because a fixed object of the same kind has
// it. (The headless Service, which depends on the catalog's name, is
// HeadlessService.)
var ReservedServiceNames = map[string]string{
	DefaultDenyPolicy:            "the namespace's deny-all NetworkPolicy",
	DBInitComponent:              "the NetworkPolicy of the db-init Job",
	MigrationsComponent:          "the NetworkPolicy of the migration Job",
	PostgresHeadless:             "the headless Service of PostgreSQL",
	RedisHeadless:                "the headless Service of Redis",
	RedisInitPolicy:              "the NetworkPolicy of the Redis cluster-init Job",
	RedisFromInitPolicy:          "a NetworkPolicy of the Redis pods",
	ZookeeperHeadless:            "the headless Service of ZooKeeper",
	KafkaHeadless:                "the headless Service of Kafka",
	KafkaTopicsPolicy:            "the NetworkPolicy of the Kafka topic Job",
	KafkaFromTopics:              "a NetworkPolicy of the Kafka pods",
	ClickHouseSchemaPolicy:       "the NetworkPolicy of the ClickHouse schema Job",
	ClickHouseFromSchema:         "a NetworkPolicy of the ClickHouse pods",
	ClickHouseFromOperator:       "a NetworkPolicy of the ClickHouse pods",
	ACMESolverPolicy:             "the NetworkPolicy of cert-manager's HTTP-01 solver pods",
	ValidationPolicy:             "the NetworkPolicy of the validation Job",
	ServicesFromValidation:       "a NetworkPolicy of the services' pods",
	FromValidation("postgres"):   "a NetworkPolicy of the PostgreSQL pods",
	BackupJob:                    "the NetworkPolicy of the PostgreSQL backup pods",
	PostgresFromBackup:           "a NetworkPolicy of the PostgreSQL pods",
	FromValidation("redis"):      "a NetworkPolicy of the Redis pods",
	FromValidation("kafka"):      "a NetworkPolicy of the Kafka pods",
	FromValidation("clickhouse"): "a NetworkPolicy of the ClickHouse pods",
	TracingCollector:             "the tracing collector's Deployment, Service and NetworkPolicy (spec.tracing)",
	Exporter("postgres"):         "the PostgreSQL exporter (with monitoring)",
	Exporter("redis"):            "the Redis exporter (with monitoring)",
	Exporter("kafka"):            "the Kafka exporter (with monitoring)",
}

// Exporter names the objects of a data component's Prometheus exporter
// (Deployment, Service, ServiceMonitor, NetworkPolicy).
func Exporter(component string) string { return component + "-exporter" }

// Container names.

// WaitContainerPrefix starts the name of every wait-for init container.
const WaitContainerPrefix = "wait-for-"

// WaitContainer is wait-for-<dependency>, shortened with a stable hash when
// it would exceed 63 characters.
func WaitContainer(dependency string) string { return Shortened(WaitContainerPrefix + dependency) }

// CopyContainer copies a service's migrations out of its image.
func CopyContainer(service string) string { return Shortened("copy-" + service) }

// MigrateContainer runs a service's migrations.
func MigrateContainer(service string) string { return Shortened("migrate-" + service) }

// Secret keys of every generated credential Secret.
const (
	KeyUsername    = "username"
	KeyPassword    = "password"
	KeyDatabaseURL = "DATABASE_URL" // services and readers, not the admin
)

// EnvDatabaseURL is the variable services and sqlx read their connection
// string from; it has the name of the Secret key it comes from.
const EnvDatabaseURL = KeyDatabaseURL

// Port names of every service: its Service and its container agree on them.
const (
	PortGRPC    = "grpc"
	PortHTTP    = "http" // an HTTP service's serving port
	PortMetrics = "http-metrics"
)

// PortExporter is the metrics port of the data tier's exporters: another
// name than the services' PortMetrics, so a dashboard can tell service
// targets from exporter targets by Prometheus' endpoint label.
const PortExporter = "exporter"

// PortNativeMetrics is the container port on which a data component
// serves Prometheus metrics itself (ClickHouse's <prometheus> endpoint),
// the port its PodMonitor scrapes.
const PortNativeMetrics = "metrics"

// TLSSecret is the Secret cert-manager writes an exposed service's
// certificate to; the Certificate has the same name.
func TLSSecret(service string) string { return service + "-tls" }

// ACMESolverPolicy is the NetworkPolicy that lets cert-manager's HTTP-01
// solver pods accept the ingress controller.
const ACMESolverPolicy = "acme-http01-solver"

// The data tier: the PostgreSQL server and the Redis Cluster.
const (
	PostgresHeadless    = "postgres-headless"  // governs the StatefulSet postgres
	RedisHeadless       = "redis-headless"     // governs the StatefulSet redis: <pod>.redis-headless
	RedisConfig         = "redis-config"       // redis.conf
	RedisInitJob        = "redis-cluster-init" // plus -<hash>
	RedisSecret         = "redis-auth"         // the Redis password, key KeyPassword
	PasswordSyncJob     = "postgres-password-sync"
	RedisInitPolicy     = RedisInitJob              // the Job's pods: egress to Redis
	RedisFromInitPolicy = "redis-from-cluster-init" // the Redis pods: ingress from the Job
	PortPostgres        = "postgres"
	PortRedis           = "redis"
	PortRedisBus        = "cluster-bus"
)

// Environment of services that use Redis: where it is and its password.
const (
	EnvRedisAddr     = "REDIS_ADDR"
	EnvRedisPassword = "REDIS_PASSWORD"
)

// Event streaming: ZooKeeper and Kafka.
const (
	ZookeeperHeadless     = "zookeeper-headless" // governs the StatefulSet zookeeper: <pod>.zookeeper-headless
	KafkaHeadless         = "kafka-headless"     // governs the StatefulSet kafka: <pod>.kafka-headless
	KafkaConfig           = "kafka-config"       // server.properties of KRaft mode
	KafkaTopicsJob        = "kafka-topics"       // plus -<hash>
	KafkaTopicsPolicy     = KafkaTopicsJob       // the Job's pods: egress to Kafka
	KafkaFromTopics       = "kafka-from-topics"  // the Kafka pods: ingress from the Job
	PortKafka             = "kafka"
	PortKafkaController   = "controller"
	PortJMX               = "jmx"
	PortZookeeper         = "zookeeper"
	PortZookeeperFollower = "follower"
	PortZookeeperElection = "election"
	PortZookeeperAdmin    = "admin"
)

// Tracing: the managed OpenTelemetry Collector and the SDK settings of
// every service (the OTEL_* variables every OpenTelemetry SDK reads).
const (
	TracingCollector       = "otel-collector" // Deployment, Service, NetworkPolicy
	TracingCollectorConfig = "otel-collector-config"
	PortOTLPGRPC           = "otlp-grpc"
	PortOTLPHTTP           = "otlp-http"
	PortCollectorHealth    = "health"

	EnvOTelServiceName        = "OTEL_SERVICE_NAME"
	EnvOTelEndpoint           = "OTEL_EXPORTER_OTLP_ENDPOINT"
	EnvOTelProtocol           = "OTEL_EXPORTER_OTLP_PROTOCOL"
	EnvOTelResourceAttributes = "OTEL_RESOURCE_ATTRIBUTES"
	EnvOTelSampler            = "OTEL_TRACES_SAMPLER"
	EnvOTelSamplerArg         = "OTEL_TRACES_SAMPLER_ARG"
	EnvOTelMetricsExporter    = "OTEL_METRICS_EXPORTER"
	EnvOTelLogsExporter       = "OTEL_LOGS_EXPORTER"

	// AttrPartition is the resource attribute naming a service's
	// partition (spec.partitions), beside OpenTelemetry's own
	// service.namespace, service.version and deployment.environment.
	AttrPartition = "novagen.partition"
)

// EnvKafkaBootstrap is where every Kafka client (a service that produces,
// consumes or waits for Kafka) finds the brokers: host:port of the Kafka
// Service.
const EnvKafkaBootstrap = "KAFKA_BOOTSTRAP_SERVERS"

// Analytics: the ClickHouseInstallation (Altinity operator) and its schema.
const (
	// ClickHouseInstallation is the CHI's name. The operator names its
	// StatefulSets chi-<installation>-<cluster>-<shard>-<replica>.
	ClickHouseInstallation = "clickhouse"
	ClickHouseSchema       = "clickhouse-schema"           // the DDL ConfigMap
	ClickHouseSchemaJob    = "clickhouse-schema-init"      // plus -<hash>
	ClickHouseSchemaPolicy = ClickHouseSchemaJob           // the Job's pods: egress to ClickHouse
	ClickHouseFromSchema   = "clickhouse-from-schema-init" // the ClickHouse pods: ingress from the Job
	ClickHouseFromOperator = "clickhouse-from-operator"    // the ClickHouse pods: ingress from the operator
	ClickHouseSchemaSecret = "clickhouse-schema-init"      // the schema Job's login
	ClickHouseSchemaUser   = "novagen_schema_init"         // that login's ClickHouse user
	PortClickHouseTCP      = "tcp"                         // the operator's port names
	PortClickHouseHTTP     = "http"
)

// The validation Job and its access.
const (
	ValidationJob          = "validate-deployment"      // plus -<hash>; also the CronJob to run it by hand
	ValidationPolicy       = ValidationJob              // the Job's pods: egress to what it checks
	ServicesFromValidation = "services-from-validation" // the services' pods: ingress on their gRPC ports
)

// PostgreSQL backups and restores (generator postgres-backup, novagen
// restore): the pods of both are component BackupComponent.
const (
	BackupJob          = "postgres-backup"      // the CronJob; also component and the NetworkPolicy of the pods
	BackupComponent    = BackupJob              // the component of the backup and restore pods
	BackupS3Secret     = "postgres-backup-s3"   // the S3 credentials, keys KeyS3AccessKey and KeyS3SecretKey
	PostgresFromBackup = "postgres-from-backup" // the PostgreSQL pods: ingress from the backup and restore pods
	RestoreJob         = "postgres-restore"     // plus -<hash>
	KeyS3AccessKey     = "AWS_ACCESS_KEY_ID"    // named as the AWS CLI's variables, which read them
	KeyS3SecretKey     = "AWS_SECRET_ACCESS_KEY"
)

// FromValidation is the NetworkPolicy that lets component's pods accept
// the validation Job's: <component>-from-validation.
func FromValidation(component string) string { return component + "-from-validation" }

// ClickHouseSecret is the Secret with a service's ClickHouse login:
// <service>-clickhouse, keys KeyUsername and KeyPassword. Its length is
// checked at load time.
func ClickHouseSecret(service string) string { return service + "-clickhouse" }

// ClickHouseUser is a service's ClickHouse user: its name in SQL form,
// like its PostgreSQL role.
func ClickHouseUser(service string) string { return Role(service) }

// Environment of services that use ClickHouse (they depend on it): where
// it is, the database, and their login.
const (
	EnvClickHouseHost     = "CLICKHOUSE_HOST"
	EnvClickHousePort     = "CLICKHOUSE_PORT"      // native protocol (TCP)
	EnvClickHouseHTTPPort = "CLICKHOUSE_HTTP_PORT" // HTTP interface
	EnvClickHouseDatabase = "CLICKHOUSE_DATABASE"
	EnvClickHouseUser     = "CLICKHOUSE_USER"
	EnvClickHousePassword = "CLICKHOUSE_PASSWORD"
)

// KafkaTopicResource is the metadata.name of a topic's Strimzi KafkaTopic:
// the topic's own name when it is a DNS label (lower case, digits, '-'
// and '.', at most 63 characters, so also a label value), else its
// letters and digits in lower case with '-' between runs, cut to fit,
// and an 8-character hash of the topic name, so two topics never share
// a resource. (The KafkaTopic then names the topic in spec.topicName.)
func KafkaTopicResource(topic string) string {
	if isTopicResource(topic) {
		return topic
	}
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(topic) {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			b.WriteRune(r)
			dash = false
		} else if !dash && b.Len() > 0 {
			b.WriteByte('-')
			dash = true
		}
	}
	sum := sha256.Sum256([]byte(topic))
	suffix := hex.EncodeToString(sum[:])[:8]
	head := b.String()
	if len(head) > MaxLabel-len(suffix)-1 {
		head = head[:MaxLabel-len(suffix)-1]
	}
	head = strings.TrimRight(head, "-")
	if head == "" {
		head = "topic"
	}
	return head + "-" + suffix
}

// isTopicResource: a DNS-1123 subdomain that is also a label value.
func isTopicResource(s string) bool {
	if s == "" || len(s) > MaxLabel {
		return false
	}
	for _, part := range strings.Split(s, ".") {
		if part == "" || part[0] == '-' || part[len(part)-1] == '-' {
			return false
		}
		for _, r := range part {
			if (r < 'a' || r > 'z') && (r < '0' || r > '9') && r != '-' {
				return false
			}
		}
	}
	return true
}

// KafkaClusterID is the KRaft cluster ID of a catalog's Kafka: 16 bytes
// of the SHA-256 of its namespace and catalog name, base64url without
// padding (22 characters, the form kafka-storage format takes). The
// first bit is cleared so the ID never starts with '-' or '_' (a leading
// '-' reads as an option on a command line). The same catalog always
// gives the same ID, so a re-render never asks a formatted volume to
// join another cluster.
func KafkaClusterID(namespace, catalog string) string {
	sum := sha256.Sum256([]byte("novagen kafka cluster " + namespace + "/" + catalog))
	id := sum[:16]
	id[0] &= 0x7f
	return base64.RawURLEncoding.EncodeToString(id)
}

// API contracts (generator api-contracts): the ConfigMaps, their keys
// and the validation Job.

// ProtoDefinitions is the ConfigMap of the proto files of API major
// version major: <catalog>-proto-definitions-v<major>.
func ProtoDefinitions(catalog, major string) string {
	return catalog + "-proto-definitions-v" + major
}

// ProtoDefinitionsPrevious holds the previous release's proto files, which
// buf breaking compares against: <catalog>-proto-definitions-previous.
func ProtoDefinitionsPrevious(catalog string) string { return catalog + "-proto-definitions-previous" }

// ProtoVersions is the ConfigMap with the version, checksums and build
// script: <catalog>-proto-versions.
func ProtoVersions(catalog string) string { return catalog + "-proto-versions" }

// ServiceRegistry is the ConfigMap describing every catalog service:
// <catalog>-service-registry.
func ServiceRegistry(catalog string) string { return catalog + "-service-registry" }

// ProtoDocs is the ConfigMap with the contracts' documentation:
// <catalog>-proto-docs.
func ProtoDocs(catalog string) string { return catalog + "-proto-docs" }

// ProtoKey is the ConfigMap key of the proto file at path (relative to
// the proto root): ConfigMap keys cannot hold '/', so each '/' becomes
// "__" (nova/user/v1/user.proto: nova__user__v1__user.proto). The loader
// refuses two paths with the same key; a volume's items map each key back
// to its path.
func ProtoKey(path string) string { return strings.ReplaceAll(path, "/", "__") }

// Keys and names of the contract objects.
const (
	ProtoValidateJob  = "proto-validate" // plus -<hash>
	KeyBufConfig      = "buf.yaml"       // definitions: the buf configuration, at the root
	KeyProtoVersion   = "version"        // versions: the API version
	KeyProtoPrevious  = "previous-version"
	KeyProtoChecksums = "SHA256SUMS"  // versions: sha256sum -c format
	KeyProtoGenerate  = "generate.sh" // versions: the code generation script
	KeyRegistryYAML   = "registry.yaml"
	KeyRegistryJSON   = "registry.json"
	KeyProtoDocs      = "README.md"
	GRPCHealthCheck   = "grpc.health.v1.Health/Check" // every service's health endpoint
)

// AlertRules names the catalog's PrometheusRule: <catalog>-alerts.
func AlertRules(catalog string) string { return catalog + "-alerts" }

// Dashboard is the ConfigMap of one Grafana dashboard: DashboardServices
// or a data component's. "-dash-", not "-dashboard-": the suffix is no
// longer than the headless Service's, so it limits no catalog name.
func Dashboard(catalog, what string) string { return catalog + "-dash-" + what }

// DashboardServices is the overview dashboard of every service; the
// longest of the dashboards' suffixes (postgres is as long).
const DashboardServices = "services"

// SyncJobs are the bases of the hash-suffixed Jobs that set the
// environment up during a sync (each in its sync wave, which waits for
// it); an alert watches them. The validation Job only reports: its
// failure shows in the Application's health.
func SyncJobs() []string {
	return []string{DBInitJob, MigrationsJob, RedisInitJob, KafkaTopicsJob, ClickHouseSchemaJob, ProtoValidateJob}
}
