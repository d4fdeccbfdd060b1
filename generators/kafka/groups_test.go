package kafka

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	batchv1 "k8s.io/api/batch/v1"

	"github.com/novagen/novagen/catalog/load"
	"github.com/novagen/novagen/generators/kube"
	"github.com/novagen/novagen/generators/scripts"
	"github.com/novagen/novagen/internal/generatortest"
	"github.com/novagen/novagen/naming"
)

// TestTopicGroups: more than TopicsPerJob topics are made by several
// Jobs of at most TopicsPerJob topics each, every topic by exactly one,
// with one pair of policies for all of them.
func TestTopicGroups(t *testing.T) {
	var b strings.Builder
	b.WriteString(`apiVersion: catalog.nova.dev/v1alpha1
kind: ServiceCatalog
metadata: {name: many}
spec:
  namespace: many
  defaults:
    image: {registry: registry.example/many, tag: "1.0"}
  infrastructure:
    kafka: {mode: kraft}
  services:
    - name: producer
      produces: [topic-0000]
  topics:
`)
	const topics = 2*TopicsPerJob + 10
	for i := range topics {
		fmt.Fprintf(&b, "    - {name: topic-%04d, partitions: 3}\n", i)
	}
	cat, err := load.Parse("services.yaml", []byte(b.String()))
	require.NoError(t, err)
	objs, err := Generate(cat)
	require.NoError(t, err)
	made := map[string]int{}
	var jobs, policies []string
	for _, o := range objs {
		switch o.GetLabels()[kube.LabelComponent] {
		case ComponentTopics:
			if j, ok := o.(*batchv1.Job); ok {
				jobs = append(jobs, j.Spec.Template.Labels[kube.LabelName])
				lines := strings.Split(strings.TrimSpace(j.Spec.Template.Spec.Containers[0].Env[1].Value), "\n")
				require.Equal(t, scripts.EnvKafkaTopics, j.Spec.Template.Spec.Containers[0].Env[1].Name)
				assert.LessOrEqual(t, len(lines), TopicsPerJob)
				for _, l := range lines {
					made[strings.Fields(l)[0]]++
				}
			}
		case kube.ComponentNetworkPolicy:
			policies = append(policies, o.GetName())
		}
	}
	assert.Equal(t, []string{naming.KafkaTopicsJob + "-0", naming.KafkaTopicsJob + "-1", naming.KafkaTopicsJob + "-2"}, jobs)
	assert.ElementsMatch(t, []string{naming.KafkaTopicsPolicy, naming.KafkaFromTopics}, policies)
	assert.Len(t, made, topics)
	for topic, n := range made {
		assert.Equal(t, 1, n, topic)
	}
}

// TestPartitionsAddUp: Kafka and its topics are shared, the
// infrastructure partition's.
func TestPartitionsAddUp(t *testing.T) {
	generatortest.SharedPartitionsAddUp(t, Generate, generatortest.Synth(t, 300, 3))
}
