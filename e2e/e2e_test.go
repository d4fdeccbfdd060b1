// Package e2e checks the whole product the way users run it: `novagen
// render` on services.yaml and kustomize (in process, with the exec
// function) on every example, each against golden/.
package e2e

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"sigs.k8s.io/kustomize/kyaml/kio"

	"github.com/novagen/novagen/cli"
	"github.com/novagen/novagen/generators"
	"github.com/novagen/novagen/internal/golden"
	"github.com/novagen/novagen/internal/testtool"
	"github.com/novagen/novagen/render"
)

const root = ".."

// TestMain builds novagen from the code under test into a directory of
// its own and puts it first on PATH: the examples' function configs run
// `novagen` found through PATH, as Argo CD's repo-server does, so a
// checkout needs no bin/.
func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "novagen-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	build := exec.Command("go", "build", "-o", filepath.Join(dir, "novagen"), "./cmd/novagen")
	build.Dir = root
	build.Stdout, build.Stderr = os.Stdout, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "building novagen:", err)
		os.Exit(1)
	}
	os.Setenv("PATH", dir+string(os.PathListSeparator)+os.Getenv("PATH"))
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

func renderCatalog(t *testing.T) []byte {
	t.Helper()
	var out, errOut bytes.Buffer
	if code := cli.Run(generators.Default(), []string{"render", "-f", filepath.Join(root, "services.yaml")}, nil, &out, &errOut); code != 0 {
		t.Fatalf("novagen render exited %d: %s", code, errOut.String())
	}
	return out.Bytes()
}

func TestRenderGolden(t *testing.T) {
	first := renderCatalog(t)
	if second := renderCatalog(t); !bytes.Equal(first, second) {
		t.Fatal("two renders of the same catalog differ")
	}
	golden.Assert(t, filepath.Join(root, "golden", "render.yaml"), first)
}

func kustomizeBuild(t *testing.T, dir string) []byte {
	t.Helper()
	out, err := testtool.KustomizeBuild(dir)
	if err != nil {
		t.Fatalf("kustomize build %s: %v", dir, err)
	}
	return out
}

func examples(t *testing.T) []string {
	t.Helper()
	dirs, err := filepath.Glob(filepath.Join(root, "examples", "*", "kustomization.yaml"))
	if err != nil || len(dirs) == 0 {
		t.Fatalf("no examples found: %v", err)
	}
	var out []string
	for _, k := range dirs {
		if dir := filepath.Dir(k); !testtool.OwnModule(dir) { // its own novagen's: make custom-generator-e2e
			out = append(out, dir)
		}
	}
	return out
}

func TestExamplesGolden(t *testing.T) {
	for _, dir := range examples(t) {
		name := filepath.Base(dir)
		t.Run(name, func(t *testing.T) {
			golden.Assert(t, filepath.Join(root, "golden", "examples", name+".yaml"), kustomizeBuild(t, dir))
		})
	}
}

// TestKustomizeMatchesRender: the staging example and `novagen render`
// emit the same objects; kustomize only orders them differently.
func TestKustomizeMatchesRender(t *testing.T) {
	normalize := func(b []byte) []byte {
		nodes, err := kio.FromBytes(b)
		if err != nil {
			t.Fatal(err)
		}
		render.Sort(nodes)
		out, err := render.Bytes(nodes)
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	fromKustomize := normalize(kustomizeBuild(t, filepath.Join(root, "examples", "staging")))
	fromRender := normalize(renderCatalog(t))
	if !bytes.Equal(fromKustomize, fromRender) {
		t.Errorf("kustomize and render disagree:\n%s", golden.Diff("novagen render", fromRender, "kustomize build examples/staging", fromKustomize))
	}
}

// TestFunctionErrorsMatchValidate: on a broken catalog the KRM function
// (as kustomize runs it: the novagen binary found through PATH, in the
// kustomization's directory) exits 1, writes no items and prints on
// stderr exactly what `novagen validate` prints: one error printer.
func TestFunctionErrorsMatchValidate(t *testing.T) {
	repo := t.TempDir()
	require.NoError(t, os.Mkdir(filepath.Join(repo, ".git"), 0o755))
	good, err := os.ReadFile(filepath.Join(root, "services.yaml"))
	require.NoError(t, err)
	bad := bytes.Replace(good, []byte("dependsOn: [postgres, content-service]"), []byte("dependsOn: [postgres, contnet-service]"), 1)
	require.NoError(t, os.WriteFile(filepath.Join(repo, "services.yaml"), bad, 0o644))

	validate := exec.Command("novagen", "validate", "-f", "services.yaml")
	validate.Dir = repo
	var wantErr bytes.Buffer
	validate.Stderr = &wantErr
	require.Error(t, validate.Run())

	fn := exec.Command("novagen", "fn")
	fn.Dir = repo
	fn.Stdin = strings.NewReader(`apiVersion: config.kubernetes.io/v1
kind: ResourceList
items: []
functionConfig:
  apiVersion: novagen.nova.dev/v1alpha1
  kind: NovaGen
  metadata: {name: broken}
  spec: {catalog: services.yaml}
`)
	var out, gotErr bytes.Buffer
	fn.Stdout, fn.Stderr = &out, &gotErr
	err = fn.Run()
	var exit *exec.ExitError
	require.ErrorAs(t, err, &exit)
	assert.Equal(t, 1, exit.ExitCode())
	assert.Contains(t, wantErr.String(), `depends on unknown "contnet-service"`)
	assert.Equal(t, wantErr.String(), gotErr.String())
	assert.NotContains(t, out.String(), "kind: Deployment", "no items on failure")
}
