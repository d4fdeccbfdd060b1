package catalog

import "strings"

// Problem is a finding about a catalog by a check outside the loader (a
// generator's: its objects' names would not fit their limits), located by
// a JSON pointer into the catalog (RFC 6901: "/spec/services/0/name").
// The loader reports it at the file position the pointer names, as its
// own findings.
type Problem struct {
	Pointer string
	Message string
}

// pointerEscaper is built once: a Replacer costs far more to build than
// to use, and the loader escapes every key of the catalog.
var pointerEscaper = strings.NewReplacer("~", "~0", "/", "~1")

// EscapePointer escapes one key for a JSON pointer ('~' and '/').
func EscapePointer(s string) string {
	if !strings.ContainsAny(s, "~/") {
		return s
	}
	return pointerEscaper.Replace(s)
}
