package guard

import (
	"strconv"
	"strings"
	"unicode"

	"github.com/novagen/novagen/internal/quote"
)

// Escape makes s safe to print on a terminal or in a report: every
// character Unicode does not print — control characters (C0, DEL, C1),
// the bidirectional overrides that can make text read differently than it
// is ("Trojan Source"), zero-width ones — and bytes that are not UTF-8 are
// written as Go escapes (\x1b, \u202e); everything else is unchanged.
func Escape(s string) string {
	if strings.IndexFunc(s, unsafeRune) < 0 {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		if !unsafeRune(r) {
			b.WriteRune(r)
			continue
		}
		q := strconv.QuoteRuneToASCII(r) // '\x1b', '\u202e', '\n'
		b.WriteString(q[1 : len(q)-1])
	}
	return b.String()
}

// unsafeRune says r must not reach a terminal raw.
func unsafeRune(r rune) bool { return !strconv.IsGraphic(r) || r == unicode.ReplacementChar }

// EscapeLines is Escape of each line of s: a message of several lines
// keeps them.
func EscapeLines(s string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = Escape(l)
	}
	return strings.Join(lines, "\n")
}

// Quote names a value from an input in a message (quote.Quote: at most
// one line and 40 characters of it, quoted).
func Quote(s string) string { return quote.Quote(s) }
