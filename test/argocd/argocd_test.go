// Package argocd renders every example through a real Argo CD repo server
// (v2.14.21): with its own kustomize and the buildOptions of the no-sidecar
// setup, and through the novagen Config Management Plugin in
// argocd-cmp-server, named and discovered; each must return exactly the
// objects of the local `kustomize build`. See run.sh and ../../deploy/argocd/README.md.
package argocd

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/argoproj/argo-cd/v2/pkg/apis/application/v1alpha1"
	"github.com/argoproj/argo-cd/v2/reposerver/apiclient"
	"github.com/google/go-cmp/cmp"
	"sigs.k8s.io/yaml"
)

// buildOptions is what argocd-cm's kustomize.buildOptions says in
// deploy/argocd/native.
const buildOptions = "--enable-alpha-plugins --enable-exec"

// pluginName is plugin.yaml's metadata.name (no spec.version).
const pluginName = "novagen"

func TestRepoServerRendersEveryExample(t *testing.T) {
	if os.Getenv("NOVAGEN_ARGOCD_TEST") != "1" {
		t.Skip("set NOVAGEN_ARGOCD_TEST=1 (see test/argocd/run.sh) to run a real Argo CD repo server")
	}
	repo := requireEnv(t, "NOVAGEN_REPO")        // a git clone of the commit under test
	argocdDir := requireEnv(t, "ARGOCD_BIN_DIR") // argocd-repo-server, argocd-cmp-server
	binDir := requireEnv(t, "NOVAGEN_BIN_DIR")   // novagen and kustomize
	// The servers, the local build and the functions all find novagen and
	// kustomize through PATH, as in the sidecar image.
	path := binDir + string(os.PathListSeparator) + os.Getenv("PATH")
	t.Setenv("PATH", path)

	examples := examplesOf(t, repo)
	revision := strings.TrimSpace(run(t, repo, "git", "rev-parse", "HEAD"))

	srv := startTestServers(t, argocdDir, repo, path)
	withPlugin, native := client(t, srv.withPlugin), client(t, srv.native)

	for _, ex := range examples {
		args := append(append([]string{"build"}, strings.Fields(buildOptions)...), "examples/"+ex.name)
		local := parseYAMLStream(t, run(t, repo, "kustomize", args...))
		if len(local) == 0 {
			t.Fatalf("local build of examples/%s has no objects", ex.name)
		}
		for _, tc := range []struct {
			path   string
			server apiclient.RepoServerServiceClient
			source v1alpha1.ApplicationSource
			opts   *v1alpha1.KustomizeOptions
			want   string // the response's source type
		}{
			// No sidecar: Argo CD detects kustomize; argocd-cm's buildOptions.
			{"native", native, v1alpha1.ApplicationSource{}, &v1alpha1.KustomizeOptions{BuildOptions: buildOptions}, "Kustomize"},
			// The sidecar, named as deploy/argocd/apps do.
			{"plugin", withPlugin, v1alpha1.ApplicationSource{Plugin: &v1alpha1.ApplicationSourcePlugin{Name: pluginName}}, nil, "Plugin"},
			// The sidecar, found by its discovery rule: no plugin named.
			{"discovered", withPlugin, v1alpha1.ApplicationSource{}, nil, "Plugin"},
		} {
			t.Run(ex.name+"/"+tc.path, func(t *testing.T) {
				src := tc.source
				src.RepoURL = "file://" + repo
				src.Path = "examples/" + ex.name
				src.TargetRevision = revision
				req := &apiclient.ManifestRequest{
					Repo:              &v1alpha1.Repository{Repo: src.RepoURL},
					Revision:          revision,
					ApplicationSource: &src,
					AppName:           "nova-" + ex.name,
					KustomizeOptions:  tc.opts,
					NoCache:           true,
				}
				ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
				defer cancel()
				res, err := tc.server.GenerateManifest(ctx, req)
				if err != nil {
					t.Fatalf("GenerateManifest: %v", err)
				}
				if res.SourceType != tc.want {
					t.Errorf("source type %q, want %q", res.SourceType, tc.want)
				}
				got := parseJSONObjects(t, res.Manifests)
				if diff := cmp.Diff(local, got); diff != "" {
					t.Errorf("repo server (%s) differs from the local kustomize build of examples/%s (-local +argocd):\n%s", tc.path, ex.name, diff)
				} else {
					t.Logf("%d objects, equal to the local build", len(got))
				}
			})
		}
	}
}

// client connects to a repo server without TLS (--disable-tls).
func client(t *testing.T, addr string) apiclient.RepoServerServiceClient {
	t.Helper()
	closer, c, err := apiclient.NewRepoServerClientset(addr, 300, apiclient.TLSConfiguration{DisableTLS: true}).NewRepoServerClient()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = closer.Close() })
	return c
}

type example struct {
	name string
}

// examplesOf lists the repository's examples: every one is novagen's,
// directly or through its base, so each renders through the plugin,
// named or discovered (novagen discover).
func examplesOf(t *testing.T, repo string) []example {
	t.Helper()
	dirs, err := filepath.Glob(filepath.Join(repo, "examples", "*", "kustomization.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var out []example
	for _, k := range dirs {
		if _, err := os.Stat(filepath.Join(filepath.Dir(k), "go.mod")); err == nil {
			continue // a program of its own, not novagen's (make custom-generator-e2e)
		}
		out = append(out, example{name: filepath.Base(filepath.Dir(k))})
	}
	if len(out) == 0 {
		t.Fatalf("no examples under %s/examples", repo)
	}
	return out
}

// parseYAMLStream parses a multi-document YAML stream into objects sorted
// by identity, JSON-typed as the repo server's are.
func parseYAMLStream(t *testing.T, stream string) []map[string]any {
	t.Helper()
	var docs []string
	for _, doc := range strings.Split("\n"+stream, "\n---") {
		if strings.TrimSpace(doc) != "" {
			docs = append(docs, doc)
		}
	}
	objs := make([]map[string]any, 0, len(docs))
	for _, doc := range docs {
		data, err := yaml.YAMLToJSON([]byte(doc))
		if err != nil {
			t.Fatalf("parse YAML: %v", err)
		}
		var obj map[string]any
		if err := json.Unmarshal(data, &obj); err != nil {
			t.Fatal(err)
		}
		if obj != nil {
			objs = append(objs, obj)
		}
	}
	return sorted(t, objs)
}

func parseJSONObjects(t *testing.T, manifests []string) []map[string]any {
	t.Helper()
	objs := make([]map[string]any, 0, len(manifests))
	for _, m := range manifests {
		var obj map[string]any
		if err := json.Unmarshal([]byte(m), &obj); err != nil {
			t.Fatalf("parse manifest: %v", err)
		}
		objs = append(objs, obj)
	}
	return sorted(t, objs)
}

// sorted orders objects by apiVersion, kind, namespace and name, and
// fails on two with the same identity (the comparison would hide one).
func sorted(t *testing.T, objs []map[string]any) []map[string]any {
	t.Helper()
	key := func(o map[string]any) string {
		meta, _ := o["metadata"].(map[string]any)
		return fmt.Sprintf("%v/%v/%v/%v", o["apiVersion"], o["kind"], meta["namespace"], meta["name"])
	}
	sort.SliceStable(objs, func(i, j int) bool { return key(objs[i]) < key(objs[j]) })
	for i := 1; i < len(objs); i++ {
		if key(objs[i-1]) == key(objs[i]) {
			t.Fatalf("two objects %s", key(objs[i]))
		}
	}
	return objs
}

func requireEnv(t *testing.T, name string) string {
	t.Helper()
	v := os.Getenv(name)
	if v == "" {
		t.Fatalf("%s is not set (test/argocd/run.sh sets it)", name)
	}
	return v
}

// run runs a command in dir and returns its stdout.
func run(t *testing.T, dir, name string, args ...string) string {
	t.Helper()
	return runEnv(t, dir, nil, name, args...)
}

// runEnv is run with env added to the test's environment.
func runEnv(t *testing.T, dir string, env []string, name string, args ...string) string {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, stderr.String())
	}
	return string(out)
}
