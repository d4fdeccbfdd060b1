package postgres_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	batchv1 "k8s.io/api/batch/v1"

	"github.com/novagen/novagen/catalog"
	"github.com/novagen/novagen/catalog/load"
	"github.com/novagen/novagen/generators/dbinit"
	"github.com/novagen/novagen/naming"
)

// TestPasswordRotation: after a rotation in the secret store (new values
// in the roles' Secrets, hence in the environment), the password-sync
// CronJob's run sets the new passwords: the old ones are refused, the new
// ones accepted, and nothing else on the server changes.
func TestPasswordRotation(t *testing.T) {
	base := connect(t)
	cat, err := load.Load("../../services.yaml")
	require.NoError(t, err)
	c := newCluster(t, base)
	c.start()
	f := newFixture(t, nil, cat)
	f.srv = c.server()
	r := f.runJob(f.passwordEnv(""))
	require.NoError(t, r.err, "db-init:\n%s", r)

	// The CronJob mounts only some of the ConfigMap's keys: run exactly those.
	syncDir := t.TempDir()
	keys := cronJobScripts(t, cat)
	require.Equal(t, []string{dbinit.ScriptRoles}, keys, "the CronJob runs the roles script")
	for _, k := range keys {
		require.NoError(t, os.WriteFile(filepath.Join(syncDir, k), []byte(dbinit.Scripts(cat)[k]), 0o644))
	}

	before := f.snapshot(t)
	rotated := func(role string) string { return "rotated " + password(role) }
	var env []string
	for _, l := range f.logins {
		env = append(env, naming.PasswordEnv(l.Role)+"="+rotated(l.Role))
	}
	sync := *f
	sync.dir = syncDir
	r = sync.runJob(env)
	require.NoError(t, r.err, "password sync:\n%s", r)
	f.assertNoPasswords(t, r)
	for _, secret := range []string{rotated(f.logins[0].Role)} {
		assert.NotContains(t, r.stdout+r.stderr, secret, "no new password in the log")
	}
	assert.Equal(t, before, f.snapshot(t), "the password sync changed more than passwords")

	for _, l := range f.logins {
		old := f.srv.as(l.Role, password(l.Role), l.Database, "SELECT 1")
		require.Error(t, old.err, "%s: the old password still works", l.Role)
		assert.Contains(t, old.stderr, "password authentication failed", l.Role)
		now := f.srv.as(l.Role, rotated(l.Role), l.Database, "SELECT current_user")
		require.NoError(t, now.err, "%s with the new password:\n%s", l.Role, now)
		assert.Equal(t, l.Role, strings.TrimSpace(now.stdout))
	}
	t.Logf("rotation: %d roles refuse their old password and accept the new one; nothing else changed", len(f.logins))
}

// cronJobScripts are the ConfigMap keys the rendered password-sync
// CronJob mounts.
func cronJobScripts(t *testing.T, cat *catalog.Catalog) []string {
	t.Helper()
	objs, err := dbinit.Generate(cat)
	require.NoError(t, err)
	for _, o := range objs {
		cj, ok := o.(*batchv1.CronJob)
		if !ok {
			continue
		}
		var keys []string
		for _, v := range cj.Spec.JobTemplate.Spec.Template.Spec.Volumes {
			if v.ConfigMap != nil {
				for _, it := range v.ConfigMap.Items {
					keys = append(keys, it.Key)
				}
			}
		}
		return keys
	}
	t.Fatal("db-init renders no CronJob")
	return nil
}
