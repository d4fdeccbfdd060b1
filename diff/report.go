package diff

import (
	"fmt"
	"io"
	"strings"

	"github.com/novagen/novagen/internal/guard"
	"github.com/novagen/novagen/internal/markdown"
)

// maxPaths is how many changed fields one object shows; a longer list
// ends with how many more there are.
const maxPaths = 12

var marks = map[Op]string{Added: "+", Removed: "-", Changed: "~"}

// Summary is the report's first line.
func (r Report) Summary() string {
	if len(r.Groups) == 0 {
		return "no object changes"
	}
	return fmt.Sprintf("%d added, %d removed, %d changed objects in %d groups",
		r.Count(Added), r.Count(Removed), r.Count(Changed), len(r.Groups))
}

// WriteText writes the report for a terminal or a log.
func (r Report) WriteText(w io.Writer) error {
	return r.write(w, "novagen diff: %s\n",
		func(b *strings.Builder, g Group) { fmt.Fprintf(b, "\n%s\n", guard.Escape(g.Name)) },
		func(b *strings.Builder, c Change) {
			fmt.Fprintf(b, "  %s %s\n", marks[c.Op], guard.Escape(c.Object))
			for _, p := range shown(c.Paths) {
				fmt.Fprintf(b, "      %s\n", guard.Escape(p))
			}
		})
}

// WriteMarkdown writes the report as a pull-request comment.
func (r Report) WriteMarkdown(w io.Writer) error {
	return r.write(w, "### novagen diff: %s\n",
		func(b *strings.Builder, g Group) {
			fmt.Fprintf(b, "\n#### %s\n\n| | object | changed fields |\n| --- | --- | --- |\n", markdown.Code(guard.Escape(g.Name)))
		},
		func(b *strings.Builder, c Change) {
			var paths []string
			for _, p := range shown(c.Paths) {
				if !strings.HasPrefix(p, "…") {
					p = markdown.Code(guard.Escape(p))
				}
				paths = append(paths, p)
			}
			fmt.Fprintf(b, "| %s %s | %s | %s |\n", marks[c.Op], c.Op, markdown.Code(guard.Escape(c.Object)), strings.Join(paths, "<br>"))
		})
}

// write writes the summary line, then each group's heading and changes.
func (r Report) write(w io.Writer, summary string, group func(*strings.Builder, Group), change func(*strings.Builder, Change)) error {
	var b strings.Builder
	fmt.Fprintf(&b, summary, r.Summary())
	for _, g := range r.Groups {
		group(&b, g)
		for _, c := range g.Changes {
			change(&b, c)
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// shown cuts paths to maxPaths, saying how many more there are.
func shown(paths []string) []string {
	if len(paths) <= maxPaths {
		return paths
	}
	return append(paths[:maxPaths:maxPaths], fmt.Sprintf("… and %d more", len(paths)-maxPaths))
}
