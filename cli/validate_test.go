package cli

import (
	"bytes"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const invalidCatalog = "apiVersion: catalog.nova.dev/v1alpha1\nkind: ServiceCatalog\nmetadata: {name: x}\nspec: {bogus: 1}\n"

// TestValidateFormats: validate's text line is as before, its JSON the
// documented shape exactly, on stdout valid or not, and an invalid
// catalog exits 1 with its problems on stderr as well.
func TestValidateFormats(t *testing.T) {
	code, synth, stderr := run("synth", "--services", "1")
	require.Equal(t, 0, code, stderr)
	tests := []struct {
		name       string
		args       []string
		stdin      string
		wantCode   int
		wantStdout string // exactly
		wantStderr string // exactly
	}{
		{"text", []string{"validate", "-f", "-"}, synth, 0, "-: ok: 1 services, 2 databases, 1 topics, 8 dependency targets\n", ""},
		{"json", []string{"validate", "-f", "-", "--format", "json"}, synth, 0, `{
  "file": "<stdin>",
  "ok": true,
  "problems": [],
  "summary": {
    "services": 1,
    "databases": 2,
    "topics": 1,
    "dependencyTargets": 8,
    "environments": []
  }
}
`, ""},
		{"json (-o) of an invalid catalog", []string{"validate", "-f", "-", "-o", "json"}, invalidCatalog, 1, `{
  "file": "<stdin>",
  "ok": false,
  "problems": [
    {
      "file": "<stdin>",
      "line": 4,
      "column": 7,
      "message": "spec: missing required field \"namespace\""
    },
    {
      "file": "<stdin>",
      "line": 4,
      "column": 7,
      "message": "spec: missing required field \"services\""
    },
    {
      "file": "<stdin>",
      "line": 4,
      "column": 8,
      "message": "spec: unknown field \"bogus\""
    }
  ]
}
`, "<stdin>:4:7: spec: missing required field \"namespace\"\n<stdin>:4:7: spec: missing required field \"services\"\n<stdin>:4:8: spec: unknown field \"bogus\"\n"},
		{"text of an invalid catalog", []string{"validate", "-f", "-"}, invalidCatalog, 1, "", "<stdin>:4:7: spec: missing required field \"namespace\"\n<stdin>:4:7: spec: missing required field \"services\"\n<stdin>:4:8: spec: unknown field \"bogus\"\n"},
		{"json of a missing file", []string{"validate", "-f", "nope.yaml", "--format", "json"}, "", 1, `{
  "file": "nope.yaml",
  "ok": false,
  "problems": [
    {
      "file": "nope.yaml",
      "line": 0,
      "column": 0,
      "message": "cannot read catalog: no such file or directory"
    }
  ]
}
`, "nope.yaml: cannot read catalog: no such file or directory\n"},
		{"unknown format", []string{"validate", "--format", "yaml"}, "", 1, "", "novagen: --format \"yaml\": expected text or json\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			code := Run(novagen, tt.args, strings.NewReader(tt.stdin), &out, &errOut)
			assert.Equal(t, tt.wantCode, code)
			assert.Equal(t, tt.wantStdout, out.String())
			assert.Equal(t, tt.wantStderr, errOut.String())
		})
	}
}

// TestValidateJSONEnvironments: the environments checked, or the one -e
// names.
func TestValidateJSONEnvironments(t *testing.T) {
	code, stdout, stderr := run("validate", "-f", staging, "--format", "json")
	require.Equal(t, 0, code, stderr)
	assert.Contains(t, stdout, "\"environments\": [\n      \"production\"\n    ]")
	assert.NotContains(t, stdout, `"environment":`)
	code, stdout, stderr = run("validate", "-f", staging, "-e", "production", "--format", "json")
	require.Equal(t, 0, code, stderr)
	assert.Contains(t, stdout, "\"environment\": \"production\",\n  \"ok\": true,")
	assert.Contains(t, stdout, `"environments": []`)
}
