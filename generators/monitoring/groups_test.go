package monitoring

import (
	"regexp"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/novagen/novagen/catalog"
	"github.com/novagen/novagen/generators/kube"
	"github.com/novagen/novagen/generators/kube/promoperator"
	"github.com/novagen/novagen/internal/generatortest"
	"github.com/novagen/novagen/naming"
)

// TestRuleGroups: in a partitioned catalog of 300 services, every
// service has one PrometheusRule of its own, named like it, holding its
// group alone and rendered with its partition; the Sync Jobs' group is
// alone in <catalog>-alerts, in the infrastructure partition;
// ServiceMonitors go with their service; the partitions add up to the
// whole output.
func TestRuleGroups(t *testing.T) {
	cat := generatortest.Synth(t, 300, 3)
	counts := generatortest.PartitionsAddUp(t, Generate, cat)
	assert.NotZero(t, counts[catalog.InfrastructurePartition], "the Sync Jobs' rules")
	want := map[string]map[string][]string{} // partition -> PrometheusRule -> groups
	for _, p := range cat.PartitionNames() {
		want[p] = map[string][]string{}
	}
	for _, s := range cat.Spec.Services {
		want[cat.PartitionOf(s.Name)][s.Name] = []string{"service:" + s.Name}
	}
	want[catalog.InfrastructurePartition][naming.AlertRules(cat.Metadata.Name)] = []string{syncJobsGroup}
	for _, p := range cat.PartitionNames() {
		scoped, err := cat.InPartition(p)
		require.NoError(t, err)
		objs, err := Generate(scoped)
		require.NoError(t, err)
		assert.Equal(t, want[p], ruleGroups(objs), "partition %s", p)
	}
}

// ruleGroups are the rule groups' names of each PrometheusRule of objs.
func ruleGroups(objs []kube.Object) map[string][]string {
	out := map[string][]string{}
	for _, o := range objs {
		if r, ok := o.(*promoperator.PrometheusRule); ok {
			for _, g := range r.Spec.Groups {
				out[r.Name] = append(out[r.Name], g.Name)
			}
		}
	}
	return out
}

// TestSyncJobNames: the failed-Job alert matches a Sync Job's name with
// or without a group's suffix, and nothing else.
func TestSyncJobNames(t *testing.T) {
	m := oneOf("job_name", naming.SyncJobs(), jobHash)
	re := regexp.MustCompile("^(?:" + m.value + ")$")
	for _, name := range []string{"sqlx-migrate-0123456789", "sqlx-migrate-hash-2-0-0123456789", "postgres-db-init-7-abcdef0123", "kafka-topics-0-abcdef0123"} {
		assert.True(t, re.MatchString(name), name)
	}
	for _, name := range []string{"validate-deployment-0123456789", "validate-deployment-hash-1-0-0123456789", "sqlx-migrate", "my-sqlx-migrate-0123456789", "sqlx-migrate-0123"} {
		assert.False(t, re.MatchString(name), name)
	}
}
