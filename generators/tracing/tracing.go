// Package tracing is the generator tracing: its description in the
// registry (generators/registry.go; novagen generators prints it) says
// what it emits, and this is the detail.
//
// With spec.tracing.enabled and a managed collector (the default) it runs
// an OpenTelemetry Collector for the namespace: an OTLP receiver on 4317
// (gRPC) and 4318 (HTTP), a memory_limiter and a batch processor, and one
// exporter (debug, which only logs, or otlp to the catalog's backend),
// for traces only: the services' metrics stay Prometheus' to scrape. The
// services' OTEL_* settings come from generator workloads and their
// egress to the collector from network-policies, both through
// catalog.Catalog.TracingCollector, so the three cannot disagree.
//
// The config is JSON (which is YAML) marshalled from typed values, so
// its keys come out sorted and the same catalog always gives the same
// bytes; its hash on the pod template restarts the collector when it
// changes.
package tracing

import (
	"encoding/json"
	"strconv"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/novagen/novagen/catalog"
	"github.com/novagen/novagen/generators/kube"
	"github.com/novagen/novagen/naming"
)

// Name is the generator's name in function configs and the registry.
const Name = "tracing"

// Component is the app.kubernetes.io/component of the collector's objects.
const Component = "tracing-collector"

// AnnotationConfig is the SHA-256 of the collector's config on its pod
// template: a changed config rolls the pods.
const AnnotationConfig = "novagen.nova.dev/otel-collector-config-sha256"

// UID is the contrib image's own user (its Dockerfile's USER 10001).
const UID = 10001

// Where the collector reads its config (the ConfigMap's mount).
const (
	configDir  = "/etc/otelcol-contrib"
	configKey  = "config.yaml"
	configVol  = "config"
	healthPath = "/"
)

// Generate returns the managed collector's ConfigMap, Deployment (and
// PodDisruptionBudget with several replicas), Service and NetworkPolicy;
// nothing when tracing is off, the collector is provided from outside, or
// the render is of a partition other than the shared infrastructure's.
func Generate(cat *catalog.Catalog) ([]kube.Object, error) {
	if !cat.TracingManagedCollector() || !cat.OwnsShared() {
		return nil, nil
	}
	col := &cat.Spec.Tracing.Collector
	config, err := Config(col.Exporter)
	if err != nil {
		return nil, err
	}
	cm := &corev1.ConfigMap{
		TypeMeta:   kube.TypeMeta("v1", "ConfigMap"),
		ObjectMeta: kube.Meta(cat, Name, naming.TracingCollectorConfig, Component),
		Data:       map[string]string{configKey: config},
	}
	out := []kube.Object{cm, deployment(cat, col, kube.ContentHash(cm.Data))}
	if col.Replicas >= 2 {
		out = append(out, kube.PodDisruptionBudget(cat, Name, naming.TracingCollector, Component, PodLabels()))
	}
	return append(out, service(cat), policy(cat, col.Exporter)), nil
}

// PodLabels select the collector's pods: what the Service, the
// services' egress (catalog.Catalog.TracingCollector) and its own policy
// select.
func PodLabels() map[string]string {
	return map[string]string{naming.LabelName: naming.TracingCollector}
}

func deployment(cat *catalog.Catalog, col *catalog.TracingCollector, configHash string) *appsv1.Deployment {
	meta := kube.Meta(cat, Name, naming.TracingCollector, Component)
	health := &corev1.Probe{
		ProbeHandler: corev1.ProbeHandler{HTTPGet: &corev1.HTTPGetAction{
			Path: healthPath, Port: intstr.FromInt32(catalog.CollectorHealthPort), Scheme: corev1.URISchemeHTTP,
		}},
		PeriodSeconds: 10, TimeoutSeconds: 2, FailureThreshold: 3,
	}
	c := corev1.Container{
		Name:  naming.TracingCollector,
		Image: cat.Spec.Images.OTelCollector,
		Args:  []string{"--config=" + configDir + "/" + configKey},
		Ports: []corev1.ContainerPort{
			{Name: naming.PortOTLPGRPC, ContainerPort: catalog.OTLPGRPCPort, Protocol: corev1.ProtocolTCP},
			{Name: naming.PortOTLPHTTP, ContainerPort: catalog.OTLPHTTPPort, Protocol: corev1.ProtocolTCP},
			{Name: naming.PortCollectorHealth, ContainerPort: catalog.CollectorHealthPort, Protocol: corev1.ProtocolTCP},
		},
		ReadinessProbe: health,
		LivenessProbe:  health,
		Resources:      kube.Resources(col.Resources),
		VolumeMounts:   []corev1.VolumeMount{{Name: configVol, MountPath: configDir, ReadOnly: true}},
	}
	spec := corev1.PodSpec{
		Containers: []corev1.Container{c},
		Volumes: []corev1.Volume{{Name: configVol, VolumeSource: corev1.VolumeSource{ConfigMap: &corev1.ConfigMapVolumeSource{
			LocalObjectReference: corev1.LocalObjectReference{Name: naming.TracingCollectorConfig},
		}}}},
	}
	if col.Replicas >= 2 {
		spec.TopologySpreadConstraints = kube.TopologySpread(PodLabels(), []string{appsv1.DefaultDeploymentUniqueLabelKey},
			corev1.LabelTopologyZone, corev1.LabelHostname)
	}
	kube.HardenAs(&spec, UID)
	podLabels := kube.Labels(cat, naming.TracingCollector, Component)
	return &appsv1.Deployment{
		TypeMeta:   kube.TypeMeta("apps/v1", "Deployment"),
		ObjectMeta: meta,
		Spec: appsv1.DeploymentSpec{
			Replicas: kube.Ptr(col.Replicas),
			Selector: &metav1.LabelSelector{MatchLabels: PodLabels()},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: podLabels, Annotations: map[string]string{AnnotationConfig: configHash}},
				Spec:       spec,
			},
		},
	}
}

// service publishes both OTLP ports, whichever the services use.
func service(cat *catalog.Catalog) *corev1.Service {
	grpc := kube.ServicePort(naming.PortOTLPGRPC, catalog.OTLPGRPCPort)
	grpc.AppProtocol = kube.Ptr("grpc")
	httpPort := kube.ServicePort(naming.PortOTLPHTTP, catalog.OTLPHTTPPort)
	httpPort.AppProtocol = kube.Ptr("http")
	return &corev1.Service{
		TypeMeta:   kube.TypeMeta("v1", "Service"),
		ObjectMeta: kube.Meta(cat, Name, naming.TracingCollector, Component),
		Spec: corev1.ServiceSpec{
			Type:     corev1.ServiceTypeClusterIP,
			Selector: PodLabels(),
			Ports:    []corev1.ServicePort{grpc, httpPort},
		},
	}
}

// policy admits every catalog service pod to the OTLP ports (each
// service's own policy says it may go there) and lets the collector reach
// DNS and, for the otlp exporter, any address on the backend's port (the
// catalog names it by host, which a policy cannot select).
func policy(cat *catalog.Catalog, e catalog.TracingExporter) *networkingv1.NetworkPolicy {
	services := networkingv1.NetworkPolicyPeer{PodSelector: kube.Selector(kube.GRPCPodSelector(cat))}
	in := []networkingv1.NetworkPolicyIngressRule{{
		From:  []networkingv1.NetworkPolicyPeer{services},
		Ports: kube.TCP(catalog.OTLPGRPCPort, catalog.OTLPHTTPPort),
	}}
	var out []networkingv1.NetworkPolicyEgressRule
	if p := e.Port(); p != 0 {
		out = append(out, networkingv1.NetworkPolicyEgressRule{Ports: kube.TCP(p)})
	}
	return kube.NetworkPolicy(cat, Name, naming.TracingCollector, PodLabels(), in, append(out, kube.DNSEgress()))
}

// Config is the collector's config: OTLP in on every interface of the
// pod (0.0.0.0: the collector's own default is localhost since 0.104,
// which no other pod reaches), health_check for the probes, traces
// through memory_limiter and batch to the one exporter.
func Config(e catalog.TracingExporter) (string, error) {
	exporter := map[string]any{"verbosity": "basic"}
	if e.Kind == catalog.ExporterOTLP {
		exporter = map[string]any{"endpoint": e.Endpoint, "tls": map[string]any{"insecure": e.Insecure}}
	}
	listen := func(port int) map[string]any { return map[string]any{"endpoint": "0.0.0.0:" + strconv.Itoa(port)} }
	c := map[string]any{
		"extensions": map[string]any{"health_check": listen(catalog.CollectorHealthPort)},
		"receivers": map[string]any{"otlp": map[string]any{"protocols": map[string]any{
			"grpc": listen(catalog.OTLPGRPCPort), "http": listen(catalog.OTLPHTTPPort),
		}}},
		"processors": map[string]any{
			// Refuse data before the container's memory limit kills it.
			"memory_limiter": map[string]any{"check_interval": "1s", "limit_percentage": 80, "spike_limit_percentage": 25},
			"batch":          map[string]any{},
		},
		"exporters": map[string]any{e.Kind: exporter},
		"service": map[string]any{
			"extensions": []string{"health_check"},
			"pipelines": map[string]any{"traces": map[string]any{
				"receivers": []string{"otlp"}, "processors": []string{"memory_limiter", "batch"}, "exporters": []string{e.Kind},
			}},
		},
	}
	b, err := json.MarshalIndent(c, "", "  ")
	return string(b) + "\n", err
}
