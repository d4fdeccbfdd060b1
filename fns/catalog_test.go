package fns

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// repo makes a throwaway repository (a directory with .git) holding a
// kustomization directory base/ and a catalog, and returns its path.
func repo(t *testing.T) string {
	t.Helper()
	root := t.TempDir()
	require.NoError(t, os.Mkdir(filepath.Join(root, ".git"), 0o755))
	require.NoError(t, os.MkdirAll(filepath.Join(root, "deploy", "base"), 0o755))
	catalog, err := os.ReadFile("testdata/catalog.yaml")
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(root, "services.yaml"), catalog, 0o644))
	return root
}

// TestReadCatalogConfinement: the function reads a catalog only from
// inside the repository of the kustomization it runs for, and its errors
// repeat nothing of a file and nothing of the machine: a path outside is
// refused in the same words whether or not it exists, as written, without
// where a symlink points or where the repository is.
func TestReadCatalogConfinement(t *testing.T) {
	outside := t.TempDir()
	secret := filepath.Join(outside, "secret.yaml")
	require.NoError(t, os.WriteFile(secret, []byte("root:x:0:0:root:/root:/bin/bash\n"), 0o644))

	tests := []struct {
		name    string
		setup   func(t *testing.T, root string) // may create files in the repository
		catalog string
		env     string
		want    string // error substring; "" for success
	}{
		{name: "inside the repository", catalog: "../../services.yaml"},
		{name: "absolute path inside", catalog: "ROOT/services.yaml"},
		{name: "absolute path outside", catalog: "/etc/passwd", want: outsideMsg("/etc/passwd")},
		{name: "absent absolute path outside", catalog: "/etc/no-such-file", want: outsideMsg("/etc/no-such-file")},
		{name: "dot-dot out of the repository", catalog: strings.Repeat("../", 12) + "etc/passwd", want: outsideMsg(strings.Repeat("../", 12) + "etc/passwd")},
		{name: "symlink leading out", catalog: "link.yaml", want: outsideMsg("link.yaml"),
			setup: func(t *testing.T, root string) {
				require.NoError(t, os.Symlink(secret, filepath.Join(root, "deploy", "base", "link.yaml")))
			}},
		{name: "symlink leading out to nothing", catalog: "dangling.yaml", want: outsideMsg("dangling.yaml"),
			setup: func(t *testing.T, root string) {
				require.NoError(t, os.Symlink(filepath.Join(outside, "absent.yaml"), filepath.Join(root, "deploy", "base", "dangling.yaml")))
			}},
		{name: "symlinked directory leading out", catalog: "dir/secret.yaml", want: outsideMsg("dir/secret.yaml"),
			setup: func(t *testing.T, root string) {
				require.NoError(t, os.Symlink(outside, filepath.Join(root, "deploy", "base", "dir")))
			}},
		{name: "device", catalog: "/dev/zero", want: outsideMsg("/dev/zero")},
		{name: "device inside the allowed root", catalog: "/dev/zero", env: "/dev", want: "/dev/zero: cannot read catalog: it is a device, not a regular file"},
		{name: "fifo", catalog: "fifo.yaml", want: "fifo.yaml: cannot read catalog: it is a named pipe, not a regular file",
			setup: func(t *testing.T, root string) {
				require.NoError(t, syscall.Mkfifo(filepath.Join(root, "deploy", "base", "fifo.yaml"), 0o644))
			}},
		{name: "directory", catalog: "..", want: "..: cannot read catalog: it is a directory"},
		{name: "missing", catalog: "nope.yaml", want: "nope.yaml: cannot read catalog: no such file or directory"},
		{name: "wider root by environment", catalog: secret, env: outside},
		{name: "relative root in the environment", catalog: "../../services.yaml", env: "relative/dir", want: `NOVAGEN_CATALOG_ROOT="relative/dir" must be an absolute path`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := repo(t)
			if tt.setup != nil {
				tt.setup(t, root)
			}
			t.Chdir(filepath.Join(root, "deploy", "base"))
			t.Setenv(RootEnv, tt.env)
			catalog := strings.ReplaceAll(tt.catalog, "ROOT", root)
			start := time.Now()
			name, data, dir, err := readCatalog(".", catalog, "")
			assert.Less(t, time.Since(start), 5*time.Second, "must fail fast, not block")
			if tt.want == "" {
				require.NoError(t, err)
				defer dir.Close()
				assert.Equal(t, catalog, name, "errors name the path as written")
				assert.NotEmpty(t, data)
				return
			}
			require.Error(t, err)
			assert.Equal(t, tt.want, err.Error())
			assert.NotContains(t, err.Error(), "root:x:0", "no file content in the error")
			assert.NotContains(t, err.Error(), root, "no absolute path of the repository")
			assert.NotContains(t, err.Error(), outside, "no symlink target")
		})
	}
}

// outsideMsg is the one refusal of a catalog outside the repository.
func outsideMsg(path string) string {
	return `spec.catalog "` + path + `" is outside the repository: the function reads catalogs only from inside it (set NOVAGEN_CATALOG_ROOT to allow a wider directory)`
}

// TestNoRepositoryMeansTheKustomizationDirectory: without .git the
// function reads only below the kustomization's own directory.
func TestNoRepositoryMeansTheKustomizationDirectory(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "k"), 0o755))
	catalog, err := os.ReadFile("testdata/catalog.yaml")
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "services.yaml"), catalog, 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "k", "services.yaml"), catalog, 0o644))
	t.Chdir(filepath.Join(dir, "k"))
	t.Setenv(RootEnv, "")
	if _, err := os.Stat("/.git"); err == nil {
		t.Skip("/ is a repository here")
	}
	_, _, _, err = readCatalog(".", "services.yaml", "")
	require.NoError(t, err)
	_, _, _, err = readCatalog(".", "../services.yaml", "")
	require.ErrorContains(t, err, "outside the repository")
}

// TestWithin is the path test itself, on lexically tricky neighbours.
func TestWithin(t *testing.T) {
	assert.True(t, within("/repo", "/repo"))
	assert.True(t, within("/repo", "/repo/a/b.yaml"))
	assert.True(t, within("/repo", "/repo/..x/b.yaml"), "a directory named ..x is inside")
	assert.False(t, within("/repo", "/repository/b.yaml"), "a sibling with the same prefix is outside")
	assert.False(t, within("/repo", "/b.yaml"))
	assert.False(t, within("/repo/a", "/repo"))
}

// TestReadCatalogFromConfigDir: with the function config's directory
// (kpt's path annotations), spec.catalog resolves against it, wherever
// the function runs in the repository; the directory comes from the
// input, so it is judged like the catalog path: a hostile one (absolute,
// dot-dot out, a symlink out) is refused in the one way, whether or not
// what it names exists, and it never widens the repository, which is
// still found from the working directory.
func TestReadCatalogFromConfigDir(t *testing.T) {
	outside := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(outside, "secret.yaml"), []byte("root:x:0:0:root:/root:/bin/bash\n"), 0o644))
	require.NoError(t, os.Mkdir(filepath.Join(outside, ".git"), 0o755))
	tests := []struct {
		name, wd, base, catalog string
		setup                   func(t *testing.T, root string)
		want                    string // error; "" for success
	}{
		{name: "from the package's parent", wd: "deploy", base: "base", catalog: "../../services.yaml"},
		{name: "from the repository root", wd: ".", base: "deploy/base", catalog: "../../services.yaml"},
		{name: "from below the package", wd: "deploy/base/sub", base: "ROOT/deploy/base", catalog: "../../services.yaml"},
		{name: "config directory through a symlink", wd: ".", base: "OUTSIDE/link", catalog: "../../services.yaml",
			setup: func(t *testing.T, root string) {
				require.NoError(t, os.Symlink(filepath.Join(root, "deploy", "base"), filepath.Join(outside, "link")))
			}},
		{name: "absolute config directory outside", wd: "deploy", base: "OUTSIDE", catalog: "secret.yaml", want: outsideMsg("secret.yaml")},
		{name: "absent absolute config directory outside", wd: "deploy", base: "OUTSIDE/absent", catalog: "secret.yaml", want: outsideMsg("secret.yaml")},
		{name: "config directory dot-dot out", wd: "deploy", base: strings.Repeat("../", 12) + "etc", catalog: "passwd", want: outsideMsg("passwd")},
		{name: "config directory at /", wd: ".", base: "/", catalog: "etc/passwd", want: outsideMsg("etc/passwd")},
		{name: "catalog dot-dot out of the config directory", wd: "deploy", base: "base", catalog: "../../../services.yaml", want: outsideMsg("../../../services.yaml")},
		{name: "config directory a symlink out", wd: "deploy", base: "base/out", catalog: "secret.yaml", want: outsideMsg("secret.yaml"),
			setup: func(t *testing.T, root string) {
				require.NoError(t, os.Symlink(outside, filepath.Join(root, "deploy", "base", "out")))
			}},
		{name: "a repository named by the config is not the repository", wd: "deploy", base: "OUTSIDE", catalog: ".git/../secret.yaml", want: outsideMsg(".git/../secret.yaml")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := repo(t)
			require.NoError(t, os.MkdirAll(filepath.Join(root, "deploy", "base", "sub"), 0o755))
			if tt.setup != nil {
				tt.setup(t, root)
			}
			t.Chdir(filepath.Join(root, tt.wd))
			t.Setenv(RootEnv, "")
			base := strings.NewReplacer("ROOT", root, "OUTSIDE", outside).Replace(tt.base)
			name, data, dir, err := readCatalog(".", tt.catalog, base)
			if tt.want == "" {
				require.NoError(t, err)
				defer dir.Close()
				assert.Equal(t, tt.catalog, name)
				assert.Contains(t, string(data), "kind: ServiceCatalog")
				return
			}
			require.Error(t, err)
			assert.Equal(t, tt.want, err.Error())
			assert.NotContains(t, err.Error(), outside)
			assert.NotContains(t, err.Error(), root)
		})
	}
}

// TestConfigDir: the directory kpt's annotations give the function
// config; none (kustomize) is "".
func TestConfigDir(t *testing.T) {
	for annotations, want := range map[string]string{
		`{}`: "",
		`{config.kubernetes.io/local-config: "true"}`:                                                            "",
		`{internal.config.kubernetes.io/path: novagen.yaml}`:                                                     ".",
		`{config.kubernetes.io/path: conf/novagen.yaml}`:                                                         "conf",
		`{internal.config.kubernetes.io/path: conf/novagen.yaml, config.kubernetes.io/path: other/x.yaml}`:       "conf",
		`{internal.config.kubernetes.io/path: novagen.yaml, internal.config.kubernetes.io/package-path: /w/pkg}`: "/w/pkg",
		`{internal.config.kubernetes.io/path: c/n.yaml, internal.config.kubernetes.io/package-path: pkg}`:        "pkg/c",
		`{internal.config.kubernetes.io/path: /abs/n.yaml, internal.config.kubernetes.io/package-path: /w}`:      "/abs",
		`{internal.config.kubernetes.io/package-path: /w/pkg}`:                                                   "",
	} {
		cfg := yaml.MustParse("apiVersion: novagen.nova.dev/v1alpha1\nkind: NovaGen\nmetadata:\n  name: x\n  annotations: " + annotations + "\n")
		assert.Equal(t, filepath.FromSlash(want), configDir(cfg), annotations)
	}
}
