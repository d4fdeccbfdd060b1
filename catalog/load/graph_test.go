package load

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/novagen/novagen/catalog"
	"github.com/novagen/novagen/naming"
)

func TestGraph(t *testing.T) {
	tests := []struct {
		name       string
		deps       map[string][]string
		wantOrder  []string
		wantLevels map[string]int
		wantCycles [][]string
	}{
		{
			name:       "chain and fan-in, ties by name",
			deps:       map[string][]string{"gw": {"b", "a"}, "b": {"db"}, "a": {"db"}},
			wantOrder:  []string{"db", "a", "b", "gw"},
			wantLevels: map[string]int{"db": 0, "a": 1, "b": 1, "gw": 2},
		},
		{
			name:       "level is the longest chain",
			deps:       map[string][]string{"c": {"a", "b"}, "b": {"a"}},
			wantOrder:  []string{"a", "b", "c"},
			wantLevels: map[string]int{"a": 0, "b": 1, "c": 2},
		},
		{
			name:       "two cycles, each named once from its smallest member",
			deps:       map[string][]string{"c": {"b"}, "b": {"a"}, "a": {"c"}, "x": {"y"}, "y": {"x"}},
			wantCycles: [][]string{{"a", "c", "b"}, {"x", "y"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			nodes := map[string]bool{}
			for n, ds := range tt.deps {
				nodes[n] = true
				for _, d := range ds {
					nodes[d] = true
				}
			}
			g, cycles := catalog.NewGraph(keys(nodes), tt.deps)
			assert.Equal(t, tt.wantCycles, cycles)
			if tt.wantCycles != nil {
				assert.Nil(t, g)
				return
			}
			assert.Equal(t, tt.wantOrder, g.Order())
			for n, l := range tt.wantLevels {
				assert.Equal(t, l, g.Level(n), n)
			}
		})
	}
}

func TestStagingGraph(t *testing.T) {
	cat, err := Load("../../services.yaml")
	if err != nil {
		t.Fatal(err)
	}
	g := cat.Graph()
	pos := map[string]int{}
	for i, n := range g.Order() {
		pos[n] = i
	}
	for _, n := range g.Nodes() {
		for _, d := range g.DependsOn(n) {
			assert.Less(t, pos[d], pos[n], "%s must start after %s", n, d)
			assert.Less(t, g.Level(d), g.Level(n))
		}
	}
	assert.Equal(t, []string{"postgres", "content-service"}, g.DependsOn("media-service"))
	assert.Equal(t, []string{"kafka"}, g.Dependents("zookeeper"))
}

// TestGraphShowsTopics: every topic is a node, and each producer and
// consumer has a labelled, dotted edge to it; waits are unchanged.
func TestGraphShowsTopics(t *testing.T) {
	cat, err := Load("../../services.yaml")
	if err != nil {
		t.Fatal(err)
	}
	m := cat.Mermaid()
	for _, line := range []string{
		"  topic_1[/user-events/]\n",
		"  topic_9[/realtime-chat/]\n",
		"  user_service -. produces .-> topic_1\n",
		"  feed_service -. consumes .-> topic_1\n",
		"  analytics_service -. consumes .-> topic_6\n",
		"  feed_service --> kafka\n",
	} {
		assert.Contains(t, m, line)
	}
	assert.NotContains(t, m, "user_service --> kafka", "a producer does not wait for Kafka")
	d := cat.DOT()
	assert.Contains(t, d, `  "topic:user-events" [shape=parallelogram, label="user-events"];`)
	assert.Contains(t, d, `  "user-service" -> "topic:user-events" [style=dashed, label="produces"];`)
	assert.Contains(t, d, `  "trust-safety-service" -> "topic:content-events" [style=dashed, label="consumes"];`)
}

// TestKafkaFacts: who is a Kafka client, the defaults that follow from
// the broker count, and what a Kafka provided from outside needs.
func TestKafkaFacts(t *testing.T) {
	cat, err := Load("../../services.yaml")
	if err != nil {
		t.Fatal(err)
	}
	assert.Equal(t, []string{
		"analytics-service", "content-service", "feature-store", "feed-service", "notification-service",
		"ranking-service", "realtime-chat-service", "trust-safety-service", "user-service",
	}, cat.KafkaClients())
	k := cat.Spec.Infrastructure.Kafka
	assert.Equal(t, 1, k.ReplicationFactor)
	assert.Equal(t, 1, k.MinInsyncReplicas)
	assert.Empty(t, k.ClusterID, "zookeeper mode has no cluster ID to set")
	assert.Equal(t, "confluentinc/cp-kafka:7.7.1", cat.KafkaImage())
	for _, tp := range cat.Spec.Topics {
		assert.Equal(t, 1, tp.ReplicationFactor, tp.Name)
		assert.Equal(t, 7*24*time.Hour, tp.Retention.Duration, tp.Name)
	}

	const catalog = `apiVersion: catalog.nova.dev/v1alpha1
kind: ServiceCatalog
metadata: {name: t}
spec:
  namespace: t
  defaults:
    image: {registry: registry.example/t, tag: "1.0.0"}
  infrastructure:
    kafka: %s
  topics:
    - {name: a, partitions: 1}
  services:
    - name: s
      produces: [a]
`
	kraft, err := Parse("kraft.yaml", fmt.Appendf(nil, catalog, "{mode: kraft, brokers: 5}"))
	if err != nil {
		t.Fatal(err)
	}
	k = kraft.Spec.Infrastructure.Kafka
	assert.Equal(t, 3, k.ReplicationFactor, "at most 3 by default")
	assert.Equal(t, 2, k.MinInsyncReplicas)
	assert.Equal(t, naming.KafkaClusterID("t", "t"), k.ClusterID)
	assert.Equal(t, "apache/kafka:4.1.1", kraft.KafkaImage())
	assert.Equal(t, []string{"s"}, kraft.KafkaClients(), "a producer is a client without waiting")

	// Provided from outside: no ZooKeeper needed, no edge to one.
	outside, err := Parse("outside.yaml", fmt.Appendf(nil, catalog, "{managed: false, host: kafka.events.example, brokers: 3}"))
	if err != nil {
		t.Fatal(err)
	}
	assert.Empty(t, outside.Graph().DependsOn("kafka"))
	assert.Equal(t, 3, outside.Spec.Topics[0].ReplicationFactor)
}

// TestConnections: a service reaches what it waits for, then the database
// server when it owns a database and Kafka when it produces or consumes,
// waiting or not; ReachedBy is the reverse, sorted.
func TestConnections(t *testing.T) {
	cat, err := Load("../../services.yaml")
	if err != nil {
		t.Fatal(err)
	}
	// feed-service waits for user-service and kafka only, but owns nova_feed.
	assert.Equal(t, []string{"user-service", "kafka", "postgres"}, cat.Reaches("feed-service"))
	// user-service produces topics without waiting for Kafka.
	assert.Equal(t, []string{"postgres", "kafka"}, cat.Reaches("user-service"))
	assert.Equal(t, []string{"zookeeper"}, cat.Reaches("kafka"))
	by := cat.ReachedBy("postgres")
	assert.True(t, slices.IsSorted(by))
	assert.Contains(t, by, "feed-service")
	assert.Contains(t, cat.ReachedBy("kafka"), "user-service")
	assert.Equal(t, cat.Graph().Dependents("media-service"), cat.ReachedBy("media-service"))
}
