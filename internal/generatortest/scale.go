package generatortest

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
	"testing"

	"sigs.k8s.io/kustomize/kyaml/yaml"

	"github.com/novagen/novagen/catalog"
	"github.com/novagen/novagen/catalog/load"
	"github.com/novagen/novagen/generators/kube"
	"github.com/novagen/novagen/synth"
)

// SynthCatalog is synth's catalog of n services (seed 1), partitioned
// as synth partitions: team-labelled services and hashed ones.
func SynthCatalog(t testing.TB, n int) *catalog.Catalog {
	t.Helper()
	data, err := synth.Catalog(synth.Options{Services: n, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	cat, err := load.Parse("synth.yaml", data)
	if err != nil {
		t.Fatal(err)
	}
	if !cat.Partitioned() {
		t.Fatal("synth's catalogs are partitioned")
	}
	return cat
}

// renderEach is every object of gen on cat, rendered on its own, by
// "Kind/name".
func renderEach(t testing.TB, gen func(*catalog.Catalog) ([]kube.Object, error), cat *catalog.Catalog) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	for _, n := range Nodes(t, gen, cat) {
		key := n.GetKind() + "/" + n.GetName()
		if _, dup := out[key]; dup {
			t.Fatalf("%s rendered twice", key)
		}
		s, err := n.String()
		if err != nil {
			t.Fatal(err)
		}
		out[key] = []byte(s)
	}
	return out
}

// PartitionsAddUp asserts the partition invariant for one generator: the
// objects gen renders for each partition of cat (cat.InPartition), put
// together, are exactly those of the whole render, each once, byte for
// byte. It returns how many objects each partition got.
func PartitionsAddUp(t testing.TB, gen func(*catalog.Catalog) ([]kube.Object, error), cat *catalog.Catalog) map[string]int {
	t.Helper()
	if !cat.Partitioned() {
		t.Fatal("PartitionsAddUp needs a partitioned catalog")
	}
	whole := renderEach(t, gen, cat)
	union := map[string][]byte{}
	counts := map[string]int{}
	for _, p := range cat.PartitionNames() {
		scoped, err := cat.InPartition(p)
		if err != nil {
			t.Fatal(err)
		}
		for key, b := range renderEach(t, gen, scoped) {
			if _, dup := union[key]; dup {
				t.Errorf("%s is rendered by more than one partition (again by %s)", key, p)
			}
			union[key] = b
			counts[p]++
		}
	}
	var missing, extra []string
	for key, b := range whole {
		got, ok := union[key]
		switch {
		case !ok:
			missing = append(missing, key)
		case !bytes.Equal(got, b):
			t.Errorf("%s differs between its partition's render and the whole:\n%s\nvs\n%s", key, got, b)
		}
	}
	for key := range union {
		if _, ok := whole[key]; !ok {
			extra = append(extra, key)
		}
	}
	slices.Sort(missing)
	slices.Sort(extra)
	if len(missing) > 0 || len(extra) > 0 {
		t.Errorf("the partitions do not add up to the whole render: missing %v, extra %v", missing, extra)
	}
	return counts
}

// LargestObject is the size in bytes of gen's largest object on cat as
// YAML, and its "Kind/name".
func LargestObject(t testing.TB, gen func(*catalog.Catalog) ([]kube.Object, error), cat *catalog.Catalog) (int, string) {
	t.Helper()
	return largest(t, Nodes(t, gen, cat))
}

func largest(t testing.TB, nodes []*yaml.RNode) (int, string) {
	t.Helper()
	size, which := 0, ""
	for _, n := range nodes {
		s, err := n.String()
		if err != nil {
			t.Fatal(err)
		}
		if len(s) > size {
			size, which = len(s), n.GetKind()+"/"+n.GetName()
		}
	}
	return size, which
}

// pad is prefix filled with x up to n characters.
func pad(prefix string, n int) string { return prefix + strings.Repeat("x", n-len(prefix)) }

// WorstCaseDatabases is a catalog of n database-owning services where
// everything that sizes the PostgreSQL objects is at the loader's limit:
// names (service 60, database and reader role 63 characters), every
// database with a reader role and the longest description, the most
// extensions with the longest names, the longest image repository and
// tag. A full group of it is the largest a group can be.
func WorstCaseDatabases(t testing.TB, n int) *catalog.Catalog {
	t.Helper()
	var b strings.Builder
	b.WriteString("apiVersion: catalog.nova.dev/v1alpha1\nkind: ServiceCatalog\nmetadata: {name: " + pad("c", 49) + "}\nspec:\n")
	b.WriteString("  namespace: " + pad("n", 63) + "\n")
	fmt.Fprintf(&b, "  defaults:\n    image: {registry: %s, tag: %q}\n", pad("registry.example/", load.MaxImageRepository-61), strings.Repeat("1", 128))
	b.WriteString("  infrastructure:\n    postgres:\n      extensions: [")
	for i := range load.MaxPostgresExtensions {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(pad(fmt.Sprintf("e%02d-", i), 63))
	}
	b.WriteString("]\n  databases:\n")
	for i := range n {
		fmt.Fprintf(&b, "    - name: %s\n      readerRole: %s\n      description: %q\n",
			pad(fmt.Sprintf("d%05d_", i), 63), pad(fmt.Sprintf("r%05d_", i), 63), strings.Repeat("d", load.MaxDatabaseDescription))
	}
	b.WriteString("  services:\n")
	for i := range n {
		fmt.Fprintf(&b, "    - name: %s\n      database: %s\n", pad(fmt.Sprintf("s%05d-", i), 60), pad(fmt.Sprintf("d%05d_", i), 63))
	}
	cat, err := load.Parse("worst-case.yaml", []byte(b.String()))
	if err != nil {
		t.Fatal(err)
	}
	return cat
}

// SkipLarge skips a test of a 10 000-service catalog under -short and
// the race detector: minutes under the race detector; make scale-test
// checks the whole 10 000-service render without it.
func SkipLarge(t testing.TB) {
	t.Helper()
	if testing.Short() || raceEnabled {
		t.Skip("-short or -race: no 10 000-service catalog")
	}
}

// ScaleCases are the scale tests of a generator whose objects would
// otherwise grow with the catalog: its partitions of a partitioned
// 300-service synthetic catalog add up to its whole render
// (PartitionsAddUp), and each of its objects for 10 000 synthetic
// services is under 256 KiB (skipped with -short and -race).
func ScaleCases(t *testing.T, gen func(*catalog.Catalog) ([]kube.Object, error)) {
	t.Run("partitions add up", func(t *testing.T) {
		counts := PartitionsAddUp(t, gen, SynthCatalog(t, 300))
		t.Logf("objects per partition: %v", counts)
	})
	t.Run("10000 services", func(t *testing.T) {
		SkipLarge(t)
		nodes := Nodes(t, gen, SynthCatalog(t, 10_000))
		size, which := largest(t, nodes)
		t.Logf("%d objects for 10 000 services, the largest %s: %d bytes", len(nodes), which, size)
		if size >= 256<<10 {
			t.Errorf("%s has %d bytes, at most %d", which, size, 256<<10)
		}
	})
}

// Grouped is a generator that splits what would grow with the catalog
// into groups (catalog.Groups).
type Grouped struct {
	// Generate is the generator, with its group size Size.
	Generate func(*catalog.Catalog) ([]kube.Object, error)
	Size     int
	// WithSize is the generator with groups of at most size members.
	WithSize func(cat *catalog.Catalog, size int) ([]kube.Object, error)
	// Worst bounds the largest object of a full group of
	// WorstCaseDatabases, in bytes.
	Worst int
}

// GroupedCases are the tests of a grouped generator: ScaleCases; a full
// group of the worst case stays under g.Worst; and with groups of two,
// testdata/awkward-names renders as expected-groups-of-2.yaml.
func GroupedCases(t *testing.T, g Grouped) {
	ScaleCases(t, g.Generate)
	t.Run("worst case", func(t *testing.T) {
		size, which := LargestObject(t, g.Generate, WorstCaseDatabases(t, g.Size))
		t.Logf("a full group (%d members), the worst case: largest object %s, %d bytes", g.Size, which, size)
		if size >= g.Worst {
			t.Errorf("%s has %d bytes, at most %d", which, size, g.Worst)
		}
	})
	t.Run("groups of two", func(t *testing.T) {
		GoldenAs(t, func(cat *catalog.Catalog) ([]kube.Object, error) { return g.WithSize(cat, 2) }, "awkward-names", "expected-groups-of-2.yaml")
	})
}
