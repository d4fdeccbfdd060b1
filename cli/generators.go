package cli

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/novagen/novagen/generators"
)

func (a *app) generatorsCmd() *cobra.Command {
	var output string
	c := &cobra.Command{
		Use:   "generators",
		Short: "List the generators and transformers with their startup phase and what they emit (from the registry)",
		Long: `List every generator (in registry order, the order of the output) with the
phase of the startup order its objects go in, and every transformer, each
with what it emits or does: the registry's description, the one place a
generator is described. -o json gives name, kind, phase, description and
Go package; -o markdown is the README's generator tables.`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			docs := generators.Docs(a.reg.All(), a.reg.Transformers())
			w := c.OutOrStdout()
			switch output {
			case "json":
				return writeJSON(w, docs)
			case "markdown":
				_, err := fmt.Fprint(w, generators.Markdown(docs))
				return err
			case "text":
				_, err := fmt.Fprint(w, docsText(docs))
				return err
			}
			return fmt.Errorf("--output %q: expected text, json or markdown", output)
		},
	}
	c.Flags().StringVarP(&output, "output", "o", "text", "text, json or markdown (the README's tables)")
	return c
}

// docsText is each entry's name, kind and phase on a line, its
// description wrapped below it, a blank line between entries.
func docsText(docs []generators.Doc) string {
	var b strings.Builder
	for i, d := range docs {
		if i > 0 {
			b.WriteString("\n")
		}
		b.WriteString(d.Name + " (" + d.Kind)
		if d.Phase != "" {
			b.WriteString(", phase: " + d.Phase)
		}
		b.WriteString(")\n")
		writeWrapped(&b, "  ", "  ", d.Description)
	}
	return b.String()
}
