package cli

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/novagen/novagen/internal/testtool"
)

// TestDiffCommand: two catalog files, or a catalog against its committed
// version (--base, through a real git repository), as text and Markdown.
func TestDiffCommand(t *testing.T) {
	git := testtool.Require(t, "git")
	good, err := os.ReadFile(staging)
	require.NoError(t, err)
	changed := strings.Replace(string(good), "      dependsOn: [neo4j]\n", "      dependsOn: [neo4j]\n      replicas: 3\n", 1)
	require.NotEqual(t, string(good), changed)

	// A repository whose main has services.yaml; the work tree changes it.
	repo := t.TempDir()
	gitRun := func(args ...string) {
		t.Helper()
		cmd := exec.Command(git, append([]string{"-C", repo, "-c", "user.name=t", "-c", "user.email=t@example.invalid"}, args...)...)
		out, err := cmd.CombinedOutput()
		require.NoError(t, err, "git %v: %s", args, out)
	}
	gitRun("init", "-q", "-b", "main")
	catalog := filepath.Join(repo, "services.yaml")
	require.NoError(t, os.WriteFile(catalog, good, 0o644))
	testtool.CopyDir(t, "../protos", filepath.Join(repo, "protos"))
	// Beside it, what --base must refuse: a link, a catalog over the cap.
	require.NoError(t, os.Symlink("services.yaml", filepath.Join(repo, "linked.yaml")))
	big := append([]byte("# "), strings.Repeat("x", 17<<20)...)
	require.NoError(t, os.WriteFile(filepath.Join(repo, "big.yaml"), big, 0o644))
	gitRun("add", "services.yaml", "protos", "linked.yaml", "big.yaml")
	gitRun("commit", "-q", "-m", "catalog")
	require.NoError(t, os.WriteFile(catalog, []byte(changed), 0o644))
	oldDir := t.TempDir()
	oldFile := filepath.Join(oldDir, "old.yaml")
	require.NoError(t, os.WriteFile(oldFile, good, 0o644))
	testtool.CopyDir(t, "../protos", filepath.Join(oldDir, "protos"))

	runCommandCases(t, []commandCase{
		{"two files", []string{"diff", oldFile, catalog}, 0, []string{"novagen diff: 1 added, 0 removed, 1 changed objects in 1 groups\n\ngraph-service\n  + PodDisruptionBudget/graph-service\n  ~ Deployment/graph-service\n      spec.replicas: 1 → 3\n      spec.template.spec.topologySpreadConstraints (added)\n"}, nil},
		{"against main", []string{"diff", "--base", "main", "-f", catalog}, 0, []string{"  ~ Deployment/graph-service\n      spec.replicas: 1 → 3\n"}, nil},
		{"markdown", []string{"diff", "--base", "main", "-f", catalog, "--format", "markdown"}, 0, []string{"### novagen diff: 1 added, 0 removed, 1 changed objects in 1 groups", "| + added | `PodDisruptionBudget/graph-service` |  |", "| ~ changed | `Deployment/graph-service` | `spec.replicas: 1 → 3`<br>`spec.template.spec.topologySpreadConstraints (added)` |"}, nil},
		{"no change", []string{"diff", oldFile, oldFile}, 0, []string{"novagen diff: no object changes\n"}, nil},
		{"an option is no revision", []string{"diff", "--base", "--output=/tmp/x", "-f", catalog}, 1, nil, []string{`--base "--output=/tmp/x": not a git revision`}},
		{"unknown revision", []string{"diff", "--base", "nope", "-f", catalog}, 1, nil, []string{"nope:" + catalog + ": cannot read catalog: git ls-tree: fatal: Not a valid object name nope\n"}},
		{"absent at the revision", []string{"diff", "--base", "main", "-f", catalog + ".new"}, 1, nil, []string{"main:" + catalog + ".new: cannot read catalog: no such file at main\n"}},
		{"a link at the revision", []string{"diff", "--base", "main", "-f", filepath.Join(repo, "linked.yaml")}, 1, nil, []string{"cannot read catalog: not a regular file at main\n"}},
		{"over the cap at the revision", []string{"diff", "--base", "main", "-f", filepath.Join(repo, "big.yaml")}, 1, nil, []string{"big.yaml: catalog is larger than 16 MiB, the most novagen reads\n"}},
		{"one catalog", []string{"diff", oldFile}, 1, nil, []string{"diff takes two catalogs (OLD NEW) or --base REF, got 1 arguments"}},
		{"bad old catalog", []string{"diff", catalog + ".missing", catalog}, 1, nil, []string{"services.yaml.missing: cannot read catalog"}},
	})

	// --exit-code: 0 the same, 1 different (the report still printed),
	// 2 an error (nothing on stdout).
	for _, tc := range []struct {
		name   string
		args   []string
		code   int
		stdout string
		stderr string
	}{
		{"same", []string{oldFile, oldFile}, 0, "novagen diff: no object changes\n", ""},
		{"different", []string{oldFile, catalog}, 1, "spec.replicas: 1 → 3\n", ""},
		{"different, markdown", []string{"--base", "main", "-f", catalog, "--format", "markdown"}, 1, "`spec.replicas: 1 → 3`", ""},
		{"a missing catalog", []string{oldFile, catalog + ".missing"}, 2, "", "services.yaml.missing: cannot read catalog"},
		{"an unknown revision", []string{"--base", "nope", "-f", catalog}, 2, "", "Not a valid object name nope"},
		{"a bad format", []string{oldFile, catalog, "--format", "html"}, 2, "", `--format "html"`},
		{"an unknown flag", []string{oldFile, catalog, "--nope"}, 2, "", "unknown flag: --nope"},
	} {
		t.Run("exit code "+tc.name, func(t *testing.T) {
			code, stdout, stderr := run(append([]string{"diff", "--exit-code"}, tc.args...)...)
			require.Equal(t, tc.code, code, "stderr: %s", stderr)
			if tc.stdout == "" {
				require.Empty(t, stdout)
			}
			require.Contains(t, stdout, tc.stdout)
			require.Contains(t, stderr, tc.stderr)
			if tc.stderr == "" {
				require.Empty(t, stderr)
			}
		})
	}
}

// TestExitCodeFlag: what Main reads before cobra, to exit 2 on an error.
func TestExitCodeFlag(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want bool
	}{
		{[]string{"diff", "a", "b"}, false},
		{[]string{"diff", "--exit-code", "a", "b"}, true},
		{[]string{"diff", "a", "b", "--exit-code=true"}, true},
		{[]string{"diff", "--exit-code=false", "a", "b"}, false},
		{[]string{"diff", "--", "--exit-code"}, false},
	} {
		require.Equal(t, tc.want, exitCodeFlag(tc.args), "%q", tc.args)
	}
}
