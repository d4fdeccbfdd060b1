package cli

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// kubeconfigFor writes a kubeconfig for an API server at url.
func kubeconfigFor(t *testing.T, url string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "kubeconfig")
	conf := fmt.Sprintf(`apiVersion: v1
kind: Config
clusters:
- name: c
  cluster: {server: %q}
users:
- name: u
  user: {token: t}
contexts:
- name: c
  context: {cluster: c, user: u}
current-context: c
`, url)
	require.NoError(t, os.WriteFile(path, []byte(conf), 0o600))
	return path
}

func TestVerifyExitCodes(t *testing.T) {
	// An API server that has nothing: every object is missing.
	empty := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusNotFound)
		fmt.Fprintf(w, `{"kind":"Status","apiVersion":"v1","status":"Failure","reason":"NotFound","code":404,"message":"%s not found"}`, r.URL.Path)
	}))
	defer empty.Close()
	kc := kubeconfigFor(t, empty.URL)
	gone := httptest.NewServer(http.NotFoundHandler())
	gone.Close()
	unreachable := kubeconfigFor(t, gone.URL)
	runCommandCases(t, []commandCase{
		{"bad output format", []string{"verify", "-f", staging, "-o", "yaml"}, 2, nil, []string{`--output "yaml": expected text or json`}},
		{"unknown flag", []string{"verify", "--nope"}, 2, nil, []string{"unknown flag: --nope"}},
		{"missing catalog", []string{"verify", "-f", "nope.yaml"}, 2, nil, []string{"nope.yaml: cannot read catalog"}},
		{"missing kubeconfig", []string{"verify", "-f", staging, "--kubeconfig", "nope.kubeconfig"}, 2, nil, []string{"kubeconfig:", "nope.kubeconfig"}},
		{"unreachable cluster", []string{"verify", "-f", staging, "--kubeconfig", unreachable}, 2, nil, []string{"cannot reach the cluster", "connection refused"}},
		{"unknown context", []string{"verify", "-f", staging, "--kubeconfig", kc, "--context", "other"}, 2, nil, []string{`context "other"`}},
	})
	code, stdout, stderr := run("verify", "-f", staging, "--kubeconfig", kc)
	assert.Equal(t, 1, code, stderr)
	assert.Contains(t, stdout, "FAIL namespace: namespace nova-staging does not exist\n")
	assert.Contains(t, stdout, "FAIL secrets: Secret redis-auth (ExternalSecret redis-auth's target) does not exist\n")
	assert.Regexp(t, `\d+ checks: 0 passed, \d+ failed, \d+ warnings, 0 skipped\n$`, stdout)
	assert.NotContains(t, stdout, "\x1b[", "no colour off a terminal")

	code, stdout, _ = run("verify", "-f", staging, "--kubeconfig", kc, "-o", "json", "-n", "elsewhere")
	assert.Equal(t, 1, code)
	assert.Contains(t, stdout, `"namespace": "elsewhere"`)
	assert.Contains(t, stdout, `"failed": true`)
}

func TestVerifyColour(t *testing.T) {
	for _, tc := range []struct {
		terminal  bool
		force, no string
		want      bool
	}{
		{false, "", "", false},
		{true, "", "", true},
		{false, "1", "", true},
		{true, "1", "1", false},
		{false, "1", "1", false},
	} {
		t.Setenv("FORCE_COLOR", tc.force)
		t.Setenv("NO_COLOR", tc.no)
		assert.Equal(t, tc.want, verifyColour(tc.terminal), "%+v", tc)
	}
	t.Setenv("FORCE_COLOR", "1")
	t.Setenv("NO_COLOR", "")
	gone := httptest.NewServer(http.NotFoundHandler())
	defer gone.Close()
	_, stdout, _ := run("verify", "-f", staging, "--kubeconfig", kubeconfigFor(t, gone.URL))
	assert.Contains(t, stdout, "\x1b[31mFAIL\x1b[0m namespace:")
}
