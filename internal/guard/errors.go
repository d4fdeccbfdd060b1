package guard

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strings"
)

// Pos is a place in an input file. Line and Column are 1-based; zero
// means unknown (the error then names only the file).
type Pos struct {
	File   string
	Line   int
	Column int
}

func (p Pos) String() string {
	if p.Line == 0 {
		return Escape(p.File)
	}
	return fmt.Sprintf("%s:%d:%d", Escape(p.File), p.Line, p.Column)
}

// Error is one finding about an input, located where the user must edit.
type Error struct {
	Pos     Pos
	Message string
	// tooLarge marks the refusal of an input over its cap (IsTooLarge).
	tooLarge bool
}

func (e Error) Error() string { return e.Pos.String() + ": " + Escape(e.Message) }

// Errors is every finding of one load, sorted by position. A load
// returns all of them at once so a user fixes the input in one pass.
type Errors []Error

func (es Errors) Error() string {
	lines := make([]string, len(es))
	for i, e := range es {
		lines[i] = e.Error()
	}
	return strings.Join(lines, "\n")
}

// MaxErrors is how many findings one load reports; a longer list helps no
// one, and a hostile catalog could produce millions.
const MaxErrors = 100

// Sorted orders findings by file, line, column and message, drops exact
// duplicates (a value checked by two schema branches) and keeps the first
// MaxErrors, saying how many more there are.
func (es Errors) Sorted() Errors {
	out := slices.Clone(es)
	slices.SortFunc(out, func(a, b Error) int {
		return cmp.Or(
			cmp.Compare(a.Pos.File, b.Pos.File),
			cmp.Compare(a.Pos.Line, b.Pos.Line),
			cmp.Compare(a.Pos.Column, b.Pos.Column),
			cmp.Compare(a.Message, b.Message),
		)
	})
	out = slices.Compact(out)
	if len(out) > MaxErrors {
		more := Error{Pos: out[MaxErrors].Pos, Message: fmt.Sprintf("... and %d more problems", len(out)-MaxErrors)}
		out = append(out[:MaxErrors], more)
	}
	return out
}

// IsTooLarge says err is Read's refusal of an input over its cap, which
// a caller with a budget of its own words in its terms.
func IsTooLarge(err error) bool {
	var es Errors
	return errors.As(err, &es) && len(es) == 1 && es[0].tooLarge
}
