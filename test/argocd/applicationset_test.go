package argocd

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/argoproj/argo-cd/v2/applicationset/controllers/template"
	"github.com/argoproj/argo-cd/v2/applicationset/generators"
	"github.com/argoproj/argo-cd/v2/applicationset/services"
	"github.com/argoproj/argo-cd/v2/applicationset/utils"
	"github.com/argoproj/argo-cd/v2/pkg/apis/application/v1alpha1"
	"github.com/argoproj/argo-cd/v2/reposerver/apiclient"
	"github.com/google/go-cmp/cmp"
	log "github.com/sirupsen/logrus"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"
	"sigs.k8s.io/yaml"
)

// partitionsAppSet is the ApplicationSet of one Application per partition.
const partitionsAppSet = "deploy/argocd/apps/applicationset-partitions.yaml"

// TestApplicationSetRendersEveryPartition takes the partitions
// ApplicationSet through Argo CD's own ApplicationSet code: its git files
// generator reads partitions.json through the real repo server, Argo
// CD's template renderer makes the Applications, and each Application's
// source (the novagen plugin with NOVAGEN_PARTITION in its env) is
// rendered by the repo server and the plugin; each must be exactly the
// local kustomize build of that partition.
func TestApplicationSetRendersEveryPartition(t *testing.T) {
	repo, revision, srv := repoServerUnderTest(t)

	apps := applicationsOf(t, repo, revision, srv.withPlugin)
	want := partitionsOf(t, filepath.Join(repo, "examples/partitioned/partitions.json"))
	var got []string
	for _, app := range apps {
		got = append(got, app.Labels["nova.dev/partition"])
	}
	if !slices.Equal(got, want) {
		t.Fatalf("the ApplicationSet makes Applications for partitions %v, partitions.json lists %v", got, want)
	}
	c := client(t, srv.withPlugin)
	for _, app := range apps {
		t.Run(app.Name, func(t *testing.T) {
			src := app.Spec.Source
			if src.Plugin == nil || src.Plugin.Name != pluginName {
				t.Fatalf("source %+v: not the novagen plugin", src)
			}
			partition := app.Labels["nova.dev/partition"]
			if app.Name != "nova-"+partition || app.Spec.Destination.Namespace != "nova-partitioned" {
				t.Errorf("Application %s into namespace %s", app.Name, app.Spec.Destination.Namespace)
			}
			objs, elapsed := generate(t, c, src, app.Name, revision)
			cmd := []string{"build", "--enable-alpha-plugins", "--enable-exec", src.Path}
			local := parseYAMLStream(t, runEnv(t, repo, []string{"NOVAGEN_PARTITION=" + partition}, "kustomize", cmd...))
			if diff := cmp.Diff(local, objs); diff != "" {
				t.Errorf("repo server differs from the local build of partition %s (-local +argocd):\n%s", partition, diff)
			} else {
				t.Logf("partition %s: %d objects in %v, equal to the local build", partition, len(objs), elapsed.Round(time.Millisecond))
			}
		})
	}
}

// startTestServers starts the servers with the repository's plugin.yaml
// and stops them when the test ends.
// repoServerUnderTest skips unless run.sh runs the test; else it puts the
// novagen under test first on PATH and starts the repo servers on the
// repository, returning it, its HEAD and the servers.
func repoServerUnderTest(t *testing.T) (repo, revision string, srv *servers) {
	t.Helper()
	if os.Getenv("NOVAGEN_ARGOCD_TEST") != "1" {
		t.Skip("set NOVAGEN_ARGOCD_TEST=1 (see test/argocd/run.sh) to run a real Argo CD repo server")
	}
	repo = requireEnv(t, "NOVAGEN_REPO")
	argocdDir := requireEnv(t, "ARGOCD_BIN_DIR")
	binDir := requireEnv(t, "NOVAGEN_BIN_DIR")
	path := binDir + string(os.PathListSeparator) + os.Getenv("PATH")
	t.Setenv("PATH", path)
	revision = strings.TrimSpace(run(t, repo, "git", "rev-parse", "HEAD"))
	return repo, revision, startTestServers(t, argocdDir, repo, path)
}

func startTestServers(t *testing.T, argocdDir, repo, path string) *servers {
	t.Helper()
	srv, err := startServers(t.TempDir(), argocdDir, filepath.Join(repo, "deploy/argocd/cmp/plugin.yaml"), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if t.Failed() {
			t.Log("server logs:\n" + srv.logs())
		}
		if err := srv.stop(); err != nil {
			t.Error(err)
		}
	})
	return srv
}

// applicationsOf runs the ApplicationSet controller's generation (git
// files generator through the repo server at addr, Argo CD's renderer) on
// the partitions ApplicationSet of repo, pointed at repo's revision.
func applicationsOf(t *testing.T, repo, revision, addr string) []v1alpha1.Application {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(repo, partitionsAppSet))
	if err != nil {
		t.Fatal(err)
	}
	var appset v1alpha1.ApplicationSet
	if err := yaml.UnmarshalStrict(data, &appset); err != nil {
		t.Fatalf("%s: %v", partitionsAppSet, err)
	}
	// Where the test's repository is; everything else as written.
	url := "file://" + repo
	for i := range appset.Spec.Generators {
		if g := appset.Spec.Generators[i].Git; g != nil {
			g.RepoURL, g.Revision = url, revision
		}
	}
	appset.Spec.Template.Spec.Source.RepoURL = url
	appset.Spec.Template.Spec.Source.TargetRevision = revision

	repos, err := services.NewArgoCDService(func(context.Context, string, string) (*v1alpha1.Repository, error) {
		return &v1alpha1.Repository{Repo: url}, nil
	}, false, apiclient.NewRepoServerClientset(addr, 300, apiclient.TLSConfiguration{DisableTLS: true}), false)
	if err != nil {
		t.Fatal(err)
	}
	scheme := runtime.NewScheme()
	if err := v1alpha1.AddToScheme(scheme); err != nil {
		t.Fatal(err)
	}
	// The project the template names, as the controller reads it.
	project := &v1alpha1.AppProject{ObjectMeta: metav1.ObjectMeta{Name: appset.Spec.Template.Spec.Project, Namespace: appset.Namespace}}
	kube := fake.NewClientBuilder().WithScheme(scheme).WithObjects(project).Build()
	gens := map[string]generators.Generator{"Git": generators.NewGitGenerator(repos, appset.Namespace)}
	apps, reason, err := template.GenerateApplications(log.NewEntry(log.StandardLogger()), appset, gens, &utils.Render{}, kube)
	if err != nil {
		t.Fatalf("generate Applications (%s): %v", reason, err)
	}
	return apps
}

// partitionsOf lists the partitions of a partitions.json.
func partitionsOf(t *testing.T, file string) []string {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var elems []struct{ Partition string }
	if err := yaml.Unmarshal(data, &elems); err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range elems {
		out = append(out, e.Partition)
	}
	return out
}

// generate asks the repo server for an Application's manifests and
// returns them sorted, with how long it took.
func generate(t *testing.T, c apiclient.RepoServerServiceClient, src *v1alpha1.ApplicationSource, appName, revision string) ([]map[string]any, time.Duration) {
	t.Helper()
	req := &apiclient.ManifestRequest{
		Repo:              &v1alpha1.Repository{Repo: src.RepoURL},
		Revision:          revision,
		ApplicationSource: src,
		AppName:           appName,
		NoCache:           true,
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	start := time.Now()
	res, err := c.GenerateManifest(ctx, req)
	elapsed := time.Since(start)
	if err != nil {
		t.Fatalf("GenerateManifest %s: %v", appName, err)
	}
	if res.SourceType != "Plugin" {
		t.Errorf("source type %q, want Plugin", res.SourceType)
	}
	return parseJSONObjects(t, res.Manifests), elapsed
}
