package load

import (
	"maps"
	"slices"

	"github.com/novagen/novagen/catalog"
	"github.com/novagen/novagen/naming"
)

var defaultPorts = map[string]int32{
	"postgres":   5432,
	"redis":      6379,
	"zookeeper":  2181,
	"kafka":      9092,
	"clickhouse": 9000,
}

func applyDefaults(c *catalog.Catalog) {
	s := &c.Spec
	d := &s.Defaults
	d.Ports.GRPC = or(d.Ports.GRPC, catalog.DefaultGRPCPort)
	d.Ports.HTTP = or(d.Ports.HTTP, catalog.DefaultHTTPPort)
	d.Ports.Metrics = or(d.Ports.Metrics, catalog.DefaultMetricsPort)
	d.HealthPath = or(d.HealthPath, catalog.DefaultHealthPath)
	d.Wait.Retries = or(d.Wait.Retries, catalog.DefaultWaitRetries)
	d.Wait.Interval.OrDefault(catalog.DefaultWaitInterval)
	d.RunAsUser = or(d.RunAsUser, catalog.DefaultRunAsUser)
	d.StartupGrace.OrDefault(catalog.DefaultStartupGrace)
	if d.Replicas == nil {
		one := int32(1)
		d.Replicas = &one
	}
	d.Resources = mergeResources(catalog.DefaultResources, d.Resources)
	if s.CreateNamespace == nil {
		yes := true
		s.CreateNamespace = &yes
	}

	s.Images.Postgres = or(s.Images.Postgres, catalog.DefaultPostgresImage)
	s.Images.Redis = or(s.Images.Redis, catalog.DefaultRedisImage)
	s.Images.Busybox = or(s.Images.Busybox, catalog.DefaultBusyboxImage)
	s.Images.Sqlx = or(s.Images.Sqlx, catalog.DefaultSqlxImage)
	s.Images.Zookeeper = or(s.Images.Zookeeper, catalog.DefaultZookeeperImage)
	s.Images.Kafka = or(s.Images.Kafka, catalog.DefaultKafkaImage)
	s.Images.KafkaKraft = or(s.Images.KafkaKraft, catalog.DefaultKafkaKraftImage)
	s.Images.ClickHouse = or(s.Images.ClickHouse, catalog.DefaultClickHouseImage)
	s.Images.GRPCHealthProbe = or(s.Images.GRPCHealthProbe, catalog.DefaultGRPCHealthProbe)
	s.Images.Buf = or(s.Images.Buf, catalog.DefaultBufImage)
	s.Images.OTelCollector = or(s.Images.OTelCollector, catalog.DefaultOTelCollectorImage)
	s.Images.PostgresExporter = or(s.Images.PostgresExporter, catalog.DefaultPostgresExporter)
	s.Images.RedisExporter = or(s.Images.RedisExporter, catalog.DefaultRedisExporter)
	s.Images.KafkaExporter = or(s.Images.KafkaExporter, catalog.DefaultKafkaExporter)
	s.Images.AWSCLI = or(s.Images.AWSCLI, catalog.DefaultAWSCLIImage)
	defaultContracts(s.Contracts)
	defaultIngress(s)

	s.Secrets.Store.Kind = or(s.Secrets.Store.Kind, catalog.DefaultSecretStoreKind)
	s.Secrets.Store.Name = or(s.Secrets.Store.Name, catalog.DefaultSecretStoreName)
	s.Secrets.KeyPrefix = or(s.Secrets.KeyPrefix, "nova/"+s.Namespace)
	s.Secrets.RefreshInterval.OrDefault(catalog.DefaultRefreshInterval)

	po := &s.Monitoring.PrometheusOperator
	po.Interval.OrDefault(catalog.DefaultScrapeInterval)
	po.Alerts.NotReadyFor.OrDefault(catalog.DefaultNotReadyFor)
	po.Alerts.Restarts = or(po.Alerts.Restarts, catalog.DefaultRestarts)
	po.Alerts.RestartWindow.OrDefault(catalog.DefaultRestartWindow)
	po.Alerts.Severity = or(po.Alerts.Severity, catalog.DefaultAlertSeverity)
	g := &s.Monitoring.Grafana
	g.Label = or(g.Label, catalog.DefaultGrafanaLabel)
	g.LabelValue = or(g.LabelValue, catalog.DefaultGrafanaLabelValue)

	defaultTracing(c)

	s.Migrations.Source = or(s.Migrations.Source, catalog.DefaultMigrationSource)
	s.Migrations.ActiveDeadline.OrDefault(catalog.DefaultMigrationLimit)

	inf := &s.Infrastructure
	if pg := inf.Postgres; pg != nil {
		defaultComponent(&pg.Component, "postgres")
		pg.Admin.User = or(pg.Admin.User, catalog.DefaultPostgresAdmin)
		pg.Storage = or(pg.Storage, catalog.DefaultPostgresStorage)
		pg.Resources = mergeResources(catalog.DefaultPostgresResources, pg.Resources)
		pg.PasswordSync.Schedule = or(pg.PasswordSync.Schedule, catalog.DefaultPasswordSync)
		if b := pg.Backup; b != nil {
			b.Schedule = or(b.Schedule, catalog.DefaultBackupSchedule)
			b.Retention = or(b.Retention, catalog.DefaultBackupRetention)
			b.Storage.Prefix = or(b.Storage.Prefix, c.Metadata.Name)
			b.Storage.Region = or(b.Storage.Region, catalog.DefaultBackupRegion)
		}
	}
	if r := inf.Redis; r != nil {
		defaultComponent(&r.Component, "redis")
		r.Nodes = or(r.Nodes, catalog.DefaultRedisNodes)
		r.Storage = or(r.Storage, catalog.DefaultRedisStorage)
		r.Memory = or(r.Memory, catalog.DefaultRedisMemory)
		r.MaxmemoryPolicy = or(r.MaxmemoryPolicy, catalog.DefaultRedisPolicy)
		r.AntiAffinity = or(r.AntiAffinity, catalog.AntiAffinityPreferred)
		r.NodeTimeout.OrDefault(catalog.DefaultRedisTimeout)
	}
	if z := inf.Zookeeper; z != nil {
		defaultComponent(&z.Component, "zookeeper")
		z.Replicas = or(z.Replicas, catalog.DefaultZookeeperReplicas)
		z.Storage = or(z.Storage, catalog.DefaultZookeeperStorage)
		z.Resources = mergeResources(catalog.DefaultZookeeperResources, z.Resources)
		z.AntiAffinity = or(z.AntiAffinity, catalog.AntiAffinityPreferred)
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
		svc.Protocol = or(svc.Protocol, catalog.ProtocolGRPC)
		if svc.HTTP() {
			svc.Ports.HTTP = or(svc.Ports.HTTP, d.Ports.HTTP)
			svc.HealthPath = or(svc.HealthPath, d.HealthPath)
		} else {
			svc.Ports.GRPC = or(svc.Ports.GRPC, d.Ports.GRPC)
		}
		svc.Ports.Metrics = or(svc.Ports.Metrics, d.Ports.Metrics)
		if svc.Expose != nil {
			svc.Expose.Path = or(svc.Expose.Path, catalog.DefaultExposePath)
		}
		if svc.Image.Repository == "" && d.Image.Registry != "" {
			svc.Image.Repository = d.Image.Registry + "/" + svc.Name
		}
		// A service that names its own tag or digest means that one; else
		// the defaults pin it, by digest when they give one.
		if svc.Image.Tag == "" && svc.Image.Digest == "" {
			svc.Image.Tag, svc.Image.Digest = d.Image.Tag, d.Image.Digest
		}
		svc.StartupGrace.OrDefault(d.StartupGrace.Duration)
		if svc.Replicas == nil {
			svc.Replicas = d.Replicas
		}
		svc.Resources = mergeResources(d.Resources, svc.Resources)
	}
}

// defaultIngress fills in the entry point when a service is exposed: an
// nginx Ingress unless the catalog says otherwise.
func defaultIngress(s *catalog.Spec) {
	if s.Ingress == nil {
		if !slices.ContainsFunc(s.Services, func(svc catalog.Service) bool { return svc.Expose != nil }) {
			return
		}
		s.Ingress = &catalog.Ingress{}
	}
	in := s.Ingress
	in.Kind = or(in.Kind, catalog.IngressKindIngress)
	if in.Issuer != nil {
		in.Issuer.Kind = or(in.Issuer.Kind, catalog.DefaultIssuerKind)
	}
	switch {
	case in.Kind == catalog.IngressKindIngress:
		in.ClassName = or(in.ClassName, catalog.DefaultIngressClass)
		if in.Controller.Namespace == "" && len(in.Controller.PodLabels) == 0 {
			in.Controller = catalog.IngressController{Namespace: catalog.DefaultIngressController.Namespace, PodLabels: maps.Clone(catalog.DefaultIngressController.PodLabels)}
		}
	case in.Gateway != nil:
		in.Gateway.Namespace = or(in.Gateway.Namespace, s.Namespace)
		in.Controller.Namespace = or(in.Controller.Namespace, in.Gateway.Namespace)
		if len(in.Controller.PodLabels) == 0 {
			in.Controller.PodLabels = map[string]string{catalog.GatewayNameLabel: in.Gateway.Name}
		}
	}
}

func defaultKafka(c *catalog.Catalog, k *catalog.Kafka) {
	defaultComponent(&k.Component, "kafka")
	k.Mode = or(k.Mode, catalog.KafkaModeZookeeper)
	k.Brokers = or(k.Brokers, catalog.DefaultKafkaBrokers)
	k.Retention.OrDefault(catalog.DefaultKafkaRetention)
	k.JMXPort = or(k.JMXPort, catalog.DefaultKafkaJMXPort)
	k.ControllerPort = or(k.ControllerPort, catalog.DefaultKafkaControllerPort)
	k.ReplicationFactor = or(k.ReplicationFactor, min(k.Brokers, catalog.MaxDefaultReplication))
	// acks=all survives one replica down once there are three.
	k.MinInsyncReplicas = or(k.MinInsyncReplicas, max(1, min(2, k.ReplicationFactor-1)))
	if k.KRaft() {
		k.ClusterID = or(k.ClusterID, naming.KafkaClusterID(c.Spec.Namespace, c.Metadata.Name))
	}
	k.Storage = or(k.Storage, catalog.DefaultKafkaStorage)
	k.Resources = mergeResources(catalog.DefaultKafkaResources, k.Resources)
	k.AntiAffinity = or(k.AntiAffinity, catalog.AntiAffinityPreferred)
	k.Topics = or(k.Topics, catalog.TopicsJob)
	for i := range c.Spec.Topics {
		t := &c.Spec.Topics[i]
		t.ReplicationFactor = or(t.ReplicationFactor, k.ReplicationFactor)
		if !t.Retention.Set {
			t.Retention.Duration = k.Retention.Duration
		}
	}
}

func defaultClickHouse(s *catalog.Spec, ch *catalog.ClickHouse) {
	defaultComponent(&ch.Component, "clickhouse")
	ch.HTTPPort = or(ch.HTTPPort, catalog.DefaultClickHouseHTTPPort)
	ch.Shards = or(ch.Shards, 1)
	ch.Replicas = or(ch.Replicas, 1)
	ch.Cluster = or(ch.Cluster, catalog.DefaultClickHouseCluster)
	ch.Storage = or(ch.Storage, catalog.DefaultClickHouseStorage)
	ch.Resources = mergeResources(catalog.DefaultClickHouseResources, ch.Resources)
	ch.Database = or(ch.Database, catalog.DefaultClickHouseDatabase)
	if ch.ClientNetworks == nil {
		ch.ClientNetworks = slices.Clone(catalog.DefaultClickHouseNetworks)
	}
	if ch.Grants == nil {
		ch.Grants = slices.Clone(catalog.DefaultClickHouseGrants)
	}
	if ch.Operator.Namespace == "" && len(ch.Operator.PodLabels) == 0 {
		ch.Operator = catalog.ClickHouseOperator{Namespace: catalog.DefaultClickHouseOperator.Namespace, PodLabels: maps.Clone(catalog.DefaultClickHouseOperator.PodLabels)}
	}
}

// defaultTracing fills in tracing when it is on; off, the section stays
// as written (nothing reads it).
func defaultTracing(c *catalog.Catalog) {
	t := &c.Spec.Tracing
	if !t.Enabled {
		return
	}
	t.Protocol = or(t.Protocol, catalog.TracingGRPC)
	t.SampleRatio = or(t.SampleRatio, catalog.DefaultSampleRatio)
	t.Environment = or(t.Environment, c.Environment)
	col := &t.Collector
	if !col.IsManaged() {
		col.Port = or(col.Port, catalog.OTLPPort(t.Protocol))
	}
	col.Replicas = or(col.Replicas, catalog.DefaultCollectorReplicas)
	col.Resources = mergeResources(catalog.DefaultCollectorResources, col.Resources)
	col.Exporter.Kind = or(col.Exporter.Kind, catalog.ExporterDebug)
}

func defaultComponent(c *catalog.Component, name string) {
	c.Port = or(c.Port, defaultPorts[name])
	if len(c.PodLabels) == 0 {
		c.PodLabels = map[string]string{naming.LabelName: name}
	}
}

// mergeResources overlays a service's resources on the defaults, one
// resource name at a time.
func mergeResources(base, over catalog.Resources) catalog.Resources {
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
	return catalog.Resources{Requests: merge(base.Requests, over.Requests), Limits: merge(base.Limits, over.Limits)}
}

func or[T comparable](v, fallback T) T {
	var zero T
	if v == zero {
		return fallback
	}
	return v
}
