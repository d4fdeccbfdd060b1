package argocd

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/argoproj/argo-cd/v2/pkg/apis/application/v1alpha1"
	"github.com/google/go-cmp/cmp"
)

// TestRepoServerRendersPartitionsInTime is the delivery half of `make
// partition-test` (../../hack/partition-test.sh), which sets its
// environment: the repo server and the novagen plugin render each named
// partition of a large synthetic catalog (NOVAGEN_PARTITION_REPO, its
// kustomization in catalog/), as the partitions ApplicationSet's
// Applications do, within NOVAGEN_PARTITION_LIMIT seconds, exactly as
// the local kustomize build the script saved in NOVAGEN_PARTITION_OUT.
func TestRepoServerRendersPartitionsInTime(t *testing.T) {
	repo := os.Getenv("NOVAGEN_PARTITION_REPO")
	if repo == "" {
		t.Skip("set by hack/partition-test.sh (make partition-test)")
	}
	argocdDir := requireEnv(t, "ARGOCD_BIN_DIR")
	binDir := requireEnv(t, "NOVAGEN_BIN_DIR")
	outDir := requireEnv(t, "NOVAGEN_PARTITION_OUT")
	limit, err := strconv.Atoi(requireEnv(t, "NOVAGEN_PARTITION_LIMIT"))
	if err != nil {
		t.Fatal(err)
	}
	path := binDir + string(os.PathListSeparator) + os.Getenv("PATH")
	t.Setenv("PATH", path)
	revision := strings.TrimSpace(run(t, repo, "git", "rev-parse", "HEAD"))
	srv := startTestServers(t, argocdDir, requireEnv(t, "NOVAGEN_REPO"), path)
	c := client(t, srv.withPlugin)
	for _, p := range strings.Fields(requireEnv(t, "NOVAGEN_PARTITIONS")) {
		t.Run(p, func(t *testing.T) {
			src := &v1alpha1.ApplicationSource{
				RepoURL:        "file://" + repo,
				Path:           "catalog",
				TargetRevision: revision,
				Plugin: &v1alpha1.ApplicationSourcePlugin{Name: pluginName, Env: v1alpha1.Env{
					{Name: "NOVAGEN_PARTITION", Value: p},
				}},
			}
			objs, elapsed := generate(t, c, src, "synth-"+p, revision)
			local, err := os.ReadFile(filepath.Join(outDir, p+".yaml"))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(parseYAMLStream(t, string(local)), objs); diff != "" {
				t.Errorf("repo server differs from the local build of partition %s (-local +argocd):\n%.2000s", p, diff)
			}
			t.Logf("ARGOCD partition %s: %d objects in %.1f s", p, len(objs), elapsed.Seconds())
			if elapsed > time.Duration(limit)*time.Second {
				t.Errorf("partition %s took %.1f s through the repo server, over the %d s bound", p, elapsed.Seconds(), limit)
			}
		})
	}
}
