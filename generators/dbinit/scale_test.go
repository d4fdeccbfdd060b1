package dbinit

import (
	"testing"

	"github.com/novagen/novagen/internal/generatortest"
)

// TestGroups: the partitions add up to the whole render; no object
// passes 256 KiB at 10 000 services; a full group where everything the
// loader bounds is at its limit stays under 150 KiB (well inside Argo
// CD's 256 KiB); with groups of two, awkward-names' five databases are
// groups -0, -1, -2.
func TestGroups(t *testing.T) {
	generatortest.GroupedCases(t, generatortest.Grouped{Generate: Generate, Size: DatabasesPerInitGroup, WithSize: generate, Worst: 150 << 10})
}
