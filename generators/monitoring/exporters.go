package monitoring

import (
	"fmt"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/novagen/novagen/catalog"
	"github.com/novagen/novagen/generators/kube"
	"github.com/novagen/novagen/generators/kube/promoperator"
	"github.com/novagen/novagen/naming"
)

// ComponentExporter is the component label of the exporters' objects.
const ComponentExporter = "exporter"

// ExporterUID runs every exporter: nobody, the user the postgres_exporter
// and kafka_exporter images declare (USER nobody); redis_exporter's
// declares 59000, but all three are static binaries that read no file of
// their own user's and write nothing but /tmp, so one numeric UID serves.
const ExporterUID = 65534

// KafkaProtocolVersion is the protocol kafka_exporter (Sarama) speaks:
// Kafka 3.7 and 4.x brokers both accept it (4.0 dropped the protocol of
// brokers before 2.1, which Sarama's default 2.0.0 would use).
const KafkaProtocolVersion = "3.6.0"

// ScrapePath is where redis_exporter scrapes the node named by its target
// parameter.
const ScrapePath = "/scrape"

// exporterObjects are an exporter's Deployment and Service.
func exporterObjects(cat *catalog.Catalog, x catalog.Exporter) []kube.Object {
	c := corev1.Container{
		Name:  x.Name,
		Image: x.Image,
		Ports: []corev1.ContainerPort{{Name: naming.PortExporter, ContainerPort: x.Port, Protocol: corev1.ProtocolTCP}},
		// Listening is all a probe can ask of all three without relying on
		// an endpoint one version has and another lacks; whether the
		// component answers is the metrics' business (pg_up, redis_up,
		// kafka_brokers).
		ReadinessProbe: kube.TCPProbe(x.Port, 10, 5, 3),
		LivenessProbe:  kube.TCPProbe(x.Port, 20, 5, 6),
		Resources: kube.Resources(catalog.Resources{
			Requests: map[string]string{"cpu": "10m", "memory": "32Mi"},
			Limits:   map[string]string{"cpu": "200m", "memory": "128Mi"},
		}),
	}
	secret := configure(cat, x, &c)
	spec := corev1.PodSpec{Containers: []corev1.Container{c}}
	kube.HardenAs(&spec, ExporterUID)
	labels := kube.Labels(cat, x.Name, ComponentExporter)
	deployment := &appsv1.Deployment{
		TypeMeta:   kube.TypeMeta("apps/v1", "Deployment"),
		ObjectMeta: kube.Meta(cat, Name, x.Name, ComponentExporter),
		Spec: appsv1.DeploymentSpec{
			Replicas: kube.Ptr(int32(1)),
			Selector: kube.Selector(x.PodLabels),
			Template: corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: labels}, Spec: spec},
		},
	}
	// A rotated password reaches the exporter as it reaches the services.
	if r := cat.Spec.Secrets.Rotation; r != "" && secret != "" {
		deployment.Spec.Template.Annotations = map[string]string{kube.AnnotationRotation: r}
	}
	if cat.Spec.Secrets.Reloader && secret != "" {
		deployment.Annotations[kube.AnnotationReloader] = secret
	}
	service := &corev1.Service{
		TypeMeta:   kube.TypeMeta("v1", "Service"),
		ObjectMeta: kube.Meta(cat, Name, x.Name, ComponentExporter),
		Spec: corev1.ServiceSpec{
			Type:     corev1.ServiceTypeClusterIP,
			Selector: x.PodLabels,
			Ports:    []corev1.ServicePort{kube.ServicePort(naming.PortExporter, x.Port)},
		},
	}
	objs := []kube.Object{deployment, service}
	kube.BelongTo(x.Component, objs) // in the component's place in the startup order
	return objs
}

// configure points an exporter at its component, with credentials only
// from the Secrets novagen already renders for it, and names that Secret
// ("" for none).
func configure(cat *catalog.Catalog, x catalog.Exporter, c *corev1.Container) string {
	inf := &cat.Spec.Infrastructure
	switch x.Component {
	case catalog.ExporterPostgres:
		// The admin login: pg_stat_* of every database need a superuser
		// or pg_monitor, and the admin is the only login on every one.
		// The server has no TLS (postgres image defaults).
		c.Env = []corev1.EnvVar{
			{Name: "DATA_SOURCE_URI", Value: fmt.Sprintf("%s:%d/%s?sslmode=disable", x.Component, inf.Postgres.Port, naming.MaintenanceDB)},
			kube.SecretEnv("DATA_SOURCE_USER", naming.AdminSecret, naming.KeyUsername),
			kube.SecretEnv("DATA_SOURCE_PASS", naming.AdminSecret, naming.KeyPassword),
		}
		return naming.AdminSecret
	case catalog.ExporterRedis:
		// No address of its own: Prometheus names each node in turn
		// (/scrape?target=), and the password serves them all.
		c.Env = []corev1.EnvVar{kube.SecretEnv("REDIS_PASSWORD", naming.RedisSecret, naming.KeyPassword)}
		return naming.RedisSecret
	case catalog.ExporterKafka:
		// The bootstrap Service; the brokers then advertise their pods.
		// Plaintext: the brokers' only listener.
		c.Args = []string{
			fmt.Sprintf("--kafka.server=%s:%d", x.Component, inf.Kafka.Port),
			"--kafka.version=" + KafkaProtocolVersion,
			fmt.Sprintf("--web.listen-address=:%d", x.Port),
		}
	}
	return ""
}

// exporterEndpoints are what an exporter's ServiceMonitor scrapes: its
// /metrics, or for a multi-target exporter each target through /scrape,
// with the target as the instance label so the nodes' series differ.
func exporterEndpoints(cat *catalog.Catalog, t catalog.MetricsTarget) []promoperator.Endpoint {
	interval := duration(cat.Spec.Monitoring.PrometheusOperator.Interval.Duration)
	x := t.Exporter
	if len(x.Targets) == 0 {
		return []promoperator.Endpoint{{Port: t.PortName, Path: MetricsPath, Interval: interval}}
	}
	out := make([]promoperator.Endpoint, len(x.Targets))
	for i, target := range x.Targets {
		out[i] = promoperator.Endpoint{
			Port: t.PortName, Path: ScrapePath, Interval: interval,
			Params:      map[string][]string{"target": {target}},
			Relabelings: []promoperator.RelabelConfig{{SourceLabels: []string{"__param_target"}, TargetLabel: "instance"}},
		}
	}
	return out
}
