package postgres

import (
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	appsv1 "k8s.io/api/apps/v1"

	"github.com/novagen/novagen/catalog/load"
	"github.com/novagen/novagen/internal/generatortest"
	"github.com/novagen/novagen/naming"
)

// TestGolden: staging (the defaults), sized (storage class, resources, a
// port, custom pod labels) and provided (managed: false: nothing).
func TestGolden(t *testing.T) { generatortest.GeneratorCases(t, Generate) }

// TestServerShape: what the issue asks of the server, on the staging
// catalog, checked field by field.
func TestServerShape(t *testing.T) {
	cat, err := load.Load("../../services.yaml")
	require.NoError(t, err)
	objs, err := Generate(cat)
	require.NoError(t, err)
	require.Len(t, objs, 3, "StatefulSet, headless and client Service")
	sts := objs[0].(*appsv1.StatefulSet)
	assert.Equal(t, int32(1), *sts.Spec.Replicas)
	assert.Equal(t, naming.PostgresHeadless, sts.Spec.ServiceName)
	pod := sts.Spec.Template.Spec
	assert.Equal(t, int64(UID), *pod.SecurityContext.RunAsUser)
	assert.Equal(t, int64(UID), *pod.SecurityContext.FSGroup)
	c := pod.Containers[0]
	assert.Equal(t, cat.Spec.Images.Postgres, c.Image)
	mounts := map[string]string{}
	for _, m := range c.VolumeMounts {
		mounts[m.MountPath] = m.Name
	}
	assert.Contains(t, mounts, DataDir)
	assert.Contains(t, mounts, SocketDir, "a writable socket directory")
	for _, e := range c.Env {
		if e.Name == "POSTGRES_PASSWORD" {
			require.NotNil(t, e.ValueFrom, "the admin password comes from its Secret")
			assert.Equal(t, naming.AdminSecret, e.ValueFrom.SecretKeyRef.Name)
		}
		if e.ValueFrom == nil {
			assert.NotContains(t, e.Name, "PASSWORD", "no password as a value")
		}
	}
	assert.Len(t, sts.Spec.VolumeClaimTemplates, 1)
	assert.Equal(t, cat.Spec.Infrastructure.Postgres.Storage, sts.Spec.VolumeClaimTemplates[0].Spec.Resources.Requests.Storage().String())
}

// TestServerIgnoresTheDatabases: the StatefulSet is the same whatever the
// catalog's databases and logins (no init scripts mounted, no login's
// password variable), so adding a service with a database, or a reader
// role, never changes the only PostgreSQL's pod template, which would
// restart it.
func TestServerIgnoresTheDatabases(t *testing.T) {
	b, err := os.ReadFile("../../services.yaml")
	require.NoError(t, err)
	staging := string(b)
	cases := []struct {
		name  string
		edits []string // old, new, old, new...
	}{
		{"a service with a database", []string{
			"  services:\n", "  services:\n    - {name: billing-service, database: nova_billing, dependsOn: [postgres]}\n",
			"  databases:\n", "  databases:\n    - name: nova_billing\n",
		}},
		{"a reader role", []string{"    - name: nova_search\n", "    - name: nova_search\n      readerRole: search_reader\n"}},
	}
	root, err := os.OpenRoot("../..")
	require.NoError(t, err)
	defer root.Close()
	server := func(text string) *appsv1.StatefulSet {
		t.Helper()
		cat, err := load.ParseIn(root, "services.yaml", []byte(text), "")
		require.NoError(t, err)
		objs, err := Generate(cat)
		require.NoError(t, err)
		return objs[0].(*appsv1.StatefulSet)
	}
	want := server(staging)
	for _, c := range want.Spec.Template.Spec.Containers {
		for _, e := range c.Env {
			assert.False(t, strings.HasPrefix(e.Name, naming.PasswordEnv("")), "a login's password: %s", e.Name)
		}
	}
	for _, v := range want.Spec.Template.Spec.Volumes {
		assert.Nil(t, v.ConfigMap, "init scripts mounted: %s", v.Name)
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			text := staging
			for i := 0; i < len(tc.edits); i += 2 {
				require.Contains(t, text, tc.edits[i])
				text = strings.Replace(text, tc.edits[i], tc.edits[i+1], 1)
			}
			assert.Equal(t, want, server(text))
		})
	}
}
