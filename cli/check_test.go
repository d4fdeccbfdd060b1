package cli

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/novagen/novagen/check"
)

// TestCheckCommand: novagen render | novagen check, and the ways check
// fails: a FAIL (exit 1, the report still printed) and input it cannot
// read (exit 1, nothing on stdout).
func TestCheckCommand(t *testing.T) {
	code, rendered, stderr := run("render", "-f", staging)
	require.Equal(t, 0, code, stderr)
	latest := strings.Replace(rendered, "image: registry.nova.internal/nova/auth-service:1.0.0", "image: registry.nova.internal/nova/auth-service:latest", 1)
	require.NotEqual(t, rendered, latest)
	tests := []struct {
		name       string
		args       []string
		stdin      string
		wantCode   int
		wantStdout []string
		wantStderr string
	}{
		{"render piped in", []string{"check"}, rendered, 0, []string{"images                   PASS", fmt.Sprintf("%[1]d checks, 0 FAIL, 0 WARN, %[1]d PASS", len(check.Names()))}, ""},
		{"markdown", []string{"check", "-f", "-", "--format", "markdown"}, rendered, 0, []string{"| `pod-security` | ✅ PASS |"}, ""},
		{"a latest image fails", []string{"check"}, latest, 1, []string{"images                   FAIL", `FAIL images: Deployment/auth-service spec.template.spec.containers[auth-service].image: "registry.nova.internal/nova/auth-service:latest": tag latest is not pinned`}, "novagen: check failed"},
		{"json", []string{"check", "--format", "json"}, rendered, 0, []string{"{\n  \"checks\": [\n    {\n      \"name\": \"resources\",\n      \"status\": \"PASS\",", "\n  \"failed\": false\n}\n"}, ""},
		{"json (-o) of a FAIL: the report on stdout, exit 1", []string{"check", "-o", "json"}, latest, 1, []string{`"status": "FAIL"`, `"message": "\"registry.nova.internal/nova/auth-service:latest\": tag latest is not pinned"`, "\n  \"failed\": true\n}\n"}, "novagen: check failed"},
		{"unknown format", []string{"check", "--format", "html"}, rendered, 1, nil, `--format "html": expected text, markdown or json`},
		{"no objects", []string{"check"}, "", 1, nil, "<stdin>: no objects to check"},
		{"not YAML", []string{"check"}, "kind: [\n", 1, nil, "<stdin>:1:1: invalid YAML: did not find expected node content\n"},
		{"missing file", []string{"check", "-f", "nope.yaml"}, "", 1, nil, "nope.yaml"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			code := Run(novagen, tt.args, strings.NewReader(tt.stdin), &out, &errOut)
			assert.Equal(t, tt.wantCode, code, "stderr: %s", errOut.String())
			for _, w := range tt.wantStdout {
				assert.Contains(t, out.String(), w)
			}
			assert.Contains(t, errOut.String(), tt.wantStderr)
			assert.NotContains(t, out.String(), "\033[", "no colour when stdout is not a terminal")
			if tt.wantCode != 0 && len(tt.wantStdout) == 0 {
				assert.Empty(t, out.String(), "an error leaves stdout empty")
			}
		})
	}
}
