// Package markdown holds what the Markdown reports of novagen check and
// novagen diff share.
package markdown

import "strings"

var cellEscaper = strings.NewReplacer("|", `\|`, "\n", " ")

// Cell escapes text for one cell of a GitHub table: a pipe would end the
// cell and a newline the row.
func Cell(s string) string { return cellEscaper.Replace(s) }
