package kafka

import (
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"

	"github.com/novagen/novagen/catalog"
	"github.com/novagen/novagen/generators/kube"
	"github.com/novagen/novagen/generators/scripts"
	"github.com/novagen/novagen/internal/generatortest"
	"github.com/novagen/novagen/internal/testtool"
	"github.com/novagen/novagen/naming"
)

// TestGolden: staging (zookeeper mode, one broker, the topic Job),
// production (kraft, three brokers), strimzi (provided from outside,
// KafkaTopics) and provided (by IP, the topic Job only).
func TestGolden(t *testing.T) { generatortest.GeneratorCases(t, Generate) }

func loadCatalog(t *testing.T, name string) *catalog.Catalog { return generatortest.Load(t, name) }

func objects(t *testing.T, cat *catalog.Catalog) map[string]kube.Object {
	return generatortest.Objects(t, Generate, cat)
}

func statefulSet(t *testing.T, objs map[string]kube.Object) *appsv1.StatefulSet {
	t.Helper()
	sts, ok := objs["StatefulSet/"+Component].(*appsv1.StatefulSet)
	require.True(t, ok, "StatefulSet kafka")
	return sts
}

func renderedJob(t *testing.T, objs map[string]kube.Object) *batchv1.Job {
	t.Helper()
	job, ok := objs["Job/"+naming.KafkaTopicsJob].(*batchv1.Job)
	require.True(t, ok, "the topic Job")
	return job
}

func env(c corev1.Container) map[string]corev1.EnvVar {
	out := map[string]corev1.EnvVar{}
	for _, e := range c.Env {
		out[e.Name] = e
	}
	return out
}

func TestNothingWithoutKafka(t *testing.T) {
	cat := loadCatalog(t, "staging")
	cat.Spec.Infrastructure.Kafka = nil
	objs, err := Generate(cat)
	require.NoError(t, err)
	assert.Empty(t, objs)
}

// TestProvidedFromOutside: no broker, but the topics are still made.
func TestProvidedFromOutside(t *testing.T) {
	for _, name := range []string{"provided", "strimzi"} {
		objs := objects(t, loadCatalog(t, name))
		assert.NotContains(t, objs, "StatefulSet/kafka", name)
		assert.NotContains(t, objs, "Service/kafka", name, "external-services writes it")
		assert.NotContains(t, objs, "NetworkPolicy/"+naming.KafkaFromTopics, name, "no Kafka pods to let in")
	}
	assert.Contains(t, objects(t, loadCatalog(t, "provided")), "Job/"+naming.KafkaTopicsJob)
}

// TestZookeeperModeIsConfluent: cp-kafka configured its own way, by
// KAFKA_* variables its entrypoint templates into an emptyDir
// /etc/kafka, without Service links (KAFKA_PORT would stop it).
func TestZookeeperModeIsConfluent(t *testing.T) {
	sts := statefulSet(t, objects(t, loadCatalog(t, "staging")))
	pod := sts.Spec.Template.Spec
	c := pod.Containers[0]
	assert.Equal(t, "confluentinc/cp-kafka:7.7.1", c.Image)
	assert.Empty(t, c.Command, "the image's own entrypoint")
	assert.Equal(t, kube.Ptr(false), pod.EnableServiceLinks)
	e := env(c)
	assert.Equal(t, "zookeeper:2181", e["KAFKA_ZOOKEEPER_CONNECT"].Value)
	assert.Equal(t, "PLAINTEXT://$(POD_NAME).kafka-headless.nova-staging.svc.cluster.local:9092", e["KAFKA_ADVERTISED_LISTENERS"].Value)
	assert.Equal(t, kube.PodIndexPath, e["KAFKA_BROKER_ID"].ValueFrom.FieldRef.FieldPath)
	assert.Equal(t, "false", e["KAFKA_AUTO_CREATE_TOPICS_ENABLE"].Value)
	assert.Equal(t, "604800000", e["KAFKA_LOG_RETENTION_MS"].Value, "168h")
	for _, internal := range []string{"KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR", "KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR", "KAFKA_TRANSACTION_STATE_LOG_MIN_ISR", "KAFKA_MIN_INSYNC_REPLICAS"} {
		assert.Equal(t, "1", e[internal].Value, "%s on a single broker", internal)
	}
	assert.Equal(t, "9999", e["KAFKA_JMX_PORT"].Value)
	assert.Equal(t, "$(POD_NAME).kafka-headless.nova-staging.svc.cluster.local", e["KAFKA_JMX_HOSTNAME"].Value, "the RMI host")
	assert.Equal(t, "-Xms1024m -Xmx1024m", e["KAFKA_HEAP_OPTS"].Value, "half the 2Gi limit")
	assert.Less(t, slices.IndexFunc(c.Env, func(v corev1.EnvVar) bool { return v.Name == "POD_NAME" }),
		slices.IndexFunc(c.Env, func(v corev1.EnvVar) bool { return v.Name == "KAFKA_ADVERTISED_LISTENERS" }), "$(POD_NAME) is defined before use")
	assert.Contains(t, c.VolumeMounts, corev1.VolumeMount{Name: configVolume, MountPath: "/etc/kafka"})
	assert.Contains(t, c.VolumeMounts, corev1.VolumeMount{Name: dataVolume, MountPath: "/var/lib/kafka/data"}, "exactly the image's data VOLUME")
	assert.Equal(t, []string{"env", "KAFKA_HEAP_OPTS=-Xmx64m", "kafka-broker-api-versions", "--bootstrap-server", "localhost:9092"}, c.ReadinessProbe.Exec.Command)
	assert.Nil(t, pod.Affinity, "one broker")
	assert.NotContains(t, objects(t, loadCatalog(t, "staging")), "PodDisruptionBudget/kafka")
}

// TestKRaftProduction: three combined broker/controller pods whose quorum
// is computed from their DNS names, replication 3 with
// min.insync.replicas 2, a PDB and anti-affinity.
func TestKRaftProduction(t *testing.T) {
	cat := loadCatalog(t, "production")
	objs := objects(t, cat)
	sts := statefulSet(t, objs)
	assert.Equal(t, int32(3), *sts.Spec.Replicas)
	assert.Equal(t, appsv1.ParallelPodManagement, sts.Spec.PodManagementPolicy)
	c := sts.Spec.Template.Spec.Containers[0]
	assert.Equal(t, "apache/kafka:4.1.1", c.Image)
	assert.Equal(t, []string{"/bin/sh", "-c", scripts.KafkaKRaftStart}, c.Command)
	assert.Equal(t, naming.KafkaClusterID("nova-prod", "nova"), env(c)[scripts.EnvKafkaClusterID].Value)
	assert.Equal(t, kube.PodIndexPath, env(c)[scripts.EnvKafkaNodeID].ValueFrom.FieldRef.FieldPath)
	assert.Equal(t, "-Xms4096m -Xmx4096m", env(c)["KAFKA_HEAP_OPTS"].Value)
	assert.Equal(t, []string{
		"0@kafka-0.kafka-headless.nova-prod.svc.cluster.local:9093",
		"1@kafka-1.kafka-headless.nova-prod.svc.cluster.local:9093",
		"2@kafka-2.kafka-headless.nova-prod.svc.cluster.local:9093",
	}, Voters(cat, cat.Spec.Infrastructure.Kafka))
	cm, ok := objs["ConfigMap/"+naming.KafkaConfig]
	require.True(t, ok)
	props := cm.(*corev1.ConfigMap).Data[ConfigKey]
	for _, line := range []string{
		"process.roles=broker,controller",
		"controller.quorum.voters=0@kafka-0.kafka-headless.nova-prod.svc.cluster.local:9093,1@kafka-1.kafka-headless.nova-prod.svc.cluster.local:9093,2@kafka-2.kafka-headless.nova-prod.svc.cluster.local:9093",
		"listeners=PLAINTEXT://:9092,CONTROLLER://:9093",
		"auto.create.topics.enable=false",
		"default.replication.factor=3", "offsets.topic.replication.factor=3", "transaction.state.log.replication.factor=3",
		"min.insync.replicas=2", "transaction.state.log.min.isr=2",
		"log.retention.ms=259200000", "log.dirs=/var/lib/kafka/data/logs",
	} {
		assert.Contains(t, "\n"+props, "\n"+line+"\n")
	}
	assert.NotContains(t, props, "\nnode.id=", "each pod adds its own")
	assert.Equal(t, kube.ContentHash(cm.(*corev1.ConfigMap).Data), sts.Spec.Template.Annotations[AnnotationConfig])
	anti := sts.Spec.Template.Spec.Affinity.PodAntiAffinity.RequiredDuringSchedulingIgnoredDuringExecution
	require.Len(t, anti, 1)
	assert.Equal(t, map[string]string{"app.kubernetes.io/name": "kafka", "tier": "events"}, anti[0].LabelSelector.MatchLabels)
	assert.Contains(t, objs, "PodDisruptionBudget/kafka")
	assert.Contains(t, TopicLines(cat.Spec.Topics, cat.Spec.Infrastructure.Kafka), "user-events 12 3 259200000 2\n")
	assert.Contains(t, TopicLines(cat.Spec.Topics, cat.Spec.Infrastructure.Kafka), "audit-log 3 3 7776000000 2\n")
}

func TestKRaftConfigText(t *testing.T) {
	k := KRaft{Settings: Settings{ReplicationFactor: 1, MinInsyncReplicas: 1, RetentionMillis: 604800000}, Port: 9092, ControllerPort: 9093,
		Voters: []string{"0@kafka-0.kafka-headless.ns.svc.cluster.local:9093"}}
	assert.Equal(t, `# server.properties: generated by novagen from services.yaml; edit the catalog, not this file.
# The start script appends node.id and advertised.listeners, which differ per pod.
process.roles=broker,controller
controller.quorum.voters=0@kafka-0.kafka-headless.ns.svc.cluster.local:9093
listeners=PLAINTEXT://:9092,CONTROLLER://:9093
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
auto.create.topics.enable=false
default.replication.factor=1
min.insync.replicas=1
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
log.retention.ms=604800000
log.dirs=/var/lib/kafka/data/logs
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
`, k.String())
}

func TestEnvName(t *testing.T) {
	assert.Equal(t, "KAFKA_LOG_RETENTION_MS", EnvName("log.retention.ms"))
	assert.Equal(t, "KAFKA_LISTENER_NAME_INTERNAL_SSL__KEY___PASSWORD", EnvName("listener.name.internal.ssl_key-password"))
}

// TestScriptsGetTheirEnvironment: every variable a script reads (without
// a default) is set in its container.
func TestScriptsGetTheirEnvironment(t *testing.T) {
	kraft := statefulSet(t, objects(t, loadCatalog(t, "production"))).Spec.Template.Spec.Containers[0]
	assert.Subset(t, generatortest.EnvNames(kraft), generatortest.ScriptVars(scripts.KafkaKRaftStart))
	for _, name := range []string{"staging", "production", "provided"} {
		job := renderedJob(t, objects(t, loadCatalog(t, name))).Spec.Template.Spec.Containers[0]
		assert.Subset(t, generatortest.EnvNames(job), generatortest.ScriptVars(scripts.KafkaTopics), name)
	}
}

// TestTopicJobEnvironment: the Job's pod has no JMX port to open (a
// tool would bind it), no Service links, and never names ZooKeeper.
func TestTopicJobEnvironment(t *testing.T) {
	for _, name := range []string{"staging", "production", "provided"} {
		job := renderedJob(t, objects(t, loadCatalog(t, name)))
		pod := job.Spec.Template.Spec
		assert.Equal(t, kube.Ptr(false), pod.EnableServiceLinks, name)
		c := pod.Containers[0]
		for _, e := range c.Env {
			assert.NotContains(t, e.Name, "JMX", name)
			assert.NotContains(t, e.Value, "zookeeper", name)
		}
		assert.NotContains(t, strings.Join(c.Command, " "), "--zookeeper", name)
		assert.Equal(t, Component, job.Annotations[kube.AnnotationNode], "%s: the Job runs in Kafka's wave", name)
	}
	kraft := env(renderedJob(t, objects(t, loadCatalog(t, "production"))).Spec.Template.Spec.Containers[0])
	assert.Equal(t, "/opt/kafka/bin/", kraft[scripts.EnvKafkaToolsDir].Value)
	assert.Equal(t, ".sh", kraft[scripts.EnvKafkaToolsSuffix].Value)
}

// TestStagingTopicJobRuns runs the topic Job of services.yaml, its
// command and environment as rendered, as the pod's UID (no passwd
// entry), with fake Kafka tools on PATH: one create per catalog topic,
// with the seed's partitions and 7-day retention, and nothing else.
func TestStagingTopicJobRuns(t *testing.T) {
	cat := loadCatalog(t, "../../services.yaml")
	pod := renderedJob(t, objects(t, cat)).Spec.Template.Spec
	c := pod.Containers[0]
	require.Equal(t, []string{"/bin/sh", "-c", scripts.KafkaTopics}, c.Command)
	fake := testtool.NewFakeKafka(t, "")
	runEnv := []string{"PATH=" + fake.Dir + ":/usr/local/bin:/usr/bin:/bin", "FAKE=" + fake.Dir}
	for _, e := range c.Env {
		require.Nil(t, e.ValueFrom, "%s: the topic Job reads no Secret", e.Name)
		runEnv = append(runEnv, e.Name+"="+e.Value)
	}
	out, errOut, code := testtool.AsUID(t, *pod.SecurityContext.RunAsUser, c.Command[2], nil, runEnv)
	require.Zero(t, code, "%s\n%s", out, errOut)
	seed := map[string]int{
		"user-events": 3, "content-events": 3, "feed-updates": 3, "messaging-events": 3, "notification-events": 2,
		"analytics-events": 6, "ranking-updates": 3, "trust-safety-events": 3, "realtime-chat": 3,
	}
	var want []string
	for _, tp := range cat.Spec.Topics {
		want = append(want, testtool.CreateCall("kafka-topics", "kafka:9092", tp.Name, seed[tp.Name], 1, 604800000, 1))
	}
	require.Len(t, want, len(seed), "the 9 topics of the seed")
	assert.Equal(t, want, fake.Calls("kafka-topics"))
	assert.Len(t, strings.Split(strings.TrimSpace(out), "\n"), 1+9+1, "a line per topic:\n%s", out)
	assert.Empty(t, errOut)
}

func TestStrimziTopics(t *testing.T) {
	objs := objects(t, loadCatalog(t, "strimzi"))
	orders, ok := objs["KafkaTopic/orders"].(*KafkaTopic)
	require.True(t, ok, "KafkaTopic orders")
	assert.Equal(t, StrimziAPIVersion, orders.APIVersion)
	assert.Equal(t, "events", orders.Labels[StrimziClusterLabel])
	assert.Equal(t, KafkaTopicSpec{Partitions: 6, Replicas: 3, Config: map[string]int64{"retention.ms": 604800000, "min.insync.replicas": 2}}, orders.Spec)
	name := naming.KafkaTopicResource("Payments_V2")
	payments, ok := objs["KafkaTopic/"+name].(*KafkaTopic)
	require.True(t, ok, "KafkaTopic %s", name)
	assert.Equal(t, "Payments_V2", payments.Spec.TopicName, "the topic keeps its name")
	assert.Equal(t, 2, payments.Spec.Replicas)
	assert.Equal(t, int64(2592000000), payments.Spec.Config["retention.ms"])
	assert.NotContains(t, objs, "Job/"+naming.KafkaTopicsJob, "no Job beside the Topic Operator")
	for _, o := range objs {
		assert.Equal(t, Component, kube.Owner(o), "%s takes Kafka's wave", o.GetName())
	}
}
