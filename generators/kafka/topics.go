package kafka

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/novagen/novagen/catalog"
	"github.com/novagen/novagen/generators/kube"
	"github.com/novagen/novagen/generators/scripts"
	"github.com/novagen/novagen/naming"
)

// Topic creation.
//
// The topics are made by a shell script (scripts.KafkaTopics) around
// Kafka's own kafka-topics, in the mode's Kafka image, not by a novagen
// subcommand: there is no novagen image to run one in yet, and the Kafka
// image carries the tools that match its brokers. The script is tested
// with busybox sh and fake tools on PATH (no broker runs in this
// repository's tests).
const (
	// ComponentTopics is the app.kubernetes.io/component of the topic
	// Job and its pods (kube.JobPodSelector).
	ComponentTopics = "kafka-topics"
	// MinTopicsWait is the least the topic Job waits for the brokers:
	// new volumes may take minutes to bind, and a KRaft quorum to form.
	MinTopicsWait = 5 * time.Minute
	// ToolsHeap is the JVM heap of each CLI call of the Job.
	ToolsHeap = "-Xms64m -Xmx256m"
	// TopicsPerJob is how many topics one Job makes: a line of at most
	// about 270 bytes each (the longest topic name Kafka allows), so a
	// Job stays under 100 KiB; a catalog with more has a Job per group
	// (kafka-topics-<k>-<hash>), each in Kafka's wave.
	TopicsPerJob = 300
)

// topicObjects are the Job (and its NetworkPolicies) or the KafkaTopics
// that make the catalog's topics; nothing without topics.
func topicObjects(cat *catalog.Catalog, k *catalog.Kafka, ep catalog.Endpoint) ([]kube.Object, error) {
	if len(cat.Spec.Topics) == 0 {
		return nil, nil
	}
	if k.Topics == catalog.TopicsStrimzi {
		out := make([]kube.Object, 0, len(cat.Spec.Topics))
		for _, t := range cat.Spec.Topics {
			out = append(out, kafkaTopic(cat, k, t))
		}
		return out, nil
	}
	var out []kube.Object
	for _, g := range catalog.Groups(cat, cat.Spec.Topics, func(catalog.Topic) string { return catalog.InfrastructurePartition }, TopicsPerJob) {
		job, err := topicsJob(cat, k, ep, g)
		if err != nil {
			return nil, err
		}
		out = append(out, job)
	}
	// The policies select every topic Job's pods (kube.JobPodSelector).
	out = append(out, kube.JobEgressPolicy(cat, Name, naming.KafkaTopicsPolicy, ComponentTopics, ep))
	if k.IsManaged() {
		out = append(out, kube.JobIngressPolicy(cat, Name, naming.KafkaFromTopics, ComponentTopics, ep))
	}
	return out, nil
}

// TopicLines is KAFKA_TOPICS: one topic a line, in catalog order, as
// "name partitions replicas retention.ms min.insync.replicas".
func TopicLines(topics []catalog.Topic, k *catalog.Kafka) string {
	var b strings.Builder
	for _, t := range topics {
		fmt.Fprintf(&b, "%s %d %d %d %d\n", t.Name, t.Partitions, t.ReplicationFactor, t.Retention.Milliseconds(), k.MinInsyncReplicas)
	}
	return b.String()
}

// topicsJob runs scripts.KafkaTopics for a group of topics in the mode's
// Kafka image, as the catalog's UID: the tools read and write no file but
// logs in /tmp. JMX_PORT is not set: a tool would try to open the JMX
// port too.
func topicsJob(cat *catalog.Catalog, k *catalog.Kafka, ep catalog.Endpoint, g catalog.Group[catalog.Topic]) (kube.Object, error) {
	retries, interval := kube.StretchedWait(cat.Spec.Defaults.Wait, MinTopicsWait)
	env := []corev1.EnvVar{
		{Name: naming.EnvKafkaBootstrap, Value: Bootstrap(ep)},
		{Name: scripts.EnvKafkaTopics, Value: TopicLines(g.Members, k)},
		{Name: scripts.EnvRetries, Value: strconv.Itoa(retries)},
		{Name: scripts.EnvInterval, Value: strconv.Itoa(interval)},
	}
	if dir, suffix := k.Tools(); dir != "" {
		env = append(env,
			corev1.EnvVar{Name: scripts.EnvKafkaToolsDir, Value: dir},
			corev1.EnvVar{Name: scripts.EnvKafkaToolsSuffix, Value: suffix})
	}
	env = append(env,
		corev1.EnvVar{Name: scripts.EnvKafkaHeapOpts, Value: ToolsHeap},
		corev1.EnvVar{Name: scripts.EnvKafkaLogDir, Value: "/tmp"})
	c := corev1.Container{
		Name:    "topics",
		Image:   cat.KafkaImage(),
		Command: []string{"/bin/sh", "-c", scripts.KafkaTopics},
		Env:     env,
		// A JVM per call: more than the small helpers get.
		Resources: kube.Resources(catalog.Resources{
			Requests: map[string]string{"cpu": "100m", "memory": "384Mi"},
			Limits:   map[string]string{"cpu": "1", "memory": "512Mi"},
		}),
	}
	return kube.Job(cat, Name, naming.Grouped(naming.KafkaTopicsJob, g.Suffix), ComponentTopics, corev1.PodSpec{Containers: []corev1.Container{c}}, kube.JobOptions{})
}

// Strimzi's KafkaTopic (kafka.strimzi.io/v1, the only version Strimzi 1.x
// serves): only the fields novagen sets.
const (
	StrimziAPIVersion   = "kafka.strimzi.io/v1"
	StrimziClusterLabel = "strimzi.io/cluster"
)

// KafkaTopic asks a Strimzi Topic Operator for a topic.
type KafkaTopic struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`
	Spec              KafkaTopicSpec `json:"spec"`
}

// KafkaTopicSpec is the topic as the catalog says it. TopicName is set
// only when the topic's name is not a valid resource name.
type KafkaTopicSpec struct {
	TopicName  string           `json:"topicName,omitempty"`
	Partitions int              `json:"partitions"`
	Replicas   int              `json:"replicas"`
	Config     map[string]int64 `json:"config,omitempty"`
}

// kafkaTopic is the KafkaTopic of topic t, for the Topic Operator of the
// catalog's Strimzi cluster (its label strimzi.io/cluster).
func kafkaTopic(cat *catalog.Catalog, k *catalog.Kafka, t catalog.Topic) *KafkaTopic {
	name := naming.KafkaTopicResource(t.Name)
	meta := kube.Meta(cat, Name, name, ComponentTopics)
	meta.Labels[StrimziClusterLabel] = k.StrimziCluster
	spec := KafkaTopicSpec{
		Partitions: t.Partitions,
		Replicas:   t.ReplicationFactor,
		Config: map[string]int64{
			"retention.ms":        t.Retention.Milliseconds(),
			"min.insync.replicas": int64(k.MinInsyncReplicas),
		},
	}
	if name != t.Name {
		spec.TopicName = t.Name
	}
	return &KafkaTopic{TypeMeta: kube.TypeMeta(StrimziAPIVersion, "KafkaTopic"), ObjectMeta: meta, Spec: spec}
}
