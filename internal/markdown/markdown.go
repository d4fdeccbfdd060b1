// Package markdown holds what the Markdown reports of novagen check and
// novagen diff share.
package markdown

import "strings"

// cellEscaper escapes, with a backslash, what would end a table cell (a
// pipe) or start Markdown within it: a code span, emphasis, a link or an
// image, HTML. A backslash is escaped too, so that the input cannot undo
// an escape; a newline, which would end the row, becomes a space.
var cellEscaper = strings.NewReplacer(
	`\`, `\\`, "|", `\|`, "`", "\\`", "*", `\*`, "_", `\_`, "[", `\[`, "]", `\]`, "<", `\<`,
	"\r\n", " ", "\n", " ", "\r", " ",
)

// Cell escapes text for one cell of a GitHub table, to read as it is.
func Cell(s string) string { return cellEscaper.Replace(s) }

// codeEscaper: in a code span a backslash is literal, but a pipe still
// ends the table's cell unless escaped, and a newline the row.
var codeEscaper = strings.NewReplacer("|", `\|`, "\r\n", " ", "\n", " ", "\r", " ")

// Code is s as a code span in a table cell. Its fence is one backtick
// longer than the longest run of backticks in s, which therefore cannot
// close it; a space pads s where a backtick would touch the fence (one
// space each side is dropped again when both are there).
func Code(s string) string {
	if s == "" {
		return ""
	}
	s = codeEscaper.Replace(s)
	fence := strings.Repeat("`", longestRun(s, '`')+1)
	if s[0] == '`' || s[len(s)-1] == '`' || s[0] == ' ' && s[len(s)-1] == ' ' {
		s = " " + s + " "
	}
	return fence + s + fence
}

// longestRun is the length of the longest run of c in s.
func longestRun(s string, c byte) int {
	longest, run := 0, 0
	for i := range len(s) {
		if s[i] != c {
			run = 0
			continue
		}
		run++
		longest = max(longest, run)
	}
	return longest
}
