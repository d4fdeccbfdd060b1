package load

import (
	"fmt"
	"time"

	"k8s.io/apimachinery/pkg/api/resource"

	"github.com/novagen/novagen/catalog"
)

// The least memory (limit) the JVM servers get: their heap is half of it.
const (
	MinKafkaMemory     = "512Mi"
	MinZookeeperMemory = "256Mi"
)

// checkEventStreaming: ZooKeeper and Kafka can be built as the catalog
// sizes them, and every topic can be created and written with acks=all.
func (v *validator) checkEventStreaming() {
	inf := v.cat.Spec.Infrastructure
	if z := inf.Zookeeper; z != nil {
		const base = "/spec/infrastructure/zookeeper"
		if z.Replicas%2 == 0 {
			v.errorf(base+"/replicas", "zookeeper has %d replicas: an ensemble needs an odd number, so a majority survives a failure", z.Replicas)
		}
		if z.IsManaged() {
			for _, p := range []int32{catalog.ZookeeperFollowerPort, catalog.ZookeeperElectionPort, catalog.ZookeeperAdminPort} {
				if z.Port == p {
					v.errorf(base+"/port", "zookeeper port %d is taken: %d, %d and %d are its follower, election and admin ports", z.Port, catalog.ZookeeperFollowerPort, catalog.ZookeeperElectionPort, catalog.ZookeeperAdminPort)
				}
			}
		}
		v.server(base, "zookeeper", z.Storage, z.Resources, MinZookeeperMemory)
	}
	k := inf.Kafka
	if k == nil {
		return
	}
	const base = "/spec/infrastructure/kafka"
	if k.IsManaged() && k.Mode == catalog.KafkaModeZookeeper && inf.Zookeeper == nil {
		v.errorf(base, "kafka in zookeeper mode needs spec.infrastructure.zookeeper")
	}
	if k.IsManaged() && k.KRaft() {
		if k.Brokers%2 == 0 {
			v.errorf(base+"/brokers", "kafka in kraft mode has %d brokers, each also a controller: a quorum needs an odd number, so a majority survives a failure", k.Brokers)
		}
		if k.ControllerPort == k.Port || k.ControllerPort == k.JMXPort {
			v.errorf(base+"/controllerPort", "kafka controller port %d is already its client or JMX port", k.ControllerPort)
		}
	}
	if k.ReplicationFactor > k.Brokers {
		v.errorf(base+"/replicationFactor", "kafka replication factor %d is more than its %d broker(s)", k.ReplicationFactor, k.Brokers)
	}
	if k.MinInsyncReplicas > k.ReplicationFactor {
		v.errorf(base+"/minInsyncReplicas", "kafka minInsyncReplicas %d is more than its replication factor %d: no write with acks=all could succeed", k.MinInsyncReplicas, k.ReplicationFactor)
	}
	v.retention(base+"/retention", "kafka retention", k.Retention)
	switch {
	case k.Topics == catalog.TopicsStrimzi && k.StrimziCluster == "":
		v.errorf(base+"/topics", "kafka topics: strimzi needs strimziCluster, the Strimzi cluster (label strimzi.io/cluster) whose Topic Operator manages them")
	case k.Topics != catalog.TopicsStrimzi && k.StrimziCluster != "":
		v.errorf(base+"/strimziCluster", "kafka strimziCluster is only for topics: strimzi")
	}
	v.server(base, "kafka", k.Storage, k.Resources, MinKafkaMemory)

	for i, t := range v.cat.Spec.Topics {
		ptr := fmt.Sprintf("/spec/topics/%d", i)
		if v.pos.has(ptr + "/replicationFactor") {
			switch {
			case t.ReplicationFactor > k.Brokers:
				v.errorf(ptr+"/replicationFactor", "topic %s has replication factor %d but kafka has %d broker(s)", quoteShort(t.Name), t.ReplicationFactor, k.Brokers)
			case t.ReplicationFactor < k.MinInsyncReplicas:
				v.errorf(ptr+"/replicationFactor", "topic %s has replication factor %d, below kafka's minInsyncReplicas %d: no write with acks=all could succeed", quoteShort(t.Name), t.ReplicationFactor, k.MinInsyncReplicas)
			}
		}
		if v.pos.has(ptr + "/retention") {
			v.retention(ptr+"/retention", fmt.Sprintf("topic %q retention", t.Name), t.Retention)
		}
	}
}

// retention is retention.ms: whole milliseconds, at least one.
func (v *validator) retention(ptr, what string, d catalog.Duration) {
	if d.Duration < time.Millisecond || d.Duration%time.Millisecond != 0 {
		v.errorf(ptr, "%s %s must be a whole number of milliseconds, at least 1ms", what, d.Raw)
	}
}

// server checks a JVM server's volume size and resources; its memory
// limit must leave a heap (half of it) to work with.
func (v *validator) server(base, name, storage string, r catalog.Resources, minMemory string) {
	v.quantity(base+"/storage", "storage", storage)
	before := len(v.errs)
	v.checkResourceList(base+"/resources", name, r, true)
	if len(v.errs) > before {
		return
	}
	if q := resource.MustParse(r.Limits["memory"]); q.Cmp(resource.MustParse(minMemory)) < 0 {
		v.errorf(base+"/resources/limits/memory", "%s memory limit %s is too small: at least %s (the heap is half of it)", name, r.Limits["memory"], minMemory)
	}
}
