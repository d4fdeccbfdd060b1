package kbuild

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/novagen/novagen/fns"
	"github.com/novagen/novagen/generators"
	"github.com/novagen/novagen/internal/golden"
	"github.com/novagen/novagen/internal/testtool"
)

// reg is novagen's own registry, which the tests' novagen runs.
var reg = generators.Default()

// TestMain makes this test binary the `novagen` that kustomize runs
// (`novagen fn`, found through PATH, the code under test) and a stand-in
// `kustomize` that prints how it was run: it links itself under both
// names in a directory put first on PATH.
func TestMain(m *testing.M) {
	switch filepath.Base(os.Args[0]) {
	case "novagen":
		os.Exit(fns.Main(fns.Options{Registry: reg}))
	case "kustomize":
		fmt.Println(strings.Join(os.Args[1:], " "))
		fmt.Println(fns.PartitionEnv + "=" + os.Getenv(fns.PartitionEnv))
		fmt.Println(fns.EnvironmentEnv + "=" + os.Getenv(fns.EnvironmentEnv))
		os.Exit(0)
	}
	dir, err := os.MkdirTemp("", "kbuild-")
	if err == nil {
		err = link(dir)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	os.Setenv("PATH", dir+string(os.PathListSeparator)+os.Getenv("PATH"))
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

func link(dir string) error {
	self, err := os.Executable()
	if err != nil {
		return err
	}
	for _, name := range []string{"novagen", "kustomize"} {
		if err := os.Symlink(self, filepath.Join(dir, name)); err != nil {
			return err
		}
	}
	return nil
}

// kustomizeBuild is kustomize build of dir in process, its functions
// this binary as `novagen fn`.
func kustomizeBuild(t *testing.T, dir string) ([]byte, error) {
	t.Helper()
	return testtool.KustomizeBuild(dir)
}

// fallbacks are the examples that must not render directly, and why.
var fallbacks = map[string]string{
	"overlay": "kustomization.yaml: resources (only generators and transformers of NovaGen configs render directly)",
}

// TestExamples: every example renders directly, byte for byte as
// kustomize builds it, or falls back for the reason fallbacks gives.
func TestExamples(t *testing.T) {
	dirs, err := filepath.Glob("../examples/*/kustomization.yaml")
	require.NoError(t, err)
	require.NotEmpty(t, dirs)
	direct, own := 0, 0
	for _, k := range dirs {
		dir := filepath.Dir(k)
		name := filepath.Base(dir)
		if testtool.OwnModule(dir) {
			own++
			continue
		}
		t.Run(name, func(t *testing.T) {
			plan := Analyze(dir)
			if want, ok := fallbacks[name]; ok {
				assert.Equal(t, want, plan.Fallback)
				return
			}
			require.Empty(t, plan.Fallback, "examples/%s must render directly", name)
			direct++
			assertSame(t, plan, nil)
		})
	}
	assert.Equal(t, len(dirs)-len(fallbacks)-own, direct, "every example not in fallbacks renders directly")
}

// TestExamplesWithParameters: the parameters, as the function's
// environment, render as kustomize does with that environment: a
// partition of examples/partitioned, staging's configs in production.
func TestExamplesWithParameters(t *testing.T) {
	for _, tt := range []struct {
		dir string
		env map[string]string
	}{
		{"../examples/partitioned", map[string]string{fns.PartitionEnv: "identity"}},
		{"../examples/partitioned", map[string]string{fns.ArgoCDPartitionEnv: "infrastructure"}},
		{"../examples/staging", map[string]string{fns.EnvironmentEnv: "production"}},
	} {
		t.Run(fmt.Sprint(filepath.Base(tt.dir), tt.env), func(t *testing.T) {
			for k, v := range tt.env {
				t.Setenv(k, v) // kustomize hands its environment to the function
			}
			plan := Analyze(tt.dir)
			require.Empty(t, plan.Fallback)
			got := assertSame(t, plan, func(k string) string { return tt.env[k] })
			plain, _, err := Direct(plan, reg, nil)
			require.NoError(t, err)
			assert.NotEqual(t, string(plain), string(got), "the environment changes the render")
		})
	}
}

// assertSame: Direct prints what kustomize builds from plan's directory.
func assertSame(t *testing.T, plan *Plan, getenv func(string) string) []byte {
	t.Helper()
	want, err := kustomizeBuild(t, plan.Dir)
	require.NoError(t, err)
	got, why, err := Direct(plan, reg, getenv)
	require.NoError(t, err)
	require.Empty(t, why)
	if !bytes.Equal(want, got) {
		t.Fatalf("direct differs from kustomize build %s:\n%s", plan.Dir, golden.Diff("kustomize build", want, "novagen build", got))
	}
	return got
}
