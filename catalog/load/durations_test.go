package load

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/novagen/novagen/catalog"
)

// TestDurationsAsStated: a duration the catalog states is used as stated,
// 0s included; only an absent one takes its default.
func TestDurationsAsStated(t *testing.T) {
	const base = `apiVersion: catalog.nova.dev/v1alpha1
kind: ServiceCatalog
metadata: {name: d}
spec:
  namespace: d
  defaults: {image: {registry: registry.example/d, tag: "1"}%s}
  secrets: {%s}
  migrations: {%s}
  services: [{name: a}]
`
	tests := []struct {
		name                      string
		defaults, secrets, migrat string
		refresh, deadline, grace  time.Duration
	}{
		{"absent: defaults", "", "", "", catalog.DefaultRefreshInterval, catalog.DefaultMigrationLimit, catalog.DefaultStartupGrace},
		{"zero refresh: fetch once", "", "refreshInterval: 0s", "", 0, catalog.DefaultMigrationLimit, catalog.DefaultStartupGrace},
		{"zero deadline: none", "", "", "activeDeadline: 0s", catalog.DefaultRefreshInterval, 0, catalog.DefaultStartupGrace},
		{"stated", ", startupGrace: 10m", "refreshInterval: 15m", "activeDeadline: 1h", 15 * time.Minute, time.Hour, 10 * time.Minute},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cat, err := Parse("d.yaml", []byte(fmt.Sprintf(base, tt.defaults, tt.secrets, tt.migrat)))
			require.NoError(t, err)
			assert.Equal(t, tt.refresh, cat.Spec.Secrets.RefreshInterval.Duration)
			assert.Equal(t, tt.deadline, cat.Spec.Migrations.ActiveDeadline.Duration)
			assert.Equal(t, tt.grace, cat.Spec.Services[0].StartupGrace.Duration, "services inherit the default grace")
		})
	}
}
