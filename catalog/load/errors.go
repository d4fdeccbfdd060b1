package load

import "github.com/novagen/novagen/internal/guard"

// The catalog's errors are the guard's: every input novagen reads reports
// problems the same way, located at FILE:LINE:COL.
type (
	// Pos is a place in the catalog file.
	Pos = guard.Pos
	// Error is one finding about the catalog.
	Error = guard.Error
	// Errors is every finding of one load, sorted by position.
	Errors = guard.Errors
)

// MaxErrors is how many findings one load reports.
const MaxErrors = guard.MaxErrors

// ErrorCause is an I/O error without the operation and path the caller
// already names.
func ErrorCause(err error) string { return guard.Cause(err) }
