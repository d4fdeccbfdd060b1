package cli

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/novagen/novagen/catalog/load"
	"github.com/novagen/novagen/generators"
)

const staging = "../services.yaml"

// novagen is the registry novagen's own binary runs with.
var novagen = generators.Default()

func run(args ...string) (code int, stdout, stderr string) {
	var out, errOut bytes.Buffer
	code = Run(novagen, args, strings.NewReader(""), &out, &errOut)
	return code, out.String(), errOut.String()
}

// commandCase is one run of novagen: its exit status and what stdout and
// stderr must contain.
type commandCase struct {
	name       string
	args       []string
	wantCode   int
	wantStdout []string
	wantStderr []string
}

// runCommandCases runs each case; a failing command must print nothing
// on stdout.
func runCommandCases(t *testing.T, tests []commandCase) {
	t.Helper()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := run(tt.args...)
			assert.Equal(t, tt.wantCode, code, "stderr: %s", stderr)
			for _, w := range tt.wantStdout {
				assert.Contains(t, stdout, w)
			}
			for _, w := range tt.wantStderr {
				assert.Contains(t, stderr, w)
			}
			if code != 0 {
				assert.Empty(t, stdout, "a failing command must print nothing on stdout")
			}
		})
	}
}

func TestCommands(t *testing.T) {
	runCommandCases(t, []commandCase{
		{"render prints the headless service", []string{"render", "-f", staging}, 0, []string{"name: nova-grpc-services", "clusterIP: None", "port: 50051", "port: 9090"}, nil},
		{"render selects a generator", []string{"render", "-f", staging, "-g", "grpc-services"}, 0, []string{"kind: Service"}, nil},
		{"render rejects an unknown generator", []string{"render", "-f", staging, "-g", "nope"}, 1, nil, []string{`unknown "nope"`}},
		{"validate reports counts", []string{"validate", "-f", staging}, 0, []string{"ok: 15 services, 15 databases, 9 topics"}, nil},
		{"validate a missing file", []string{"validate", "-f", "nope.yaml"}, 1, nil, []string{"nope.yaml: cannot read catalog"}},
		{"graph mermaid", []string{"graph", "-f", staging}, 0, []string{"flowchart LR", "media_service --> content_service"}, nil},
		{"graph dot", []string{"graph", "-f", staging, "--format", "dot"}, 0, []string{`"media-service" -> "content-service";`}, nil},
		{"graph unknown format", []string{"graph", "-f", staging, "--format", "svg"}, 1, nil, []string{`--format "svg"`}},
		{"schema", []string{"schema"}, 0, []string{`"title": "Nova service catalog"`}, nil},
		{"synth", []string{"synth", "--services", "12", "--seed", "3"}, 0, []string{"kind: ServiceCatalog", "- name: svc-12"}, nil},
		{"synth rejects no services", []string{"synth", "--services", "0"}, 1, nil, []string{"services must be between 1 and 100000"}},
	})
}

// TestValidateErrors: each kind of broken catalog fails with FILE:LINE:COL
// and the offending name, and nothing on stdout.
func TestValidateErrors(t *testing.T) {
	good, err := os.ReadFile(staging)
	require.NoError(t, err)
	tests := []struct {
		name    string
		edit    func(string) string
		wantMsg string
	}{
		{"broken YAML", func(s string) string { return s + "\n  services: [\n" }, "invalid YAML"},
		{"unknown dependency", func(s string) string {
			return strings.Replace(s, "dependsOn: [postgres, content-service]", "dependsOn: [postgres, contnet-service]", 1)
		}, `service "media-service" depends on unknown "contnet-service"`},
		{"cycle", func(s string) string {
			return strings.Replace(s, "dependsOn: [postgres]\n      produces: [content-events", "dependsOn: [postgres, media-service]\n      produces: [content-events", 1)
		}, "dependency cycle: content-service -> media-service -> content-service"},
		{"duplicate service", func(s string) string {
			return strings.Replace(s, "- name: graph-service", "- name: feed-service", 1)
		}, `duplicate name "feed-service"`},
		{"bad port", func(s string) string { return strings.Replace(s, "grpc: 50051", "grpc: 70000", 1) }, "70000 is not a port number"},
		{"unknown field", func(s string) string {
			return strings.Replace(s, "    - name: graph-service\n", "    - name: graph-service\n      replicaz: 2\n", 1)
		}, `unknown field "replicaz"`},
		{"unknown field and what the semantic checks find, at once", func(s string) string {
			return strings.Replace(s, "    - name: graph-service\n      description: social graph\n      database: nova_graph\n      dependsOn: [neo4j]\n",
				"    - name: graph-service\n      description: social graph\n      database: nova_graph\n      replicaz: 2\n      dependsOn: [neo4j, svc-x]\n", 1)
		}, `services.yaml:283:26: service "graph-service" depends on unknown "svc-x"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			edited := tt.edit(string(good))
			require.NotEqual(t, string(good), edited, "the edit must change the catalog")
			path := filepath.Join(t.TempDir(), "services.yaml")
			require.NoError(t, os.WriteFile(path, []byte(edited), 0o644))
			code, stdout, stderr := run("validate", "-f", path)
			assert.Equal(t, 1, code)
			assert.Empty(t, stdout)
			assert.Regexp(t, `(?m)^`+regexp.QuoteMeta(path)+`:\d+:\d+: `, stderr)
			assert.Contains(t, stderr, tt.wantMsg)
		})
	}
}

// TestStdin: -f - reads the catalog from standard input, as kubectl and
// kustomize users expect; errors name it <stdin>.
func TestStdin(t *testing.T) {
	good, err := os.ReadFile(staging)
	require.NoError(t, err)
	var fromFile, out, errOut bytes.Buffer
	require.Equal(t, 0, Run(novagen, []string{"render", "-f", staging}, nil, &fromFile, &errOut))
	// A catalog on stdin finds its relative paths (the proto files) in
	// the working directory.
	t.Chdir(filepath.Dir(staging))
	code := Run(novagen, []string{"render", "-f", "-"}, bytes.NewReader(good), &out, &errOut)
	require.Equal(t, 0, code, errOut.String())
	assert.Equal(t, fromFile.String(), out.String(), "stdin and file render the same")

	out.Reset()
	code = Run(novagen, []string{"validate", "-f", "-"}, strings.NewReader("kind: [\n"), &out, &errOut)
	assert.Equal(t, 1, code)
	assert.Empty(t, out.String())
	assert.Regexp(t, `(?m)^<stdin>:\d+:\d+: invalid YAML`, errOut.String())
}

// TestTransformerSelection: -t selects transformers, -t "" none.
func TestTransformerSelection(t *testing.T) {
	_, all, _ := run("render", "-f", staging)
	_, none, stderr := run("render", "-f", staging, "-t", "")
	require.NotEmpty(t, none, stderr)
	// Only the transformer adds waits for services (the Jobs' own
	// wait-for-postgres are generated).
	assert.True(t, strings.Contains(all, "wait-for-content-service"), "all transformers by default")
	assert.False(t, strings.Contains(none, "wait-for-content-service"), `-t "" runs no transformer`)
	code, _, stderr := run("render", "-f", staging, "-t", "nope")
	assert.Equal(t, 1, code)
	assert.Contains(t, stderr, `transformers: unknown "nope": expected one of init-containers`)
}

// TestSynth: the synthetic catalog loads, and a seed always gives the same
// bytes.
func TestSynth(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want int // services
	}{
		{"defaults", []string{"synth"}, 100},
		{"services and seed", []string{"synth", "--services", "250", "--seed", "42"}, 250},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, first, stderr := run(tt.args...)
			require.Equal(t, 0, code, "stderr: %s", stderr)
			cat, err := load.Parse("synth.yaml", []byte(first))
			require.NoError(t, err)
			assert.Len(t, cat.Spec.Services, tt.want)
			_, second, _ := run(tt.args...)
			assert.Equal(t, first, second, "same seed, same bytes")
		})
	}
}

// copy-self puts this very executable into a directory, executable, with
// no temporary file left behind.
func TestCopySelf(t *testing.T) {
	dir := t.TempDir()
	code, stdout, stderr := run("copy-self", dir)
	require.Equal(t, 0, code, stderr)
	dst := filepath.Join(dir, "novagen")
	assert.Equal(t, "copied novagen to "+dst+"\n", stdout)
	self, err := os.Executable()
	require.NoError(t, err)
	want, err := os.ReadFile(self)
	require.NoError(t, err)
	got, err := os.ReadFile(dst)
	require.NoError(t, err)
	assert.True(t, bytes.Equal(want, got), "the copy is the executable")
	info, err := os.Stat(dst)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o755), info.Mode().Perm())
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	assert.Len(t, entries, 1, "no temporary file left")
	code, _, stderr = run("copy-self", filepath.Join(dir, "missing"))
	assert.Equal(t, 1, code)
	assert.Contains(t, stderr, "no such file or directory")
}
