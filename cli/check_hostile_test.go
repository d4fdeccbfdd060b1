package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode"

	"github.com/stretchr/testify/assert"
)

// TestCheckHostileInput: the reproducers of hostile input (issue 21)
// through `novagen check`: exit status 1, nothing on stdout, the located
// error on stderr, no panic (runGuarded fails on one).
func TestCheckHostileInput(t *testing.T) {
	file := filepath.Join(t.TempDir(), "in.yaml")
	if err := os.WriteFile(file, []byte("apiVersion: v1\nkind: Pod\nmetadata: {name: p, labels: [1]}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		args  []string
		stdin string
		want  string
	}{
		{"labels a list (Pod)", nil, "apiVersion: v1\nkind: Pod\nmetadata: {name: p, labels: [1]}\nspec: {containers: [{name: c, image: \"b:1\"}]}\n",
			"<stdin>:3:29: Pod/p: metadata.labels: expected a mapping, found a sequence\n"},
		{"labels a list (Service)", nil, "apiVersion: v1\nkind: Service\nmetadata: {name: s, labels: [1]}\nspec: {ports: [{port: 80}]}\n",
			"<stdin>:3:29: Service/s: metadata.labels: expected a mapping, found a sequence\n"},
		{"a file", []string{"-f", file}, "",
			file + ":3:29: Pod/p: metadata.labels: expected a mapping, found a sequence\n"},
		{"a word", nil, "hello\n",
			"<stdin>:1:1: expected an object (a mapping with apiVersion, kind and metadata.name), found a string\n"},
		{"no kind, name", nil, "apiVersion: v1\ndata: {}\n",
			"<stdin>:1:1: not an object: no kind, metadata.name (every document needs apiVersion, kind and metadata.name)\n"},
		{"in the second document", nil, "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\n- 1\n",
			"<stdin>:5:1: expected an object (a mapping with apiVersion, kind and metadata.name), found a sequence\n"},
		{"a control character in an error", nil, "apiVersion: v1\nkind: Secret\nmetadata: {name: \"\\e[31mred\"}\ndata: [a]\n",
			"<stdin>:4:7: Secret/\\x1b[31mred: data: expected a mapping, found a sequence\n"},
		{"a pod spec a list", []string{"--format", "markdown"}, "apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: s}\nspec: {template: {spec: [1]}}\n",
			"<stdin>:4:25: StatefulSet/s: spec.template.spec: expected a mapping, found a sequence\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := runGuarded(t, strings.NewReader(tt.stdin), append([]string{"check"}, tt.args...)...)
			assert.Equal(t, 1, r.code, "exit status; stderr:\n%s", r.stderr)
			assert.Empty(t, r.stdout, "an input error prints nothing on stdout")
			assert.Equal(t, tt.want, r.stderr)
		})
	}
}

// TestCheckEscapesNames: an object named with an escape sequence reaches
// the report escaped, in text and in Markdown, and the report is still
// printed (the Service fails service-selectors).
func TestCheckEscapesNames(t *testing.T) {
	const service = "apiVersion: v1\nkind: Service\nmetadata: {name: \"\\e[31mred|`\"}\nspec: {ports: [{port: 80}]}\n"
	tests := []struct {
		format string
		want   string
	}{
		{"text", "FAIL service-selectors: Service/\\x1b[31mred|` spec.selector: no selector and no EndpointSlice labelled kubernetes.io/service-name=\\x1b[31mred|`\n"},
		{"markdown", "| ❌ FAIL | `service-selectors` | `` Service/\\x1b[31mred\\|` `` | `spec.selector` | no selector and no EndpointSlice labelled kubernetes.io/service-name=\\\\x1b\\[31mred\\|\\` |\n"},
	}
	for _, tt := range tests {
		t.Run(tt.format, func(t *testing.T) {
			r := runGuarded(t, strings.NewReader(service), "check", "--format", tt.format)
			assert.Equal(t, 1, r.code, "exit status; stderr:\n%s", r.stderr)
			assert.Contains(t, r.stdout, tt.want)
			assert.False(t, strings.ContainsFunc(r.stdout, func(r rune) bool { return r != '\n' && !unicode.IsGraphic(r) }), "a control character in:\n%q", r.stdout)
		})
	}
}
