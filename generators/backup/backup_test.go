package backup

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	batchv1 "k8s.io/api/batch/v1"

	"github.com/novagen/novagen/catalog"
	"github.com/novagen/novagen/catalog/load"
	"github.com/novagen/novagen/generators/scripts"
	"github.com/novagen/novagen/internal/generatortest"
)

// TestGolden: the defaults, a private CA with path-style addressing, and
// enabled: false (nothing).
func TestGolden(t *testing.T) { generatortest.GeneratorCases(t, Generate) }

func loadCase(t *testing.T, name string) *catalog.Catalog {
	t.Helper()
	cat, err := load.Load("testdata/" + name + "/catalog.yaml")
	require.NoError(t, err)
	return cat
}

// env is a container's plain variables.
func env(t *testing.T, job batchv1.JobSpec, container string) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, c := range append(job.Template.Spec.InitContainers, job.Template.Spec.Containers...) {
		if c.Name == container {
			for _, e := range c.Env {
				out[e.Name] = e.Value
			}
			return out
		}
	}
	t.Fatalf("no container %s", container)
	return nil
}

// TestCronJobDumpsTheCatalogsDatabases: the list comes from the catalog,
// in its order; a database added changes only that variable.
func TestCronJobDumpsTheCatalogsDatabases(t *testing.T) {
	cat := loadCase(t, "enabled")
	objs, err := Generate(cat)
	require.NoError(t, err)
	cj := objs[0].(*batchv1.CronJob)
	assert.Equal(t, batchv1.ForbidConcurrent, cj.Spec.ConcurrencyPolicy)
	assert.Equal(t, "orders users", env(t, cj.Spec.JobTemplate.Spec, "dump")[scripts.EnvBackupDatabases])
	assert.Equal(t, "7", env(t, cj.Spec.JobTemplate.Spec, "upload")[scripts.EnvBackupRetention])
	assert.Equal(t, "shop", env(t, cj.Spec.JobTemplate.Spec, "upload")[scripts.EnvS3Prefix])
}

func TestRestoreJob(t *testing.T) {
	cat := loadCase(t, "enabled")
	tests := []struct {
		name    string
		o       RestoreOptions
		wantErr string
		want    map[string]string // restore container variables
	}{
		{name: "whole server", o: RestoreOptions{Backup: "latest"}, want: map[string]string{scripts.EnvRestoreReplace: "false", scripts.EnvRestoreInto: ""}},
		{name: "one database", o: RestoreOptions{Backup: "20261205T020000Z", Databases: []string{"orders"}}, want: map[string]string{scripts.EnvRestoreReplace: "false"}},
		{name: "replace", o: RestoreOptions{Backup: "latest", Replace: true}, want: map[string]string{scripts.EnvRestoreReplace: "true"}},
		{name: "into", o: RestoreOptions{Backup: "latest", Databases: []string{"orders"}, Into: "orders_copy"}, want: map[string]string{scripts.EnvRestoreInto: "orders_copy"}},
		{name: "unknown database", o: RestoreOptions{Backup: "latest", Databases: []string{"nope"}}, wantErr: `database "nope" is not in catalog shop: expected one of orders, users`},
		{name: "twice", o: RestoreOptions{Backup: "latest", Databases: []string{"orders", "orders"}}, wantErr: `named twice`},
		{name: "bad stamp", o: RestoreOptions{Backup: "2026-12-05"}, wantErr: `backup "2026-12-05": expected latest or a stamp`},
		{name: "into without one database", o: RestoreOptions{Backup: "latest", Into: "x"}, wantErr: "--into x names the target of one database"},
		{name: "hostile into", o: RestoreOptions{Backup: "latest", Databases: []string{"orders"}, Into: "x; DROP DATABASE y"}, wantErr: "not a lower-case SQL identifier"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			job, err := RestoreJob(cat, tt.o)
			if tt.wantErr != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.wantErr)
				return
			}
			require.NoError(t, err)
			got := env(t, job.Spec, "restore")
			for k, v := range tt.want {
				assert.Equal(t, v, got[k], k)
			}
			dl := env(t, job.Spec, "download")
			assert.Equal(t, tt.o.Backup, dl[scripts.EnvBackupStamp])
			assert.Equal(t, Component, job.Spec.Template.Labels["app.kubernetes.io/component"], "the backup policies admit it")
		})
	}
}

func TestRestoreWithoutBackups(t *testing.T) {
	cat, err := load.Load("../../services.yaml")
	require.NoError(t, err)
	_, err = RestoreJob(cat, RestoreOptions{Backup: "latest"})
	require.ErrorContains(t, err, "spec.infrastructure.postgres.backup is not set")
}
