package cli

import (
	"os/exec"
	"regexp"
	"runtime"
	"runtime/debug"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const sha = "1234abcd5678ef901234abcd5678ef901234abcd"

func stamped(version string, settings ...string) *debug.BuildInfo {
	info := &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: version}}
	for i := 0; i < len(settings); i += 2 {
		info.Settings = append(info.Settings, debug.BuildSetting{Key: settings[i], Value: settings[i+1]})
	}
	return info
}

// TestReadBuild: what go build stamped, what -ldflags -X overrides, and
// the line both print as.
func TestReadBuild(t *testing.T) {
	tests := []struct {
		name                     string
		info                     *debug.BuildInfo
		ldVersion, ldCommit, ldM string
		want                     string
	}{
		{"stamped clean", stamped("v0.1.0", "vcs.revision", sha, "vcs.modified", "false"), "", "", "", "v0.1.0 (commit 1234abcd5678) go1.26.8"},
		{"stamped modified", stamped("v0.0.0-20261205061447-17208bcc56e0+dirty", "vcs.revision", sha, "vcs.modified", "true"), "", "", "",
			"v0.0.0-20261205061447-17208bcc56e0+dirty (commit 1234abcd5678, modified) go1.26.8"},
		{"go run: nothing stamped", stamped(""), "", "", "", "(devel) (commit unknown) go1.26.8"},
		{"no build info", nil, "", "", "", "(devel) (commit unknown) " + runtime.Version()},
		{"ldflags win", stamped("(devel)", "vcs.revision", "ffff", "vcs.modified", "true"), "v0.2.0", sha, "", "v0.2.0 (commit 1234abcd5678) go1.26.8"},
		{"ldflags modified", stamped("(devel)"), "", "abc", "true", "(devel) (commit abc, modified) go1.26.8"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, readBuild(tt.info, tt.ldVersion, tt.ldCommit, tt.ldM).String())
		})
	}
}

// TestVersionCommand: the subcommand and both flags print the same line.
func TestVersionCommand(t *testing.T) {
	want := "novagen " + currentBuild().String() + "\n"
	for _, args := range [][]string{{"version"}, {"--version"}, {"-v"}} {
		code, stdout, stderr := run(args...)
		assert.Equal(t, 0, code, stderr)
		assert.Equal(t, want, stdout, args)
	}
	code, _, stderr := run("version", "extra")
	assert.Equal(t, 1, code)
	assert.Contains(t, stderr, "unknown command")
}

// TestBuiltVersion: make build in this checkout (a linked worktree too,
// where go build stamps nothing) prints the commit git has checked out.
func TestBuiltVersion(t *testing.T) {
	head, err := exec.Command("git", "rev-parse", "HEAD").Output()
	if err != nil {
		t.Skipf("not a git checkout: %v", err)
	}
	out, err := exec.Command(novagenBinary(t), "version").Output()
	require.NoError(t, err)
	m := regexp.MustCompile(`^novagen \S+ \(commit ([0-9a-f]{12})(, modified)?\) go1\.\d+\.\d+\n$`).FindStringSubmatch(string(out))
	require.NotNil(t, m, "%q", out)
	assert.True(t, strings.HasPrefix(string(head), m[1]), "%s is not HEAD %s", m[1], head)
	status, err := exec.Command("git", "status", "--porcelain").Output()
	require.NoError(t, err)
	assert.Equal(t, len(status) > 0, m[2] != "", "modified when git status lists changes")
}
