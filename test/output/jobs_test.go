package output

import (
	"strings"
	"testing"

	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// argoHookPrefix starts Argo CD's hook annotations (hook,
// hook-delete-policy): a hook runs again on every sync.
const argoHookPrefix = "argocd.argoproj.io/hook"

// TestJobsAreOrdinaryResources renders every test catalog: no object is
// an Argo CD hook (a re-sync with nothing changed re-runs no Job), and
// no Job has ttlSecondsAfterFinished (a Job Kubernetes deleted would be
// OutOfSync and created, so run, again); a CronJob's Jobs may have one,
// they are the CronJob's, not Argo CD's.
func TestJobsAreOrdinaryResources(t *testing.T) {
	jobs := 0
	for _, c := range loadTestCatalogs(t) {
		for _, n := range c.render(t) {
			for k := range n.GetAnnotations() {
				if strings.HasPrefix(k, argoHookPrefix) {
					t.Errorf("%s: %s %s is an Argo CD hook (%s)", c.name, n.GetKind(), n.GetName(), k)
				}
			}
			if n.GetKind() != "Job" {
				continue
			}
			jobs++
			if ttl, err := n.Pipe(yaml.Lookup("spec", "ttlSecondsAfterFinished")); err != nil || ttl != nil {
				t.Errorf("%s: Job %s has ttlSecondsAfterFinished", c.name, n.GetName())
			}
		}
	}
	if jobs == 0 {
		t.Fatal("no Job in any render")
	}
}
