package migrations

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	batchv1 "k8s.io/api/batch/v1"

	"github.com/novagen/novagen/catalog"
	"github.com/novagen/novagen/catalog/load"
	"github.com/novagen/novagen/internal/generatortest"
	"github.com/novagen/novagen/naming"
)

func TestGolden(t *testing.T) { generatortest.GeneratorCases(t, Generate) }

// TestChainFollowsCatalog: after the wait, one copy + migrate pair per
// database-owning service, in catalog order, each migrate container with
// only its own service's DATABASE_URL.
func TestChainFollowsCatalog(t *testing.T) {
	cat, err := load.Load("../../services.yaml")
	require.NoError(t, err)
	objs, err := Generate(cat)
	require.NoError(t, err)
	require.Len(t, objs, 2, "the Job and its NetworkPolicy")
	job := objs[0].(*batchv1.Job)
	assert.Equal(t, int64(cat.Spec.Migrations.ActiveDeadline.Seconds()), *job.Spec.ActiveDeadlineSeconds)

	init := job.Spec.Template.Spec.InitContainers
	assert.Equal(t, naming.WaitContainer("postgres"), init[0].Name)
	var owners []*catalog.Service // in catalog order, computed here, not by the code under test
	for i := range cat.Spec.Services {
		if cat.Spec.Services[i].Database != "" {
			owners = append(owners, &cat.Spec.Services[i])
		}
	}
	require.Len(t, init, 1+2*len(owners))
	for i, svc := range owners {
		cp, mig := init[1+2*i], init[2+2*i]
		assert.Equal(t, "copy-"+svc.Name, cp.Name)
		assert.Equal(t, svc.ImageRef(), cp.Image, "migrations come from the service's own image")
		assert.Equal(t, "migrate-"+svc.Name, mig.Name)
		assert.Equal(t, cat.Spec.Images.Sqlx, mig.Image)
		var urls []string
		for _, e := range mig.Env {
			if e.Name == naming.EnvDatabaseURL {
				urls = append(urls, e.ValueFrom.SecretKeyRef.Name)
			}
		}
		assert.Equal(t, []string{naming.DBSecret(svc.Name)}, urls, "%s: only its own credentials", svc.Name)
	}
}
