package postgres

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	appsv1 "k8s.io/api/apps/v1"

	"github.com/novagen/novagen/internal/generatortest"
	"github.com/novagen/novagen/naming"
	"github.com/novagen/novagen/schema"
)

// TestGolden: staging (the defaults), sized (storage class, resources, a
// port, custom pod labels) and provided (managed: false: nothing).
func TestGolden(t *testing.T) { generatortest.GeneratorCases(t, Generate) }

// TestServerShape: what the issue asks of the server, on the staging
// catalog, checked field by field.
func TestServerShape(t *testing.T) {
	cat, err := schema.Load("../../services.yaml")
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
	assert.Contains(t, mounts, InitDir, "the init scripts for a first start")
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
