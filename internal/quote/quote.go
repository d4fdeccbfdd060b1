// Package quote names a value from an input in a message. It is the
// guard's rule (guard.Quote) in a package of its own, importing only the
// standard library, so the catalog model can use it without the guard's
// YAML reader.
package quote

import (
	"strconv"
	"strings"
)

// Quote names a value from an input in a message: quoted (so escaped), at
// most one line and 40 characters of it, so no message repeats more of a
// file than the token it is about.
func Quote(s string) string {
	const limit = 40
	cut := false
	if i := strings.IndexAny(s, "\r\n"); i >= 0 {
		s, cut = s[:i], true
	}
	if r := []rune(s); len(r) > limit {
		s, cut = string(r[:limit]), true
	}
	if cut {
		return strconv.Quote(s) + "…"
	}
	return strconv.Quote(s)
}
