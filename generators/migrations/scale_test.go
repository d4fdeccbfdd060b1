package migrations

import (
	"testing"

	"github.com/novagen/novagen/internal/generatortest"
)

// TestGroups: the partitions add up to the whole render; no Job passes
// 256 KiB at 10 000 services; a full group of the longest names and
// image references stays under 128 KiB; with groups of two,
// awkward-names' services split into groups -0, -1...
func TestGroups(t *testing.T) {
	generatortest.GroupedCases(t, generatortest.Grouped{Generate: Generate, Size: ServicesPerMigrationGroup, WithSize: generate, Worst: 128 << 10})
}
