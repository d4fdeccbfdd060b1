package monitoring

import (
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/novagen/novagen/generators/kube/promoperator"
	"github.com/novagen/novagen/internal/generatortest"
	"github.com/novagen/novagen/naming"
	"github.com/novagen/novagen/schema"
)

// TestRuleGroups: in a partitioned catalog of 300 services, each
// PrometheusRule holds at most RulesPerObject services' groups, all of
// one partition; every service has its group exactly once, the Sync
// Jobs' group is in the infrastructure partition's; ServiceMonitors go
// with their service; the partitions add up to the whole output.
func TestRuleGroups(t *testing.T) {
	cat := generatortest.Synth(t, 300, 3)
	counts := generatortest.PartitionsAddUp(t, Generate, cat)
	assert.NotZero(t, counts[schema.InfrastructurePartition], "the Sync Jobs' rules")
	objs, err := Generate(cat)
	require.NoError(t, err)
	seen := map[string]int{}
	rules := 0
	for _, o := range objs {
		r, ok := o.(*promoperator.PrometheusRule)
		if !ok {
			continue
		}
		rules++
		require.True(t, strings.HasPrefix(r.Name, naming.AlertRules(cat.Metadata.Name)+"-"), r.Name)
		services := 0
		for _, g := range r.Spec.Groups {
			seen[g.Name]++
			if svc, ok := strings.CutPrefix(g.Name, "service:"); ok {
				services++
				assert.Contains(t, r.Name, "-"+cat.PartitionOf(svc)+"-", "%s holds %s", r.Name, svc)
			} else {
				assert.Equal(t, syncJobsGroup, g.Name)
				assert.Contains(t, r.Name, "-"+schema.InfrastructurePartition+"-")
			}
		}
		assert.LessOrEqual(t, services, RulesPerObject, r.Name)
	}
	assert.Greater(t, rules, 4)
	for _, s := range cat.Spec.Services {
		assert.Equal(t, 1, seen["service:"+s.Name], s.Name)
	}
	assert.Equal(t, 1, seen[syncJobsGroup])
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
