package cli

import (
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/spf13/cobra"

	"github.com/novagen/novagen/catalog/load"
	"github.com/novagen/novagen/internal/schemadoc"
)

// explainWidth is the width explain's output fits in.
const explainWidth = 80

func (a app) explainCmd() *cobra.Command {
	var config, recursive bool
	c := &cobra.Command{
		Use:   "explain [PATH]",
		Short: "Describe a field of the catalog (or --config: of the function config): type, default, constraints, sub-fields",
		Long: `Describe a field of the service catalog, from its JSON Schema (novagen schema):
its type, default, constraints and description, and its sub-fields, one line
each. PATH is field names separated by dots; a list's name may be followed by
[] (services[].database, or services.database); a map's entries take any key
(environments.production.namespace). The catalog's spec. may be left out:
services.database is spec.services[].database. No PATH: the top level.

With --config, the NovaGen function config instead (novagen schema --config).`,
		Example: `  novagen explain services.database
  novagen explain spec.infrastructure.redis
  novagen explain --recursive infrastructure.kafka
  novagen explain --config spec.catalog`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			path := ""
			if len(args) == 1 {
				path = args[0]
			}
			data, what, err := a.jsonSchema(config)
			if err != nil {
				return err
			}
			doc, err := schemadoc.Parse(data)
			if err != nil {
				return err
			}
			n, canon, err := lookupField(doc, path)
			if err != nil {
				return fmt.Errorf("explain the %s: %w", what, err)
			}
			return writeExplain(c.OutOrStdout(), n, canon, recursive)
		},
	}
	c.Flags().BoolVar(&config, "config", false, "explain the NovaGen function config instead of the catalog")
	c.Flags().BoolVarP(&recursive, "recursive", "r", false, "list every field below PATH as a tree")
	return c
}

// lookupField finds path in doc; a path that does not start at the top
// level is tried under spec (services.database is spec.services[].database).
// An unknown field's error offers the field most likely meant.
func lookupField(doc *schemadoc.Doc, path string) (schemadoc.Node, string, error) {
	n, canon, err := doc.Lookup(path)
	var pe *schemadoc.PathError
	if !errors.As(err, &pe) {
		return n, canon, err
	}
	if pe.Parent == "" {
		n2, canon2, err2 := doc.Lookup("spec." + path)
		var pe2 *schemadoc.PathError
		switch {
		case err2 == nil:
			return n2, canon2, nil
		case errors.As(err2, &pe2) && pe2.Parent == "spec":
			// Neither here nor under spec: offer both.
			pe.Parent, pe.Valid = "the top level or spec", append(pe.Valid, pe2.Valid...)
		case errors.As(err2, &pe2):
			pe = pe2 // the path went on under spec: its error is the better one
		}
	}
	pe.Hint = likelyMeant(schemaName(pe.Segment), pe.Valid)
	return schemadoc.Node{}, "", pe
}

// likelyMeant is the field name got is a typo of: one with the same
// letters in another order (nmae: name), else the closest by edits.
func likelyMeant(got string, valid []string) string {
	for _, v := range valid {
		if len(v) == len(got) && v != got && sortedLetters(v) == sortedLetters(got) {
			return v
		}
	}
	return load.Closest(got, valid)
}

func sortedLetters(s string) string {
	r := []rune(strings.ToLower(s))
	slices.Sort(r)
	return string(r)
}

// schemaName is a path segment without a list index.
func schemaName(seg string) string {
	name, _, _ := strings.Cut(seg, "[")
	return name
}

// writeExplain prints one field: what it is, then its sub-fields (one
// line each, or with recursive the whole tree below it).
func writeExplain(w io.Writer, n schemadoc.Node, path string, recursive bool) error {
	var b strings.Builder
	if path == "" {
		path = "(top level)"
	}
	fmt.Fprintf(&b, "FIELD:   %s\nTYPE:    %s\n", path, n.Type())
	if d, ok := n.Default(); ok {
		writeWrapped(&b, "DEFAULT: ", "         ", schemadoc.Format(d))
	}
	constraints := n.Constraints()
	if e, ok := n.Elem(); ok {
		for _, c := range e.Constraints() {
			constraints = append(constraints, "each: "+c)
		}
	}
	if len(constraints) > 0 {
		b.WriteString("\nCONSTRAINTS:\n")
		for _, c := range constraints {
			writeWrapped(&b, "  - ", "    ", c)
		}
	}
	if d := n.Description(); d != "" {
		b.WriteString("\nDESCRIPTION:\n")
		writeWrapped(&b, "  ", "  ", d)
	}
	if fields := n.Fields(); len(fields) > 0 {
		b.WriteString("\nFIELDS:\n")
		if recursive {
			n.Walk("", func(_ string, f schemadoc.Field, depth int) {
				fmt.Fprintf(&b, "%s%s <%s>%s\n", strings.Repeat("  ", depth+1), f.Name, f.Node.Type(), requiredMark(f))
			})
		} else {
			writeFieldLines(&b, fields)
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func requiredMark(f schemadoc.Field) string {
	if f.Required {
		return " (required)"
	}
	return ""
}

// writeFieldLines writes a line per field: name, type and the first
// sentence of its description, cut to the width.
func writeFieldLines(b *strings.Builder, fields []schemadoc.Field) {
	nameW, typeW := 0, 0
	for _, f := range fields {
		nameW = max(nameW, utf8.RuneCountInString(f.Name+requiredMark(f)))
		typeW = max(typeW, utf8.RuneCountInString(f.Node.Type()))
	}
	nameW, typeW = min(nameW, 28), min(typeW, 20)
	for _, f := range fields {
		line := fmt.Sprintf("  %-*s  %-*s  %s", nameW, f.Name+requiredMark(f), typeW, f.Node.Type(), firstSentence(f.Node.Description()))
		b.WriteString(cut(strings.TrimRight(line, " "), explainWidth) + "\n")
	}
}

// firstSentence is text up to its first full stop outside parentheses.
func firstSentence(text string) string {
	depth := 0
	for i, r := range text {
		switch {
		case r == '(':
			depth++
		case r == ')':
			depth = max(0, depth-1)
		case r == '.' && depth == 0 && (i+1 == len(text) || text[i+1] == ' '):
			return text[:i]
		}
	}
	return text
}

// cut shortens s to width runes, ending in … when it had to.
func cut(s string, width int) string {
	if utf8.RuneCountInString(s) <= width {
		return s
	}
	r := []rune(s)
	return string(r[:width-1]) + "…"
}

// writeWrapped writes text in lines of at most explainWidth runes: the
// first after first, the others after rest. A word longer than a line
// (a pattern) gets a line of its own.
func writeWrapped(b *strings.Builder, first, rest, text string) {
	line, n := first, utf8.RuneCountInString(first)
	empty := true
	for _, word := range strings.Fields(text) {
		wn := utf8.RuneCountInString(word)
		if !empty && n+1+wn > explainWidth {
			b.WriteString(line + "\n")
			line, n, empty = rest, utf8.RuneCountInString(rest), true
		}
		if !empty {
			line += " "
			n++
		}
		line += word
		n += wn
		empty = false
	}
	b.WriteString(line + "\n")
}
