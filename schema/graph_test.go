package schema

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestGraph(t *testing.T) {
	tests := []struct {
		name       string
		deps       map[string][]string
		wantOrder  []string
		wantLevels map[string]int
		wantCycles [][]string
	}{
		{
			name:       "chain and fan-in, ties by name",
			deps:       map[string][]string{"gw": {"b", "a"}, "b": {"db"}, "a": {"db"}},
			wantOrder:  []string{"db", "a", "b", "gw"},
			wantLevels: map[string]int{"db": 0, "a": 1, "b": 1, "gw": 2},
		},
		{
			name:       "level is the longest chain",
			deps:       map[string][]string{"c": {"a", "b"}, "b": {"a"}},
			wantOrder:  []string{"a", "b", "c"},
			wantLevels: map[string]int{"a": 0, "b": 1, "c": 2},
		},
		{
			name:       "two cycles, each named once from its smallest member",
			deps:       map[string][]string{"c": {"b"}, "b": {"a"}, "a": {"c"}, "x": {"y"}, "y": {"x"}},
			wantCycles: [][]string{{"a", "c", "b"}, {"x", "y"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			nodes := map[string]bool{}
			for n, ds := range tt.deps {
				nodes[n] = true
				for _, d := range ds {
					nodes[d] = true
				}
			}
			g, cycles := newGraph(keys(nodes), tt.deps)
			assert.Equal(t, tt.wantCycles, cycles)
			if tt.wantCycles != nil {
				assert.Nil(t, g)
				return
			}
			assert.Equal(t, tt.wantOrder, g.Order())
			for n, l := range tt.wantLevels {
				assert.Equal(t, l, g.Level(n), n)
			}
		})
	}
}

func TestStagingGraph(t *testing.T) {
	cat, err := Load("../services.yaml")
	if err != nil {
		t.Fatal(err)
	}
	g := cat.Graph()
	pos := map[string]int{}
	for i, n := range g.Order() {
		pos[n] = i
	}
	for _, n := range g.Nodes() {
		for _, d := range g.DependsOn(n) {
			assert.Less(t, pos[d], pos[n], "%s must start after %s", n, d)
			assert.Less(t, g.Level(d), g.Level(n))
		}
	}
	assert.Equal(t, []string{"postgres", "content-service"}, g.DependsOn("media-service"))
	assert.Equal(t, []string{"kafka"}, g.Dependents("zookeeper"))
}
