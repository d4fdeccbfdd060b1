package fns

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const novagenConfig = "apiVersion: " + ConfigAPIVersion + "\nkind: " + ConfigKind + "\nmetadata: {name: n}\nspec: {catalog: services.yaml}\n"

// Discover finds the function configs kustomize would run, through local
// bases, and nothing else; it never leaves the repository, never loops
// and never blocks.
func TestDiscover(t *testing.T) {
	files := map[string]string{
		"base/kustomization.yaml":     "generators: [novagen.yaml, other.yaml]\ntransformers: [missing.yaml]\n",
		"base/novagen.yaml":           novagenConfig,
		"base/other.yaml":             "apiVersion: builtin\nkind: ConfigMapGenerator\nmetadata: {name: x}\n",
		"overlay/kustomization.yaml":  "resources: [../base, \"https://example.invalid/remote?ref=v1\", deployment.yaml]\ncomponents: [../component]\n",
		"overlay/deployment.yaml":     novagenConfig, // a resource, not a function: kustomize would not run it
		"component/kustomization.yml": "kind: Component\ntransformers: [t.yaml]\n",
		"component/t.yaml":            "# a transformer\n---\n" + novagenConfig,
		"loop/a/kustomization.yaml":   "resources: [../b]\n",
		"loop/b/kustomization.yaml":   "resources: [../a]\ngenerators: [g.yaml]\n",
		"loop/b/g.yaml":               novagenConfig,
		"escape/kustomization.yaml":   "resources: [../../../../../etc]\ngenerators: [../../outside.yaml]\n",
		"plain/kustomization.yaml":    "resources: [cm.yaml]\n",
		"plain/cm.yaml":               "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n",
		"broken/kustomization.yaml":   "resources: {not: a list}\n",
	}
	root := repo(t)
	for name, content := range files {
		require.NoError(t, os.MkdirAll(filepath.Join(root, filepath.Dir(name)), 0o755))
		require.NoError(t, os.WriteFile(filepath.Join(root, name), []byte(content), 0o644))
	}
	require.NoError(t, os.MkdirAll(filepath.Join(root, "fifo"), 0o755))
	require.NoError(t, syscall.Mkfifo(filepath.Join(root, "fifo", "kustomization.yaml"), 0o644))
	tests := []struct {
		dir     string
		want    []string
		wantErr string
	}{
		{dir: "base", want: []string{"novagen.yaml"}},
		{dir: "overlay", want: []string{"../base/novagen.yaml", "../component/t.yaml"}},
		{dir: "loop/a", want: []string{"../b/g.yaml"}},
		{dir: "escape"},
		{dir: "plain"},
		{dir: "nowhere", wantErr: "no such file"},
		{dir: "broken", wantErr: "broken"},
		{dir: "fifo", wantErr: "not a regular file"},
	}
	for _, tt := range tests {
		t.Run(tt.dir, func(t *testing.T) {
			got, err := Discover(filepath.Join(root, tt.dir))
			if tt.wantErr != "" {
				require.ErrorContains(t, err, tt.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

// The repository's own examples are all novagen's, the overlay through
// its base.
func TestDiscoverExamples(t *testing.T) {
	dirs, err := filepath.Glob("../examples/*")
	require.NoError(t, err)
	require.NotEmpty(t, dirs)
	for _, dir := range dirs {
		got, err := Discover(dir)
		require.NoError(t, err)
		assert.NotEmpty(t, got, dir)
		for _, f := range got {
			_, err := os.Stat(filepath.Join(dir, f))
			assert.NoError(t, err)
		}
	}
}
