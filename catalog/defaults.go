package catalog

import (
	"encoding/json"
	"strconv"
	"time"
)

// Fallbacks for what a catalog leaves out. services.yaml normally states
// them; they live here once so no generator invents its own.
const (
	DefaultGRPCPort        = 50051
	DefaultMetricsPort     = 9090
	DefaultHTTPPort        = 8080
	DefaultHealthPath      = "/healthz"
	DefaultIngressClass    = "nginx"
	DefaultIssuerKind      = "ClusterIssuer"
	DefaultExposePath      = "/"
	DefaultWaitRetries     = 30
	DefaultWaitInterval    = 2 * time.Second
	DefaultRunAsUser       = 10001
	DefaultSecretStoreKind = "ClusterSecretStore"
	DefaultSecretStoreName = "aws-secrets-manager"
	DefaultRefreshInterval = time.Hour
	DefaultPostgresImage   = "postgres:15-alpine"
	DefaultBusyboxImage    = "busybox:1.36.1"
	DefaultSqlxImage       = "registry.nova.internal/tools/sqlx-cli:0.8.2"
	DefaultMigrationSource = "/migrations"
	DefaultMigrationLimit  = 30 * time.Minute
	DefaultPostgresAdmin   = "postgres"
	DefaultStartupGrace    = 2 * time.Minute
	DefaultRedisImage      = "redis:7.2.5"
	DefaultPostgresStorage = "10Gi"
	DefaultPasswordSync    = "*/15 * * * *"
	DefaultBackupSchedule  = "0 2 * * *"
	DefaultBackupRetention = 7
	DefaultBackupRegion    = "us-east-1"
	DefaultAWSCLIImage     = "amazon/aws-cli:2.22.35"
	DefaultRedisNodes      = 3
	DefaultRedisStorage    = "10Gi"
	DefaultRedisMemory     = "512Mi"
	DefaultRedisPolicy     = "allkeys-lru"
	DefaultRedisTimeout    = 5 * time.Second
	AntiAffinityPreferred  = "preferred"
	AntiAffinityRequired   = "required"

	DefaultZookeeperImage      = "confluentinc/cp-zookeeper:7.7.1"
	DefaultKafkaImage          = "confluentinc/cp-kafka:7.7.1"
	DefaultKafkaKraftImage     = "apache/kafka:4.1.1"
	DefaultBufImage            = "bufbuild/buf:1.75.0"
	DefaultContractsRoot       = "."
	DefaultZookeeperReplicas   = 1
	DefaultZookeeperStorage    = "5Gi"
	DefaultKafkaBrokers        = 1
	DefaultKafkaRetention      = 7 * 24 * time.Hour
	DefaultKafkaJMXPort        = 9999
	DefaultKafkaControllerPort = 9093
	DefaultKafkaStorage        = "20Gi"
	DefaultClickHouseImage     = "clickhouse/clickhouse-server:25.8.29.51"
	DefaultGRPCHealthProbe     = "registry.nova.internal/tools/grpc-health-probe:v0.4.40"
	DefaultClickHouseHTTPPort  = 8123
	DefaultClickHouseCluster   = "analytics"
	DefaultClickHouseStorage   = "50Gi"
	DefaultClickHouseDatabase  = "analytics"
	DefaultScrapeInterval      = 30 * time.Second
	DefaultNotReadyFor         = 5 * time.Minute
	DefaultRestarts            = 3
	DefaultRestartWindow       = 15 * time.Minute
	DefaultAlertSeverity       = "warning"
	DefaultOTelCollectorImage  = "otel/opentelemetry-collector-contrib:0.114.0"
	DefaultSampleRatio         = "1"
	DefaultCollectorReplicas   = 1
	DefaultPostgresExporter    = "prometheuscommunity/postgres-exporter:v0.20.1"
	DefaultRedisExporter       = "oliver006/redis_exporter:v1.88.0"
	DefaultKafkaExporter       = "danielqsj/kafka-exporter:v1.9.0"
	DefaultGrafanaLabel        = "grafana_dashboard" // the Grafana sidecar's default
	DefaultGrafanaLabelValue   = "1"
	// MaxDefaultReplication is the replication factor a catalog gets
	// without stating one, when it has that many brokers.
	MaxDefaultReplication = 3
)

// DefaultZookeeperResources and DefaultKafkaResources are a server's when
// the catalog gives none; the JVM heap is half the memory limit.
var (
	// DefaultClickHouseNetworks are where service logins may connect
	// from: the private ranges pod networks are carved from. The
	// NetworkPolicies decide which pods actually get through.
	DefaultClickHouseNetworks = []string{"10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fd00::/8"}
	// DefaultClickHouseGrants are a service login's privileges on the
	// analytics database.
	DefaultClickHouseGrants = []string{"SELECT", "INSERT"}
	// DefaultClickHouseOperator is where the Altinity operator's install
	// bundle puts it.
	DefaultClickHouseOperator  = ClickHouseOperator{Namespace: "kube-system", PodLabels: map[string]string{"app": "clickhouse-operator"}}
	DefaultClickHouseResources = Resources{
		Requests: map[string]string{"cpu": "250m", "memory": "1Gi"},
		Limits:   map[string]string{"cpu": "2", "memory": "2Gi"},
	}
	DefaultZookeeperResources = Resources{
		Requests: map[string]string{"cpu": "100m", "memory": "512Mi"},
		Limits:   map[string]string{"cpu": "500m", "memory": "1Gi"},
	}
	DefaultKafkaResources = Resources{
		Requests: map[string]string{"cpu": "250m", "memory": "1Gi"},
		Limits:   map[string]string{"cpu": "1", "memory": "2Gi"},
	}
)

// DefaultCollectorResources are the managed tracing collector's when the
// catalog gives none.
var DefaultCollectorResources = Resources{
	Requests: map[string]string{"cpu": "100m", "memory": "128Mi"},
	Limits:   map[string]string{"cpu": "500m", "memory": "512Mi"},
}

// DefaultPostgresResources are the server's when the catalog gives none.
var DefaultPostgresResources = Resources{
	Requests: map[string]string{"cpu": "250m", "memory": "256Mi"},
	Limits:   map[string]string{"cpu": "1", "memory": "1Gi"},
}

// DefaultResources are what a container gets when the catalog's
// defaults.resources leaves a request or limit out: every container has
// requests and a memory limit.
var DefaultResources = Resources{
	Requests: map[string]string{"cpu": "100m", "memory": "128Mi"},
	Limits:   map[string]string{"cpu": "500m", "memory": "256Mi"},
}

// DefaultIngressController are the pods of ingress-nginx, the default
// Ingress controller.
var DefaultIngressController = IngressController{
	Namespace: "ingress-nginx",
	PodLabels: map[string]string{"app.kubernetes.io/name": "ingress-nginx"},
}

// GatewayNameLabel marks the data-plane pods of a Gateway (Envoy
// Gateway, Istio and others set it): the default controller of HTTPRoutes.
const GatewayNameLabel = "gateway.networking.k8s.io/gateway-name"

// OrDefault sets the duration to fallback unless the catalog wrote one
// (the loader's defaulting).
func (d *Duration) OrDefault(fallback time.Duration) {
	if !d.Set {
		d.Duration = fallback
	}
}

// ParseDuration is a duration as a catalog writes it ("2s"): stated, and
// written back as it was.
func ParseDuration(s string) (Duration, error) {
	v, err := time.ParseDuration(s)
	return Duration{Duration: v, Set: true, Raw: s}, err
}

// UnmarshalJSON reads a Go duration string; the schema (format
// go-duration) has already checked it parses.
func (d *Duration) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	var err error
	*d, err = ParseDuration(s)
	return err
}

// MarshalJSON writes the duration back as a string: as the catalog wrote
// it when that still says the same, else in Go's form (1h0m0s).
func (d Duration) MarshalJSON() ([]byte, error) {
	if v, err := time.ParseDuration(d.Raw); d.Set && err == nil && v == d.Duration {
		return []byte(strconv.Quote(d.Raw)), nil
	}
	return []byte(strconv.Quote(d.String())), nil
}
