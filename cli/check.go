package cli

import (
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"

	"github.com/novagen/novagen/check"
	"github.com/novagen/novagen/internal/guard"
)

// errReported is a failure whose report is already in the output: Main
// prints that output and exits 1.
var errReported = errors.New("check failed")

func checkCmd(colour bool) *cobra.Command {
	var path, format string
	c := &cobra.Command{
		Use:   "check",
		Short: "Check rendered manifests offline: resources, probes, pinned images, no plaintext secret, Pod Security restricted, selectors and wait-for targets",
		Long: `Check rendered manifests (multi-document YAML) offline, e.g.

  novagen render | novagen check
  kustomize build --enable-alpha-plugins --enable-exec examples/staging | novagen check

Prints one PASS/WARN/FAIL line per check with its counts, then every
finding with its object and field; exits 1 on any FAIL. --format json
writes the same report as one JSON object on stdout (a FAIL too:
"failed": true, exit 1); --format markdown, a PR comment.`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			f, err := check.ParseReportFormat(format)
			if err != nil {
				return err
			}
			name, data, err := readInput(c, path)
			if err != nil {
				return err
			}
			// The guard's limits; what the documents hold, check judges
			// (with the objects' names in its messages).
			nodes, err := guard.Documents(name, data)
			if err != nil {
				return err
			}
			if len(nodes) == 0 {
				return fmt.Errorf("%s: no objects to check", name)
			}
			results, err := check.Run(name, nodes)
			if err != nil {
				return err
			}
			if err := check.Write(c.OutOrStdout(), results, f, colour && f == check.Text); err != nil {
				return err
			}
			if check.Failed(results) {
				return errReported
			}
			return nil
		},
	}
	c.Flags().StringVarP(&path, "file", "f", "-", `rendered manifests to check ("-" reads standard input)`)
	c.Flags().StringVarP(&format, "format", "o", "text", "text, markdown or json")
	return c
}

// readInput reads rendered manifests from path, or from the command's
// stdin for "-", with the guard's rules.
func readInput(c *cobra.Command, path string) (string, []byte, error) {
	if path == "-" {
		data, err := guard.Read(stdinName, "manifests", c.InOrStdin(), guard.MaxManifestBytes)
		return stdinName, data, err
	}
	data, err := guard.ReadArg(path, "manifests", guard.MaxManifestBytes)
	return path, data, err
}

// isTerminal says whether w is a character device (a terminal), where
// colour helps; NO_COLOR (no-color.org) turns it off.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok || os.Getenv("NO_COLOR") != "" {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
