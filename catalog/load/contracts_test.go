package load

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const contractsCatalog = `apiVersion: catalog.nova.dev/v1alpha1
kind: ServiceCatalog
metadata: {name: t}
spec:
  namespace: t
  defaults: {image: {registry: registry.example/t, tag: "1.0.0"}}
  services: [{name: a}]
  contracts: {version: 1.0.0, root: protos, files: [a/v1/a.proto]}
`

// TestContractsHostileFiles: a proto file that is a symlink out of the
// catalog's directory, a FIFO, a directory or larger than a ConfigMap is
// refused at once, with the catalog position and never its content; a
// catalog without a directory (Parse, the fuzz target) reads nothing.
func TestContractsHostileFiles(t *testing.T) {
	secret := filepath.Join(t.TempDir(), "secret.proto")
	require.NoError(t, os.WriteFile(secret, []byte("TOP-SECRET"), 0o644))
	tests := []struct {
		name  string
		setup func(t *testing.T, file string)
		want  string
	}{
		{"symlink out of the directory", func(t *testing.T, file string) { require.NoError(t, os.Symlink(secret, file)) }, "cannot read: it leads out of the catalog's directory"},
		{"fifo", func(t *testing.T, file string) { require.NoError(t, syscall.Mkfifo(file, 0o644)) }, "cannot read file: it is a named pipe, not a regular file"},
		{"directory", func(t *testing.T, file string) { require.NoError(t, os.Mkdir(file, 0o755)) }, "cannot read file: it is a directory"},
		{"larger than a ConfigMap", func(t *testing.T, file string) {
			require.NoError(t, os.WriteFile(file, []byte("// "+strings.Repeat("x", MaxContractBytes)), 0o644))
		}, "would exceed 1048576 bytes (1 MiB)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			require.NoError(t, os.MkdirAll(filepath.Join(dir, "protos", "a", "v1"), 0o755))
			tt.setup(t, filepath.Join(dir, "protos", "a", "v1", "a.proto"))
			path := filepath.Join(dir, "services.yaml")
			require.NoError(t, os.WriteFile(path, []byte(contractsCatalog), 0o644))
			start := time.Now()
			_, err := Load(path)
			assert.Less(t, time.Since(start), 5*time.Second, "must not block")
			require.Error(t, err)
			assert.Contains(t, err.Error(), path+":8:")
			assert.Contains(t, err.Error(), "spec.contracts.files[0]")
			assert.Contains(t, err.Error(), tt.want)
			assert.NotContains(t, err.Error(), "TOP-SECRET")
		})
	}
	_, err := Parse("services.yaml", []byte(contractsCatalog))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "cannot read the proto files: the catalog was given without a directory")
}
