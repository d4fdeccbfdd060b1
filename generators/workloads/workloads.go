// Package workloads is the generator workloads: its description in the
// registry (generators/registry.go; novagen generators prints it) says
// what it emits, and this is the detail.
//
// Rotated credentials reach running pods when they restart: the catalog's
// secrets.rotation is an annotation of every pod template (change it to
// roll everything), and secrets.reloader: true annotates each Deployment
// for Stakater Reloader with the Secrets it reads.
//
// The generator is optional per environment. An environment whose
// kustomize base already has hand-written Deployments leaves it out of
// the function config's spec.generators (list the others instead); the
// init-containers transformer then patches those Deployments exactly as
// it patches generated ones.
//
// Deployments come out without init containers on purpose: the
// init-containers transformer adds the wait-for-<dependency> containers,
// so generated and hand-written Deployments get them the same way.
package workloads

import (
	"maps"
	"math"
	"net"
	"slices"
	"strconv"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/novagen/novagen/catalog"
	"github.com/novagen/novagen/generators/kube"
	"github.com/novagen/novagen/naming"
)

// Name is the generator's name in function configs and the registry.
const Name = "workloads"

// Generate returns one Deployment per service (in a partition's render,
// per service of the partition), in catalog order, each followed by its
// PodDisruptionBudget when it has several replicas.
func Generate(cat *catalog.Catalog) ([]kube.Object, error) {
	var out []kube.Object
	for i := range cat.Spec.Services {
		svc := &cat.Spec.Services[i]
		if !cat.Owns(svc.Name) {
			continue
		}
		out = append(out, deployment(cat, svc))
		if replicated(svc) {
			// A node drain then evicts one pod at a time; with one
			// replica a budget would block every drain.
			out = append(out, kube.PodDisruptionBudget(cat, Name, svc.Name, kube.ComponentGRPCService, svc.SelectorLabels()))
		}
	}
	return out, nil
}

// replicated says whether the service runs several pods, which are then
// spread over zones and nodes and evicted one at a time.
func replicated(svc *catalog.Service) bool { return svc.Replicas != nil && *svc.Replicas >= 2 }

func deployment(cat *catalog.Catalog, svc *catalog.Service) *appsv1.Deployment {
	meta := kube.Meta(cat, Name, svc.Name, kube.ComponentGRPCService)
	// Service labels go on the pods too, after the recommended ones, so
	// a catalog label cannot take a pod out of the Services' selectors.
	podLabels := maps.Clone(svc.Labels)
	if podLabels == nil {
		podLabels = map[string]string{}
	}
	maps.Copy(podLabels, meta.Labels)
	// What it serves: the headless discovery Service selects gRPC pods
	// by it (kube.ProtocolPodSelector).
	podLabels[kube.LabelProtocol] = svc.Protocol
	c := container(svc)
	var secrets []string
	if svc.Database != "" {
		secrets = append(secrets, naming.DBSecret(svc.Name))
	}
	if usesRedis(cat, svc) {
		// Its address (any node is a seed for a cluster client) and the
		// password, from the Secret External Secrets writes.
		r, _ := cat.Endpoint("redis")
		c.Env = append(c.Env,
			corev1.EnvVar{Name: naming.EnvRedisAddr, Value: net.JoinHostPort(r.Host, strconv.Itoa(int(r.Port)))},
			kube.SecretEnv(naming.EnvRedisPassword, naming.RedisSecret, naming.KeyPassword))
		secrets = append(secrets, naming.RedisSecret)
	}
	if k, ok := cat.Endpoint("kafka"); ok && svc.UsesKafka() {
		// The Service: any broker answers a bootstrap, and names the others.
		c.Env = append(c.Env, corev1.EnvVar{Name: naming.EnvKafkaBootstrap, Value: net.JoinHostPort(k.Host, strconv.Itoa(int(k.Port)))})
	}
	if ch := cat.Spec.Infrastructure.ClickHouse; ch != nil && svc.UsesClickHouse() {
		// Where it is (native protocol and HTTP), the database, and the
		// service's own login.
		e, _ := cat.Endpoint("clickhouse")
		secret := naming.ClickHouseSecret(svc.Name)
		c.Env = append(c.Env,
			corev1.EnvVar{Name: naming.EnvClickHouseHost, Value: e.Host},
			corev1.EnvVar{Name: naming.EnvClickHousePort, Value: strconv.Itoa(int(ch.Port))},
			corev1.EnvVar{Name: naming.EnvClickHouseHTTPPort, Value: strconv.Itoa(int(ch.HTTPPort))},
			corev1.EnvVar{Name: naming.EnvClickHouseDatabase, Value: ch.Database},
			kube.SecretEnv(naming.EnvClickHouseUser, secret, naming.KeyUsername),
			kube.SecretEnv(naming.EnvClickHousePassword, secret, naming.KeyPassword))
		secrets = append(secrets, secret)
	}
	if cat.Tracing() {
		c.Env = append(c.Env, tracingEnv(cat, svc)...)
	}
	spec := corev1.PodSpec{Containers: []corev1.Container{c}}
	if replicated(svc) {
		// Over zones and over nodes, so a lost zone or a drained node takes
		// as few pods as it can; preferred only, so a small cluster still
		// runs them all. Counted per revision (pod-template-hash).
		spec.TopologySpreadConstraints = kube.TopologySpread(svc.SelectorLabels(), []string{appsv1.DefaultDeploymentUniqueLabelKey},
			corev1.LabelTopologyZone, corev1.LabelHostname)
	}
	kube.Harden(cat, &spec)
	var podAnnotations map[string]string
	if r := cat.Spec.Secrets.Rotation; r != "" {
		podAnnotations = map[string]string{AnnotationRotation: r}
	}
	if cat.Spec.Secrets.Reloader && len(secrets) > 0 {
		meta.Annotations[AnnotationReloader] = strings.Join(secrets, ",")
	}
	return &appsv1.Deployment{
		TypeMeta:   kube.TypeMeta("apps/v1", "Deployment"),
		ObjectMeta: meta,
		Spec: appsv1.DeploymentSpec{
			Replicas: svc.Replicas,
			Selector: &metav1.LabelSelector{MatchLabels: svc.SelectorLabels()},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: podLabels, Annotations: podAnnotations},
				Spec:       spec,
			},
		},
	}
}

// Annotations that restart pods when credentials rotate (kube's, which
// the exporters' Deployments carry too).
const (
	AnnotationRotation = kube.AnnotationRotation
	AnnotationReloader = kube.AnnotationReloader
)

// tracingEnv is what every OpenTelemetry SDK reads: who the service is,
// where the collector is and how to reach it, which share of traces to
// keep. Only traces go there: metrics stay Prometheus' to scrape, logs
// the container's, so those exporters are off.
func tracingEnv(cat *catalog.Catalog, svc *catalog.Service) []corev1.EnvVar {
	t := &cat.Spec.Tracing
	return []corev1.EnvVar{
		{Name: naming.EnvOTelServiceName, Value: svc.Name},
		{Name: naming.EnvOTelEndpoint, Value: cat.TracingEndpoint()},
		{Name: naming.EnvOTelProtocol, Value: t.Protocol},
		{Name: naming.EnvOTelResourceAttributes, Value: cat.TracingResourceAttributes(svc)},
		{Name: naming.EnvOTelSampler, Value: "parentbased_traceidratio"},
		{Name: naming.EnvOTelSamplerArg, Value: t.SampleRatio},
		{Name: naming.EnvOTelMetricsExporter, Value: "none"},
		{Name: naming.EnvOTelLogsExporter, Value: "none"},
	}
}

// usesRedis: the service waits for Redis, so it is one of its clients.
func usesRedis(cat *catalog.Catalog, svc *catalog.Service) bool {
	return cat.Spec.Infrastructure.Redis != nil && slices.Contains(svc.DependsOn, "redis")
}

func container(svc *catalog.Service) corev1.Container {
	c := corev1.Container{
		Name:  svc.Name,
		Image: svc.ImageRef(),
		Ports: []corev1.ContainerPort{
			{Name: svc.PortName(), ContainerPort: svc.Port(), Protocol: corev1.ProtocolTCP},
			{Name: naming.PortMetrics, ContainerPort: svc.Ports.Metrics, Protocol: corev1.ProtocolTCP},
		},
		StartupProbe:   startupProbe(svc),
		LivenessProbe:  healthProbe(svc),
		ReadinessProbe: healthProbe(svc),
		Resources:      kube.Resources(svc.Resources),
	}
	if svc.Database != "" {
		// Only the connection string: the service has no use for the
		// separate username/password keys of the Secret.
		c.Env = []corev1.EnvVar{kube.SecretEnv(naming.EnvDatabaseURL, naming.DBSecret(svc.Name), naming.KeyDatabaseURL)}
	}
	return c
}

// grpcProbe uses the kubelet's native gRPC health check (grpc.health.v1),
// so images need no grpc_health_probe binary. The empty service name asks
// for the server's overall health; set explicitly because the typed
// field would otherwise serialize as null.
func grpcProbe(port int32) *corev1.Probe {
	return &corev1.Probe{ProbeHandler: corev1.ProbeHandler{GRPC: &corev1.GRPCAction{Port: port, Service: kube.Ptr("")}}}
}

// healthProbe asks the service's health the way its protocol answers:
// gRPC health, or GET on its health path.
func healthProbe(svc *catalog.Service) *corev1.Probe {
	if svc.HTTP() {
		return &corev1.Probe{ProbeHandler: corev1.ProbeHandler{HTTPGet: &corev1.HTTPGetAction{
			Path: svc.HealthPath, Port: intstr.FromInt32(svc.Ports.HTTP), Scheme: corev1.URISchemeHTTP,
		}}}
	}
	return grpcProbe(svc.Ports.GRPC)
}

// StartupPeriodSeconds is how often the startup probe asks.
const StartupPeriodSeconds = 5

// startupProbe gives a service its startupGrace to come up: the kubelet
// holds the liveness and readiness probes back until it succeeds, so a
// slow start is not killed in a loop. The grace is rounded up to whole
// probe periods.
func startupProbe(svc *catalog.Service) *corev1.Probe {
	p := healthProbe(svc)
	p.PeriodSeconds = StartupPeriodSeconds
	p.FailureThreshold = int32(math.Ceil(svc.StartupGrace.Seconds() / StartupPeriodSeconds))
	return p
}
