package load

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestExternalFacts: in services.yaml search-service waits for
// elasticsearch and graph-service for neo4j, graphql-gateway for
// elasticsearch through search-service; nothing else waits for an
// external component.
func TestExternalFacts(t *testing.T) {
	cat, err := Load("../../services.yaml")
	require.NoError(t, err)
	var waiting []string
	for _, n := range cat.Graph().Nodes() {
		if cat.WaitsForExternal(n) {
			waiting = append(waiting, n)
		}
	}
	assert.Equal(t, []string{"graph-service", "graphql-gateway", "search-service"}, waiting)
	assert.Equal(t, []string{"elasticsearch"}, cat.ExternalsOf("graphql-gateway"))
	assert.Equal(t, []string{"neo4j"}, cat.ExternalsOf("graph-service"))
	assert.Empty(t, cat.ExternalsOf("elasticsearch"), "a component does not wait for itself")
	assert.Equal(t, []string{"search-service", "graphql-gateway"}, cat.ExternalDependents("elasticsearch"), "catalog order")
	assert.Equal(t, []string{"graph-service"}, cat.ExternalDependents("neo4j"))
	assert.Equal(t, 2, cat.ExternalWaitLevels(), "graphql-gateway waits for search-service, which waits for elasticsearch")
}

// TestExternalChains: sets merge along every path, levels count the
// longest chain of waiting nodes, and a node that waits for nothing
// external is in no set whatever it depends on.
func TestExternalChains(t *testing.T) {
	const catalog = catalogHead + `  infrastructure:
    postgres: {}
    external:
      - {name: ext-a, host: a.example.com, port: 1}
      - {name: ext-b, host: b.example.com, port: 2}
  services:
    - {name: plain, dependsOn: [postgres]}
    - {name: a, dependsOn: [ext-a, plain]}
    - {name: b, dependsOn: [ext-b]}
    - {name: ab, dependsOn: [a, b]}
    - {name: top, dependsOn: [ab, plain, ext-a]}
    - {name: other, dependsOn: [plain]}
`
	cat, err := Parse("chains.yaml", []byte(catalog))
	require.NoError(t, err)
	for node, want := range map[string][]string{
		"plain": nil, "other": nil, "postgres": nil, "ext-a": nil,
		"a": {"ext-a"}, "b": {"ext-b"}, "ab": {"ext-a", "ext-b"}, "top": {"ext-a", "ext-b"},
	} {
		assert.Equal(t, want, cat.ExternalsOf(node), node)
		assert.Equal(t, want != nil, cat.WaitsForExternal(node), node)
	}
	assert.Equal(t, []string{"a", "ab", "top"}, cat.ExternalDependents("ext-a"))
	assert.Equal(t, []string{"b", "ab", "top"}, cat.ExternalDependents("ext-b"))
	assert.Equal(t, 3, cat.ExternalWaitLevels(), "top waits for ab, which waits for a, which waits for ext-a")
}

// TestExternalIndexIsLinear: a long chain of services over one external
// component indexes in far less time than a scan per service would take,
// and every service shares the one set.
func TestExternalIndexIsLinear(t *testing.T) {
	const n = 20000
	var b strings.Builder
	b.WriteString(catalogHead + `  infrastructure:
    external: [{name: ext, host: ext.example.com, port: 1}]
  services:
    - {name: s0, dependsOn: [ext]}
`)
	for i := 1; i < n; i++ {
		// Each service waits for the one before it and one far back.
		deps := fmt.Sprintf("s%d", i-1)
		if i/2 < i-1 {
			deps += fmt.Sprintf(", s%d", i/2)
		}
		fmt.Fprintf(&b, "    - {name: s%d, dependsOn: [%s]}\n", i, deps)
	}
	cat, err := Parse("long.yaml", []byte(b.String()))
	require.NoError(t, err)
	start := time.Now()
	cat.Index(cat.DeclaredEndpoints(), cat.Graph()) // the externals index is part of it
	assert.Less(t, time.Since(start), 2*time.Second)
	assert.Len(t, cat.ExternalDependents("ext"), n)
	assert.Equal(t, n, cat.ExternalWaitLevels())
	first, last := cat.ExternalsOf("s0"), cat.ExternalsOf(fmt.Sprintf("s%d", n-1))
	assert.Same(t, &first[0], &last[0], "one shared set")
}
