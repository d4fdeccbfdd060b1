package kube

import (
	"fmt"

	"github.com/novagen/novagen/catalog"
)

// GroupNames checks the names of a group's objects (catalog.Groups):
// named <name>-<partition>-<k>, each must still fit its Kubernetes limit,
// which a long partition name can break. It reports a partition once
// (reported), at the place the partition is named, as what of its objects
// ("PostgreSQL objects") is too long; a generator's Check uses it.
type GroupNames struct {
	Catalog  *catalog.Catalog
	Objects  string // whose objects, in the message: "PostgreSQL objects"
	reported map[string]bool
	Problems []catalog.Problem
}

// Fit records a problem when name, an object of kind in partition, is
// longer than limit.
func (g *GroupNames) Fit(partition, kind, name string, limit int) {
	if len(name) <= limit || g.reported[partition] {
		return
	}
	if g.reported == nil {
		g.reported = map[string]bool{}
	}
	g.reported[partition] = true
	g.Problems = append(g.Problems, catalog.Problem{
		Pointer: g.Catalog.PartitionPointer(partition),
		Message: fmt.Sprintf("partition %q is too long for its %s: %s %q would have %d characters, at most %d; shorten the partition name",
			partition, g.Objects, kind, name, len(name), limit),
	})
}
