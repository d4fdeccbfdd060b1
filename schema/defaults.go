package schema

import (
	"encoding/json"
	"maps"
	"slices"
	"strconv"
	"time"

	"github.com/novagen/novagen/naming"
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

var defaultPorts = map[string]int32{
	"postgres":   5432,
	"redis":      6379,
	"zookeeper":  2181,
	"kafka":      9092,
	"clickhouse": 9000,
}

func applyDefaults(c *Catalog) {
	s := &c.Spec
	d := &s.Defaults
	d.Ports.GRPC = or(d.Ports.GRPC, DefaultGRPCPort)
	d.Ports.HTTP = or(d.Ports.HTTP, DefaultHTTPPort)
	d.Ports.Metrics = or(d.Ports.Metrics, DefaultMetricsPort)
	d.HealthPath = or(d.HealthPath, DefaultHealthPath)
	d.Wait.Retries = or(d.Wait.Retries, DefaultWaitRetries)
	d.Wait.Interval.orDefault(DefaultWaitInterval)
	d.RunAsUser = or(d.RunAsUser, DefaultRunAsUser)
	d.StartupGrace.orDefault(DefaultStartupGrace)
	if d.Replicas == nil {
		one := int32(1)
		d.Replicas = &one
	}
	d.Resources = mergeResources(DefaultResources, d.Resources)
	if s.CreateNamespace == nil {
		yes := true
		s.CreateNamespace = &yes
	}

	s.Images.Postgres = or(s.Images.Postgres, DefaultPostgresImage)
	s.Images.Redis = or(s.Images.Redis, DefaultRedisImage)
	s.Images.Busybox = or(s.Images.Busybox, DefaultBusyboxImage)
	s.Images.Sqlx = or(s.Images.Sqlx, DefaultSqlxImage)
	s.Images.Zookeeper = or(s.Images.Zookeeper, DefaultZookeeperImage)
	s.Images.Kafka = or(s.Images.Kafka, DefaultKafkaImage)
	s.Images.KafkaKraft = or(s.Images.KafkaKraft, DefaultKafkaKraftImage)
	s.Images.ClickHouse = or(s.Images.ClickHouse, DefaultClickHouseImage)
	s.Images.GRPCHealthProbe = or(s.Images.GRPCHealthProbe, DefaultGRPCHealthProbe)
	s.Images.Buf = or(s.Images.Buf, DefaultBufImage)
	defaultContracts(s.Contracts)
	defaultIngress(s)

	s.Secrets.Store.Kind = or(s.Secrets.Store.Kind, DefaultSecretStoreKind)
	s.Secrets.Store.Name = or(s.Secrets.Store.Name, DefaultSecretStoreName)
	s.Secrets.KeyPrefix = or(s.Secrets.KeyPrefix, "nova/"+s.Namespace)
	s.Secrets.RefreshInterval.orDefault(DefaultRefreshInterval)

	po := &s.Monitoring.PrometheusOperator
	po.Interval.orDefault(DefaultScrapeInterval)
	po.Alerts.NotReadyFor.orDefault(DefaultNotReadyFor)
	po.Alerts.Restarts = or(po.Alerts.Restarts, DefaultRestarts)
	po.Alerts.RestartWindow.orDefault(DefaultRestartWindow)
	po.Alerts.Severity = or(po.Alerts.Severity, DefaultAlertSeverity)

	s.Migrations.Source = or(s.Migrations.Source, DefaultMigrationSource)
	s.Migrations.ActiveDeadline.orDefault(DefaultMigrationLimit)

	inf := &s.Infrastructure
	if pg := inf.Postgres; pg != nil {
		defaultComponent(&pg.Component, "postgres")
		pg.Admin.User = or(pg.Admin.User, DefaultPostgresAdmin)
		pg.Storage = or(pg.Storage, DefaultPostgresStorage)
		pg.Resources = mergeResources(DefaultPostgresResources, pg.Resources)
		pg.PasswordSync.Schedule = or(pg.PasswordSync.Schedule, DefaultPasswordSync)
	}
	if r := inf.Redis; r != nil {
		defaultComponent(&r.Component, "redis")
		r.Nodes = or(r.Nodes, DefaultRedisNodes)
		r.Storage = or(r.Storage, DefaultRedisStorage)
		r.Memory = or(r.Memory, DefaultRedisMemory)
		r.MaxmemoryPolicy = or(r.MaxmemoryPolicy, DefaultRedisPolicy)
		r.AntiAffinity = or(r.AntiAffinity, AntiAffinityPreferred)
		r.NodeTimeout.orDefault(DefaultRedisTimeout)
	}
	if z := inf.Zookeeper; z != nil {
		defaultComponent(&z.Component, "zookeeper")
		z.Replicas = or(z.Replicas, DefaultZookeeperReplicas)
		z.Storage = or(z.Storage, DefaultZookeeperStorage)
		z.Resources = mergeResources(DefaultZookeeperResources, z.Resources)
		z.AntiAffinity = or(z.AntiAffinity, AntiAffinityPreferred)
	}
	if k := inf.Kafka; k != nil {
		defaultKafka(c, k)
	}
	if ch := inf.ClickHouse; ch != nil {
		defaultClickHouse(s, ch)
	}

	for i := range s.Services {
		svc := &s.Services[i]
		// A service has the serving port of its protocol only.
		svc.Protocol = or(svc.Protocol, ProtocolGRPC)
		if svc.HTTP() {
			svc.Ports.HTTP = or(svc.Ports.HTTP, d.Ports.HTTP)
			svc.HealthPath = or(svc.HealthPath, d.HealthPath)
		} else {
			svc.Ports.GRPC = or(svc.Ports.GRPC, d.Ports.GRPC)
		}
		svc.Ports.Metrics = or(svc.Ports.Metrics, d.Ports.Metrics)
		if svc.Expose != nil {
			svc.Expose.Path = or(svc.Expose.Path, DefaultExposePath)
		}
		if svc.Image.Repository == "" && d.Image.Registry != "" {
			svc.Image.Repository = d.Image.Registry + "/" + svc.Name
		}
		// A service that names its own tag or digest means that one; else
		// the defaults pin it, by digest when they give one.
		if svc.Image.Tag == "" && svc.Image.Digest == "" {
			svc.Image.Tag, svc.Image.Digest = d.Image.Tag, d.Image.Digest
		}
		svc.StartupGrace.orDefault(d.StartupGrace.Duration)
		if svc.Replicas == nil {
			svc.Replicas = d.Replicas
		}
		svc.Resources = mergeResources(d.Resources, svc.Resources)
	}
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

// defaultIngress fills in the entry point when a service is exposed: an
// nginx Ingress unless the catalog says otherwise.
func defaultIngress(s *Spec) {
	if s.Ingress == nil {
		if !slices.ContainsFunc(s.Services, func(svc Service) bool { return svc.Expose != nil }) {
			return
		}
		s.Ingress = &Ingress{}
	}
	in := s.Ingress
	in.Kind = or(in.Kind, IngressKindIngress)
	if in.Issuer != nil {
		in.Issuer.Kind = or(in.Issuer.Kind, DefaultIssuerKind)
	}
	switch {
	case in.Kind == IngressKindIngress:
		in.ClassName = or(in.ClassName, DefaultIngressClass)
		if in.Controller.Namespace == "" && len(in.Controller.PodLabels) == 0 {
			in.Controller = IngressController{Namespace: DefaultIngressController.Namespace, PodLabels: maps.Clone(DefaultIngressController.PodLabels)}
		}
	case in.Gateway != nil:
		in.Gateway.Namespace = or(in.Gateway.Namespace, s.Namespace)
		in.Controller.Namespace = or(in.Controller.Namespace, in.Gateway.Namespace)
		if len(in.Controller.PodLabels) == 0 {
			in.Controller.PodLabels = map[string]string{GatewayNameLabel: in.Gateway.Name}
		}
	}
}

func defaultKafka(c *Catalog, k *Kafka) {
	defaultComponent(&k.Component, "kafka")
	k.Mode = or(k.Mode, KafkaModeZookeeper)
	k.Brokers = or(k.Brokers, DefaultKafkaBrokers)
	k.Retention.orDefault(DefaultKafkaRetention)
	k.JMXPort = or(k.JMXPort, DefaultKafkaJMXPort)
	k.ControllerPort = or(k.ControllerPort, DefaultKafkaControllerPort)
	k.ReplicationFactor = or(k.ReplicationFactor, min(k.Brokers, MaxDefaultReplication))
	// acks=all survives one replica down once there are three.
	k.MinInsyncReplicas = or(k.MinInsyncReplicas, max(1, min(2, k.ReplicationFactor-1)))
	if k.KRaft() {
		k.ClusterID = or(k.ClusterID, naming.KafkaClusterID(c.Spec.Namespace, c.Metadata.Name))
	}
	k.Storage = or(k.Storage, DefaultKafkaStorage)
	k.Resources = mergeResources(DefaultKafkaResources, k.Resources)
	k.AntiAffinity = or(k.AntiAffinity, AntiAffinityPreferred)
	k.Topics = or(k.Topics, TopicsJob)
	for i := range c.Spec.Topics {
		t := &c.Spec.Topics[i]
		t.ReplicationFactor = or(t.ReplicationFactor, k.ReplicationFactor)
		if !t.Retention.Set {
			t.Retention.Duration = k.Retention.Duration
		}
	}
}

func defaultClickHouse(s *Spec, ch *ClickHouse) {
	defaultComponent(&ch.Component, "clickhouse")
	ch.HTTPPort = or(ch.HTTPPort, DefaultClickHouseHTTPPort)
	ch.Shards = or(ch.Shards, 1)
	ch.Replicas = or(ch.Replicas, 1)
	ch.Cluster = or(ch.Cluster, DefaultClickHouseCluster)
	ch.Storage = or(ch.Storage, DefaultClickHouseStorage)
	ch.Resources = mergeResources(DefaultClickHouseResources, ch.Resources)
	ch.Database = or(ch.Database, DefaultClickHouseDatabase)
	if ch.ClientNetworks == nil {
		ch.ClientNetworks = slices.Clone(DefaultClickHouseNetworks)
	}
	if ch.Grants == nil {
		ch.Grants = slices.Clone(DefaultClickHouseGrants)
	}
	if ch.Operator.Namespace == "" && len(ch.Operator.PodLabels) == 0 {
		ch.Operator = ClickHouseOperator{Namespace: DefaultClickHouseOperator.Namespace, PodLabels: maps.Clone(DefaultClickHouseOperator.PodLabels)}
	}
}

func defaultComponent(c *Component, name string) {
	c.Port = or(c.Port, defaultPorts[name])
	if len(c.PodLabels) == 0 {
		c.PodLabels = map[string]string{naming.LabelName: name}
	}
}

// mergeResources overlays a service's resources on the defaults, one
// resource name at a time.
func mergeResources(base, over Resources) Resources {
	merge := func(a, b map[string]string) map[string]string {
		if len(a) == 0 && len(b) == 0 {
			return nil
		}
		out := maps.Clone(a)
		if out == nil {
			out = map[string]string{}
		}
		maps.Copy(out, b)
		return out
	}
	return Resources{Requests: merge(base.Requests, over.Requests), Limits: merge(base.Limits, over.Limits)}
}

func or[T comparable](v, fallback T) T {
	var zero T
	if v == zero {
		return fallback
	}
	return v
}

// orDefault sets the duration to fallback unless the catalog wrote one.
func (d *Duration) orDefault(fallback time.Duration) {
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
