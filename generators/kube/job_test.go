package kube

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/validation"

	"github.com/novagen/novagen/catalog"
	"github.com/novagen/novagen/naming"
)

func jobCatalog() *catalog.Catalog {
	return &catalog.Catalog{
		Metadata: catalog.Metadata{Name: "nova"},
		Spec:     catalog.Spec{Namespace: "ns", Defaults: catalog.Defaults{RunAsUser: 10001}},
	}
}

func podWith(image string) corev1.PodSpec {
	return corev1.PodSpec{
		InitContainers: []corev1.Container{{Name: "init", Image: "busybox"}},
		Containers:     []corev1.Container{{Name: "main", Image: image}},
	}
}

func TestJobNameFollowsSpec(t *testing.T) {
	cat := jobCatalog()
	a, err := Job(cat, "gen", "db-job", ComponentDBInit, podWith("a:1"), JobOptions{})
	require.NoError(t, err)
	again, err := Job(cat, "gen", "db-job", ComponentDBInit, podWith("a:1"), JobOptions{})
	require.NoError(t, err)
	b, err := Job(cat, "gen", "db-job", ComponentDBInit, podWith("a:2"), JobOptions{})
	require.NoError(t, err)
	c, err := Job(cat, "gen", "db-job", ComponentDBInit, podWith("a:1"), JobOptions{PodAnnotations: map[string]string{"x": "1"}})
	require.NoError(t, err)

	assert.Equal(t, a.Name, again.Name, "same spec, same name")
	assert.NotEqual(t, a.Name, b.Name, "a new image is a new Job")
	assert.NotEqual(t, a.Name, c.Name, "a new pod annotation (a checksum) is a new Job")
	assert.Regexp(t, `^db-job-[0-9a-f]{10}$`, a.Name)
	assert.Equal(t, "db-job", a.Labels[LabelName], "labels do not carry the hash")
	assert.Equal(t, "db-job", a.Spec.Template.Labels[LabelName])
	assert.Equal(t, ComponentDBInit, a.Spec.Template.Labels[LabelComponent])
}

func TestJobSkeleton(t *testing.T) {
	j, err := Job(jobCatalog(), "gen", "db-job", ComponentMigrations, podWith("a:1"), JobOptions{ActiveDeadlineSeconds: 1800})
	require.NoError(t, err)
	assert.Equal(t, int32(JobBackoffLimit), *j.Spec.BackoffLimit)
	assert.Nil(t, j.Spec.TTLSecondsAfterFinished, "a Job that vanished would be OutOfSync, and run again")
	assert.Equal(t, int64(1800), *j.Spec.ActiveDeadlineSeconds)
	assert.Equal(t, corev1.RestartPolicyNever, j.Spec.Template.Spec.RestartPolicy)
	assert.Equal(t, map[string]string{AnnotationGenerator: "gen"}, j.Annotations, "an ordinary resource, no Argo CD hook")
	pod := j.Spec.Template.Spec
	require.NotNil(t, pod.SecurityContext)
	for _, c := range append(pod.InitContainers, pod.Containers...) {
		require.NotNil(t, c.SecurityContext, c.Name)
		assert.True(t, *c.SecurityContext.RunAsNonRoot, c.Name)
	}

	none, err := Job(jobCatalog(), "gen", "db-job", ComponentMigrations, podWith("a:1"), JobOptions{})
	require.NoError(t, err)
	assert.Nil(t, none.Spec.ActiveDeadlineSeconds, "0 means no deadline")
}

// TestScheduledJobSpec: a CronJob's Jobs are the CronJob's, so they may
// expire; otherwise the spec is a Job's.
func TestScheduledJobSpec(t *testing.T) {
	s := ScheduledJobSpec(jobCatalog(), "sync", ComponentDBInit, podWith("a:1"), JobOptions{})
	assert.Equal(t, int32(ScheduledJobTTLSeconds), *s.TTLSecondsAfterFinished)
	s.TTLSecondsAfterFinished = nil
	assert.Equal(t, JobSpec(jobCatalog(), "sync", ComponentDBInit, podWith("a:1"), JobOptions{}), s)
}

func TestJobNameFitsALabel(t *testing.T) {
	j, err := Job(jobCatalog(), "gen", strings.Repeat("long-", 20), ComponentDBInit, podWith("a:1"), JobOptions{})
	require.NoError(t, err)
	assert.Empty(t, validation.IsDNS1123Label(j.Name), j.Name)
	assert.Len(t, j.Name, naming.MaxLabel)
}

func TestContentHashIgnoresMapOrder(t *testing.T) {
	a := ContentHash(map[string]string{"a": "1", "b": "2"})
	assert.Equal(t, a, ContentHash(map[string]string{"b": "2", "a": "1"}))
	assert.NotEqual(t, a, ContentHash(map[string]string{"a": "1", "b": "3"}))
}
