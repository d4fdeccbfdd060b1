package synth

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	catmodel "github.com/novagen/novagen/catalog"
	"github.com/novagen/novagen/catalog/load"
)

var seeds = []uint64{1, 2, 0xdecafbad}

func loadCatalog(t *testing.T, o Options) *catmodel.Catalog {
	t.Helper()
	data, err := Catalog(o)
	require.NoError(t, err)
	cat, err := load.Parse("synth.yaml", data)
	require.NoError(t, err, "synth --services %d --seed %d does not load", o.Services, o.Seed)
	return cat
}

func TestCatalogLoadsWithItsShape(t *testing.T) {
	for _, n := range []int{1, 2, 15, 100, 1000} {
		for _, seed := range seeds {
			t.Run(fmt.Sprintf("services=%d/seed=%d", n, seed), func(t *testing.T) {
				checkShape(t, n, loadCatalog(t, Options{Services: n, Seed: seed}))
			})
		}
	}
}

// TestCatalogLoadsAtLargeSizes: synth's output loads at every size it
// accepts, here around the loader's per-catalog limit (ClickHouse
// clients reach load.MaxClickHouseClients at about 10 000 services)
// and at the largest. Each takes seconds to load, the largest about 20 s
// and 2 GB (writing its 14 MB of YAML is half of it); under the race
// detector that one takes minutes and many GB, so it runs only without
// it (go test ./synth), and TestCatalogStaysWithinLoaderLimits covers
// the largest size there.
func TestCatalogLoadsAtLargeSizes(t *testing.T) {
	if testing.Short() {
		t.Skip("10 000 services and more: slow; runs without -short")
	}
	for _, n := range []int{10_000, 10_500, MaxServices} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			if n == MaxServices && raceEnabled {
				t.Skip("the largest catalog under the race detector: minutes and many GB")
			}
			checkShape(t, n, loadCatalog(t, Options{Services: n, Seed: 1}))
		})
	}
}

// TestCatalogStaysWithinLoaderLimits: the loader's per-service and
// per-catalog limits hold for the generated catalog at the sizes around
// them and at the largest, without the cost of writing and loading it.
func TestCatalogStaysWithinLoaderLimits(t *testing.T) {
	for _, n := range []int{9_999, 10_500, 20_000, MaxServices} {
		for _, seed := range []uint64{1, 2} {
			c := generate(Options{Services: n, Seed: seed})
			clickhouse := 0
			for _, s := range c.Spec.Services {
				if slices.Contains(s.DependsOn, "clickhouse") {
					clickhouse++
				}
				assert.LessOrEqual(t, len(s.DependsOn), load.MaxDependsOn, s.Name)
				assert.LessOrEqual(t, max(len(s.Produces), len(s.Consumes)), load.MaxServiceTopics, s.Name)
			}
			assert.LessOrEqual(t, clickhouse, load.MaxClickHouseClients, "ClickHouse clients at %d services, seed %d", n, seed)
			assert.Positive(t, clickhouse)
			assert.LessOrEqual(t, c.Spec.Partitions.Hashed, catmodel.MaxHashedPartitions, "hashed partitions at %d services", n)
		}
	}
}

// TestCatalogLoadsForEverySmallSize covers the sizes where rounding,
// name widths and "at least one" rules change.
func TestCatalogLoadsForEverySmallSize(t *testing.T) {
	for n := 1; n <= 120; n++ {
		loadCatalog(t, Options{Services: n, Seed: uint64(n)})
	}
}

var dns1035 = regexp.MustCompile(`^[a-z]([-a-z0-9]*[a-z0-9])?$`)

// checkShape checks, from the loaded catalog, what makes a synthetic
// catalog look like a real one.
func checkShape(t *testing.T, n int, cat *catmodel.Catalog) {
	t.Helper()
	s := cat.Spec
	assert.Equal(t, "synth", cat.Metadata.Name)
	assert.Equal(t, "synth", s.Namespace)
	require.Len(t, s.Services, n)

	index := map[string]int{}
	roles := map[string]bool{}
	owners, topicUsers := 0, 0
	for i, svc := range s.Services {
		assert.Equal(t, fmt.Sprintf("svc-%0*d", len(fmt.Sprint(n)), i+1), svc.Name)
		assert.Regexp(t, dns1035, svc.Name)
		assert.LessOrEqual(t, len(svc.Name), 54)
		index[svc.Name] = i
		roles[svc.Role()] = true
		if svc.Database != "" {
			owners++
		}
		if len(svc.Produces)+len(svc.Consumes) > 0 {
			topicUsers++
			assert.Contains(t, svc.DependsOn, "kafka", svc.Name)
			assert.LessOrEqual(t, len(svc.Produces), 3, svc.Name)
			assert.LessOrEqual(t, len(svc.Consumes), 3, svc.Name)
		}
		serviceDeps := 0
		for _, d := range svc.DependsOn {
			if j, ok := index[d]; ok {
				serviceDeps++
				assert.Less(t, j, i, "%s depends on %s, not an earlier service", svc.Name, d)
			} else if _, isService := cat.Service(d); isService {
				t.Errorf("%s depends on the later service %s", svc.Name, d)
			}
		}
		assert.LessOrEqual(t, serviceDeps, 3, svc.Name)
	}
	if n >= 100 {
		share := float64(owners) / float64(n)
		assert.True(t, share >= 0.75 && share <= 0.95, "database owners: %d of %d", owners, n)
		assert.InDelta(t, float64(n)/10, float64(topicUsers), float64(n)/20, "topic users")
	}
	assert.InDelta(t, float64(n)/10, float64(len(s.Topics)), 1, "topics")
	assert.NotEmpty(t, s.Topics)
	assert.Positive(t, topicUsers, "some service uses the topics")
	for _, tp := range s.Topics {
		assert.True(t, tp.Partitions >= 1 && tp.Partitions <= 12, "%s has %d partitions", tp.Name, tp.Partitions)
	}

	readOnly, readers := 0, map[string]bool{}
	for _, d := range s.Databases {
		if d.ReadOnly {
			readOnly++
			_, owned := cat.DatabaseOwner(d.Name)
			assert.False(t, owned, "read-only %s has an owner", d.Name)
		}
		if r := d.ReaderRole; r != "" {
			assert.False(t, readers[r], "reader role %s twice", r)
			assert.False(t, roles[r], "reader role %s is a service's role", r)
			assert.False(t, strings.HasPrefix(r, "pg_"), r)
			readers[r] = true
		}
	}
	assert.Positive(t, readOnly, "read-only databases")
	assert.NotEmpty(t, readers, "reader roles")

	inf := s.Infrastructure
	for _, c := range []bool{inf.Postgres != nil, inf.Redis != nil, inf.Zookeeper != nil, inf.Kafka != nil, inf.ClickHouse != nil} {
		assert.True(t, c, "every infrastructure component is declared")
	}
	assert.Equal(t, "zookeeper", inf.Kafka.Mode)
	assert.Equal(t, 1, inf.Kafka.Brokers)
	assert.NotEmpty(t, inf.Postgres.Extensions)
	require.Len(t, inf.External, 2)
	for _, e := range inf.External {
		// Fully qualified: more than the name the loader defaults host to.
		assert.True(t, strings.HasPrefix(e.Host, e.Name+".") && strings.HasSuffix(e.Host, ".svc.cluster.local"), e.Host)
		assert.NotZero(t, e.Port)
	}
}

func TestCatalogIsDeterministic(t *testing.T) {
	for _, n := range []int{1, 100, 1000} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			a, err := Catalog(Options{Services: n, Seed: 7})
			require.NoError(t, err)
			b, err := Catalog(Options{Services: n, Seed: 7})
			require.NoError(t, err)
			assert.Equal(t, string(a), string(b), "same options, same bytes")
			c, err := Catalog(Options{Services: n, Seed: 8})
			require.NoError(t, err)
			assert.NotEqual(t, string(a), string(c), "another seed, another catalog")
		})
	}
}

func TestCatalogSaysWhatItIs(t *testing.T) {
	data, err := Catalog(Options{Services: 3, Seed: 9})
	require.NoError(t, err)
	first, _, _ := strings.Cut(string(data), "\n")
	assert.Regexp(t, `^# .*[Ss]ynthetic.*--services 3 --seed 9`, first)
}

func TestCatalogRejectsSizes(t *testing.T) {
	for _, n := range []int{0, -1, MaxServices + 1} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			data, err := Catalog(Options{Services: n})
			assert.ErrorContains(t, err, "services must be between 1 and 100000")
			assert.Nil(t, data)
		})
	}
}

func TestDistinctTakesAllWhenAskedForMore(t *testing.T) {
	assert.Equal(t, []int{0, 1, 2}, distinct(nil, 3, 5, nil), "no draw needed")
}
