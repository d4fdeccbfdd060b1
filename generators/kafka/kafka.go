// Package kafka is the generator kafka: its description in the registry
// (generators/registry.go; novagen generators prints it) says what it
// emits, and this is the detail.
//
// When the catalog has novagen run Kafka (infrastructure.kafka.managed,
// the default):
//
//   - StatefulSet kafka: brokers pods, all started at once, each with a
//     data volume at /var/lib/kafka/data, the Service kafka clients
//     bootstrap from and the headless Service kafka-headless that gives
//     each broker the DNS name it advertises
//     (kafka-<i>.kafka-headless.<namespace>.svc.cluster.local), resolving
//     before pods are ready; JMX on jmxPort with the RMI port the same and
//     the pod's DNS name as RMI host; auto.create.topics.enable=false;
//     internal topics at the catalog's replication factor;
//   - zookeeper mode (what services.yaml selects): the Confluent Platform
//     7.x cp-kafka image (images.kafka), configured the image's way, by
//     KAFKA_* variables its entrypoint templates into /etc/kafka (an
//     emptyDir under the read-only root);
//   - kraft mode: an Apache Kafka image (images.kafkaKraft), every pod a
//     combined broker and controller: ConfigMap kafka-config holds the
//     server.properties every pod shares (the controller quorum computed
//     from the pods' DNS names), scripts.KafkaKRaftStart adds the pod's
//     node.id and advertised listener, formats the volume with the
//     catalog's cluster ID once, and starts the broker. (The image's own
//     environment templating differs between releases and writes into
//     /opt/kafka/config; a start script of ours does not.);
//   - with more than one broker, a PodDisruptionBudget, pod
//     anti-affinity over nodes and a preferred spread over zones
//     (kube.SpreadServers).
//
// Whether Kafka is managed or provided from outside (then generator
// external-services points the Service kafka at it), the catalog's
// topics are made by topics.go: a Job, or Strimzi KafkaTopics.
//
// Both image families run as their appuser (UID 1000); the broker's
// node id is its ordinal, from the label apps.kubernetes.io/pod-index
// (Kubernetes 1.28+). enableServiceLinks is off in every pod
// (kube.HardenAs): a Service named kafka would otherwise inject
// KAFKA_PORT, which cp-kafka's entrypoint refuses. Every object belongs
// to the node kafka in the startup order (kube.BelongTo), so the topic
// Job runs in Kafka's wave, after ZooKeeper's. README.md beside this
// file has the details.
package kafka

import (
	"fmt"
	"net"
	"strconv"

	corev1 "k8s.io/api/core/v1"

	"github.com/novagen/novagen/catalog"
	"github.com/novagen/novagen/generators/kube"
	"github.com/novagen/novagen/generators/scripts"
	"github.com/novagen/novagen/naming"
)

// Name is the generator's name in function configs and the registry.
const Name = "kafka"

// Component is the catalog's name of Kafka: the StatefulSet, the client
// Service, the PodDisruptionBudget and the pods' name prefix.
const Component = "kafka"

// The images' user and where they keep things.
const (
	UID     = 1000 // appuser of both cp-kafka and apache/kafka
	DataDir = "/var/lib/kafka/data"
	// JVMLogDir is LOG_DIR, where kafka-run-class writes GC logs.
	JVMLogDir = "/var/log/kafka"
	// CPConfigDir is where cp-kafka's entrypoint writes kafka.properties.
	CPConfigDir = "/etc/kafka"
	// KRaftHome is the Apache Kafka installation of apache/kafka.
	KRaftHome = catalog.KafkaKRaftHome
	// KRaftTemplateDir holds the mounted ConfigMap, KRaftConfigDir the
	// server.properties the start script writes.
	KRaftTemplateDir = "/etc/kafka/novagen"
	KRaftConfigDir   = "/var/lib/kafka/config"
	ConfigKey        = "server.properties"
	// AnnotationConfig is the SHA-256 of the KRaft server.properties on
	// the pod template: a change rolls the brokers, one at a time.
	AnnotationConfig = "novagen.nova.dev/kafka-config-sha256"
	// TerminationGraceSeconds leaves a broker time for a controlled
	// shutdown (handing its partitions' leadership over).
	TerminationGraceSeconds = 120

	dataVolume     = "data"
	configVolume   = "config"
	templateVolume = "config-template"
	logsVolume     = "logs"
)

// Generate returns Kafka's workload when novagen runs it, and the objects
// that make the catalog's topics.
func Generate(cat *catalog.Catalog) ([]kube.Object, error) {
	k := cat.Spec.Infrastructure.Kafka
	if k == nil || !cat.OwnsShared() { // shared: the infrastructure partition's
		return nil, nil
	}
	ep, ok := cat.Endpoint(Component)
	if !ok {
		return nil, fmt.Errorf("catalog has kafka but no endpoint %q", Component)
	}
	var out []kube.Object
	if k.IsManaged() {
		out = brokers(cat, k, ep)
	}
	topics, err := topicObjects(cat, k, ep)
	if err != nil {
		return nil, err
	}
	out = append(out, topics...)
	kube.BelongTo(Component, out)
	return out, nil
}

// HeadlessFQDN is the domain of the brokers' stable names:
// <pod>.kafka-headless.<namespace>.svc.cluster.local.
func HeadlessFQDN(cat *catalog.Catalog) string {
	return naming.KafkaHeadless + "." + cat.Spec.Namespace + ".svc.cluster.local"
}

// Voters is controller.quorum.voters in kraft mode: every pod, by its
// ordinal (its node.id) and DNS name, on the controller port.
func Voters(cat *catalog.Catalog, k *catalog.Kafka) []string {
	out := make([]string, k.Brokers)
	for i := range out {
		out[i] = fmt.Sprintf("%d@%s-%d.%s:%d", i, Component, i, HeadlessFQDN(cat), k.ControllerPort)
	}
	return out
}

// Bootstrap is what clients bootstrap from: the Service kafka.
func Bootstrap(ep catalog.Endpoint) string {
	return net.JoinHostPort(ep.Host, strconv.Itoa(int(ep.Port)))
}

// brokers are the StatefulSet, its Services, the KRaft ConfigMap and,
// with more than one broker, the PodDisruptionBudget.
func brokers(cat *catalog.Catalog, k *catalog.Kafka, ep catalog.Endpoint) []kube.Object {
	s := server(cat, k, ep)
	var out []kube.Object
	c := &s.Pod.Containers[0]
	if k.KRaft() {
		cm := &corev1.ConfigMap{
			TypeMeta:   kube.TypeMeta("v1", "ConfigMap"),
			ObjectMeta: kube.Meta(cat, Name, naming.KafkaConfig, kube.ComponentServer),
			Data:       map[string]string{ConfigKey: KRaft{Settings: SettingsOf(k), Port: k.Port, ControllerPort: k.ControllerPort, Voters: Voters(cat, k)}.String()},
		}
		out = append(out, cm)
		kraft(cat, k, c, &s.Pod)
		s.PodAnnotations = map[string]string{AnnotationConfig: kube.ContentHash(cm.Data)}
	} else {
		confluent(cat, k, c, &s.Pod)
	}
	out = append(out, kube.ServerObjects(cat, Name, s)...)
	if k.Brokers > 1 {
		out = append(out, kube.PodDisruptionBudget(cat, Name, Component, kube.ComponentServer, ep.PodLabels))
	}
	return out
}

// server is what both modes share: ports, volume, resources, probes,
// identity, spreading.
func server(cat *catalog.Catalog, k *catalog.Kafka, ep catalog.Endpoint) kube.Server {
	ports := []corev1.ServicePort{kube.ServicePort(naming.PortKafka, k.Port)}
	if k.KRaft() {
		ports = append(ports, kube.ServicePort(naming.PortKafkaController, k.ControllerPort))
	}
	ports = append(ports, kube.ServicePort(naming.PortJMX, k.JMXPort))
	var containerPorts []corev1.ContainerPort
	for _, p := range ports {
		containerPorts = append(containerPorts, corev1.ContainerPort{Name: p.Name, ContainerPort: p.Port, Protocol: corev1.ProtocolTCP})
	}
	logsVol, logsMount := kube.EmptyDirMount(logsVolume, JVMLogDir)
	toolDir, toolSuffix := k.Tools()
	c := corev1.Container{
		Name:  Component,
		Ports: containerPorts,
		Env: []corev1.EnvVar{
			kube.FieldEnv(scripts.EnvPodName, "metadata.name"),
		},
		VolumeMounts: []corev1.VolumeMount{{Name: dataVolume, MountPath: DataDir}, logsMount},
		Resources:    kube.Resources(k.Resources),
		// A first start (formatting, electing a controller, loading the
		// logs of a large broker) takes a while: up to 5 minutes.
		StartupProbe: kube.TCPProbe(k.Port, 10, 5, 30),
		// Ready once the broker answers its API (a JVM tool with a small
		// heap of its own, not the broker's).
		ReadinessProbe: kube.ExecProbe([]string{"env", scripts.EnvKafkaHeapOpts + "=-Xmx64m",
			toolDir + "kafka-broker-api-versions" + toolSuffix, "--bootstrap-server", net.JoinHostPort("localhost", strconv.Itoa(int(k.Port)))}, 15, 10, 4),
		LivenessProbe: kube.TCPProbe(k.Port, 10, 5, 6),
	}
	pod := corev1.PodSpec{
		Containers:                    []corev1.Container{c},
		Volumes:                       []corev1.Volume{logsVol},
		TerminationGracePeriodSeconds: kube.Ptr(int64(TerminationGraceSeconds)),
	}
	if k.Brokers > 1 {
		kube.SpreadServers(&pod, k.AntiAffinity == catalog.AntiAffinityRequired, ep.PodLabels)
	}
	return kube.Server{
		Name:            ep.Name,
		Headless:        naming.KafkaHeadless,
		PodLabels:       ep.PodLabels,
		Replicas:        int32(k.Brokers),
		UID:             UID,
		Ports:           ports,
		Pod:             pod,
		Volume:          dataVolume,
		Storage:         k.Storage,
		StorageClass:    k.StorageClassName,
		PublishNotReady: true,
		// A KRaft quorum (and an ensemble of brokers) forms only once a
		// majority runs: start them together.
		Parallel: true,
	}
}

// advertised is the pod's listener as clients reach it; $(POD_NAME) is
// expanded by the kubelet from the variable before it.
func advertised(cat *catalog.Catalog, k *catalog.Kafka) string {
	return fmt.Sprintf("PLAINTEXT://%s:%d", podFQDN(cat), k.Port)
}

func podFQDN(cat *catalog.Catalog) string {
	return "$(" + scripts.EnvPodName + ")." + HeadlessFQDN(cat)
}

// jvmEnv are the variables of the broker's JVM: heap, GC log directory,
// JMX (port and RMI host) and the pod's ordinal as idName.
func jvmEnv(cat *catalog.Catalog, k *catalog.Kafka, idName string) []corev1.EnvVar {
	return []corev1.EnvVar{
		kube.FieldEnv(idName, kube.PodIndexPath),
		{Name: scripts.EnvKafkaJMXPort, Value: strconv.Itoa(int(k.JMXPort))},
		{Name: scripts.EnvKafkaJMXHostname, Value: podFQDN(cat)},
		{Name: scripts.EnvKafkaHeapOpts, Value: kube.JVMHeap(k.Resources)},
		{Name: scripts.EnvKafkaLogDir, Value: JVMLogDir},
	}
}

// confluent configures cp-kafka in zookeeper mode through its
// environment; its own entrypoint starts it.
func confluent(cat *catalog.Catalog, k *catalog.Kafka, c *corev1.Container, pod *corev1.PodSpec) {
	c.Image = cat.Spec.Images.Kafka
	zk, _ := cat.Endpoint("zookeeper") // the loader requires it in zookeeper mode
	c.Env = append(c.Env, jvmEnv(cat, k, "KAFKA_BROKER_ID")...)
	c.Env = append(c.Env,
		corev1.EnvVar{Name: "KAFKA_ZOOKEEPER_CONNECT", Value: net.JoinHostPort(zk.Host, strconv.Itoa(int(zk.Port)))},
		corev1.EnvVar{Name: "KAFKA_LISTENERS", Value: fmt.Sprintf("PLAINTEXT://0.0.0.0:%d", k.Port)},
		corev1.EnvVar{Name: scripts.EnvKafkaAdvertised, Value: advertised(cat, k)})
	for _, p := range SettingsOf(k).Properties() {
		c.Env = append(c.Env, corev1.EnvVar{Name: EnvName(p.Key), Value: p.Value})
	}
	vol, mount := kube.EmptyDirMount(configVolume, CPConfigDir)
	c.VolumeMounts = append(c.VolumeMounts, mount)
	pod.Volumes = append(pod.Volumes, vol)
}

// kraft runs apache/kafka as a combined broker and controller through
// scripts.KafkaKRaftStart.
func kraft(cat *catalog.Catalog, k *catalog.Kafka, c *corev1.Container, pod *corev1.PodSpec) {
	c.Image = cat.Spec.Images.KafkaKraft
	c.Command = []string{"/bin/sh", "-c", scripts.KafkaKRaftStart}
	c.Env = append(c.Env, jvmEnv(cat, k, scripts.EnvKafkaNodeID)...)
	c.Env = append(c.Env,
		corev1.EnvVar{Name: scripts.EnvKafkaAdvertised, Value: advertised(cat, k)},
		corev1.EnvVar{Name: scripts.EnvKafkaClusterID, Value: k.ClusterID},
		corev1.EnvVar{Name: scripts.EnvKafkaHome, Value: KRaftHome},
		corev1.EnvVar{Name: scripts.EnvKafkaConfigIn, Value: KRaftTemplateDir + "/" + ConfigKey},
		corev1.EnvVar{Name: scripts.EnvKafkaConfigOut, Value: KRaftConfigDir + "/" + ConfigKey})
	vol, mount := kube.EmptyDirMount(configVolume, KRaftConfigDir)
	c.VolumeMounts = append(c.VolumeMounts, mount,
		corev1.VolumeMount{Name: templateVolume, MountPath: KRaftTemplateDir, ReadOnly: true})
	pod.Volumes = append(pod.Volumes, vol, corev1.Volume{Name: templateVolume, VolumeSource: corev1.VolumeSource{
		ConfigMap: &corev1.ConfigMapVolumeSource{LocalObjectReference: corev1.LocalObjectReference{Name: naming.KafkaConfig}},
	}})
}
