package load

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/novagen/novagen/catalog"
)

// partitionedCatalog has n services; every third one is labelled team
// payments, the rest are hashed over hashed partitions.
func partitionedCatalog(t *testing.T, n, hashed int) *catalog.Catalog {
	t.Helper()
	var b strings.Builder
	fmt.Fprintf(&b, `apiVersion: catalog.nova.dev/v1alpha1
kind: ServiceCatalog
metadata: {name: t}
spec:
  namespace: t
  defaults:
    image: {registry: registry.example/t, tag: "1.0"}
  partitions: {label: team, hashed: %d}
  services:
`, hashed)
	for i := range n {
		fmt.Fprintf(&b, "    - name: s%03d\n", i)
		if i%3 == 0 {
			b.WriteString("      labels: {team: payments}\n")
		}
	}
	cat, err := Parse("services.yaml", []byte(b.String()))
	if err != nil {
		t.Fatal(err)
	}
	return cat
}

func TestPartitionAssignment(t *testing.T) {
	cat := partitionedCatalog(t, 60, 3)
	names := cat.PartitionNames()
	if want := []string{"infrastructure", "hash-0", "hash-1", "hash-2", "payments"}; !slices.Equal(names, want) {
		t.Fatalf("partitions %v, want %v", names, want)
	}
	count := map[string]int{}
	for i, s := range cat.Spec.Services {
		p := cat.PartitionOf(s.Name)
		count[p]++
		if i%3 == 0 && p != "payments" {
			t.Errorf("%s is labelled team=payments but in partition %q", s.Name, p)
		}
		if i%3 != 0 && !strings.HasPrefix(p, "hash-") {
			t.Errorf("%s has no team label but is in partition %q", s.Name, p)
		}
	}
	// The hash spreads: no hashed partition is empty or holds everything.
	for _, p := range []string{"hash-0", "hash-1", "hash-2"} {
		if count[p] == 0 || count[p] == 40 {
			t.Errorf("partition %s holds %d of 40 hashed services", p, count[p])
		}
	}
	// Adding a service moves no other one.
	bigger := partitionedCatalog(t, 61, 3)
	for _, s := range cat.Spec.Services {
		if a, b := cat.PartitionOf(s.Name), bigger.PartitionOf(s.Name); a != b {
			t.Errorf("%s moved from %s to %s when a service was added", s.Name, a, b)
		}
	}
}

func TestPartitionDefault(t *testing.T) {
	cat := partitionedCatalog(t, 4, 0)
	if got := cat.PartitionNames(); !slices.Equal(got, []string{"infrastructure", "default", "payments"}) {
		t.Fatalf("partitions %v", got)
	}
	if _, err := cat.InPartition("nope"); err == nil || !strings.Contains(err.Error(), "it has infrastructure, default, payments") {
		t.Errorf("unknown partition: %v", err)
	}
	plain, err := Parse("services.yaml", []byte("apiVersion: catalog.nova.dev/v1alpha1\nkind: ServiceCatalog\nmetadata: {name: t}\nspec:\n  namespace: t\n  defaults: {image: {registry: r.example/t, tag: \"1\"}}\n  services: [{name: a}]\n"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := plain.InPartition("default"); err == nil || !strings.Contains(err.Error(), "declares no spec.partitions") {
		t.Errorf("unpartitioned catalog: %v", err)
	}
	if !plain.Owns("a") || !plain.OwnsShared() || plain.PartitionNames() != nil {
		t.Error("an unpartitioned catalog owns everything and has no partitions")
	}
}

// TestGroups: groups are bounded, never mix partitions, keep their
// suffixes in a partition's render, and the partitions' groups add up to
// the whole catalog's.
func TestGroups(t *testing.T) {
	cat := partitionedCatalog(t, 100, 2)
	var names []string
	for _, s := range cat.Spec.Services {
		names = append(names, s.Name)
	}
	whole := catalog.Groups(cat, names, cat.PartitionOf, 7)
	seen := map[string]bool{}
	var covered []string
	for _, g := range whole {
		if len(g.Members) == 0 || len(g.Members) > 7 {
			t.Errorf("group %s has %d members", g.Suffix, len(g.Members))
		}
		if seen[g.Suffix] || !strings.HasPrefix(g.Suffix, g.Partition+"-") {
			t.Errorf("suffix %q (partition %s) repeated or not the partition's", g.Suffix, g.Partition)
		}
		seen[g.Suffix] = true
		for _, m := range g.Members {
			if cat.PartitionOf(m) != g.Partition {
				t.Errorf("%s is in group %s of another partition", m, g.Suffix)
			}
		}
		covered = append(covered, g.Members...)
	}
	if slices.Sort(covered); !slices.Equal(covered, names) {
		t.Errorf("groups cover %d of %d members", len(covered), len(names))
	}
	var union []catalog.Group[string]
	for _, p := range cat.PartitionNames() {
		scoped, err := cat.InPartition(p)
		if err != nil {
			t.Fatal(err)
		}
		union = append(union, catalog.Groups(scoped, names, scoped.PartitionOf, 7)...)
	}
	if fmt.Sprint(union) != fmt.Sprint(whole) {
		t.Errorf("the partitions' groups differ from the whole catalog's:\n%v\n%v", union, whole)
	}

	plain := partitionedCatalog(t, 5, 0)
	plain.Spec.Partitions = nil // as unpartitioned
	plain.IndexPartitions()
	if g := catalog.Groups(plain, names[:5], plain.PartitionOf, 7); len(g) != 1 || g[0].Suffix != "" {
		t.Errorf("a small unpartitioned catalog is one group with no suffix: %+v", g)
	}
	if g := catalog.Groups(plain, names[:15], plain.PartitionOf, 7); len(g) != 3 || g[0].Suffix != "0" || g[2].Suffix != "2" || len(g[2].Members) != 1 {
		t.Errorf("an unpartitioned catalog over the size is numbered groups: %+v", g)
	}
}
