package cli

import (
	"fmt"
	"runtime"
	"runtime/debug"

	"github.com/spf13/cobra"
)

// version, commit and modified ("true" or "") are set with -ldflags
// "-X github.com/novagen/novagen/cli.commit=SHA ..." by the builds (Makefile,
// Dockerfile): go build stamps no VCS information in a linked git worktree
// (golang/go#58218) nor without .git (the image's build context). They win
// over what go build stamped.
var version, commit, modified string

// buildInfo is what `novagen version` reports.
type buildInfo struct {
	Version  string // module version, "(devel)" when unknown
	Commit   string // VCS revision, "" when unknown
	Modified bool   // the working tree had uncommitted changes
	Go       string
}

// shortCommit is as many hex digits of a commit as Go's pseudo-versions show.
const shortCommit = 12

// readBuild merges what the toolchain stamped (info, nil when not
// available) with the -X overrides.
func readBuild(info *debug.BuildInfo, ldVersion, ldCommit, ldModified string) buildInfo {
	b := buildInfo{Version: "(devel)", Go: runtime.Version()}
	if info != nil {
		b.Go = info.GoVersion
		if v := info.Main.Version; v != "" {
			b.Version = v
		}
		for _, s := range info.Settings {
			switch s.Key {
			case "vcs.revision":
				b.Commit = s.Value
			case "vcs.modified":
				b.Modified = s.Value == "true"
			}
		}
	}
	if ldVersion != "" {
		b.Version = ldVersion
	}
	if ldCommit != "" {
		// The stamped tree state belongs to the stamped commit, not this one.
		b.Commit, b.Modified = ldCommit, ldModified == "true"
	}
	return b
}

// String is e.g. "v0.1.0 (commit 1234abcd5678, modified) go1.26.8".
func (b buildInfo) String() string {
	c := b.Commit
	if c == "" {
		c = "unknown"
	}
	c = c[:min(len(c), shortCommit)]
	if b.Modified {
		c += ", modified"
	}
	return fmt.Sprintf("%s (commit %s) %s", b.Version, c, b.Go)
}

// currentBuild is this executable's buildInfo.
func currentBuild() buildInfo {
	info, _ := debug.ReadBuildInfo()
	return readBuild(info, version, commit, modified)
}

func versionCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print novagen's version, the commit it was built from and its Go version (also --version, -v)",
		Args:  cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			_, err := fmt.Fprintf(c.OutOrStdout(), "novagen %s\n", currentBuild())
			return err
		},
	}
}
