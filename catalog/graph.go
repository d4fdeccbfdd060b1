package catalog

import (
	"slices"
	"strings"
)

// Graph is the dependency graph of services and infrastructure: an edge
// a -> b means a waits for b. Startup order, Argo CD sync waves,
// NetworkPolicies and `novagen graph` are all derived from it.
type Graph struct {
	nodes      []string            // sorted
	deps       map[string][]string // declared order, as the catalog lists them
	dependents map[string][]string // reverse edges, sorted
	level      map[string]int
	maxLevel   int
	order      []string // by level, then name
}

// maxCycles is how many cycles one load reports: each is a separate fix,
// and a hostile graph can have more cycles than any report should list.
const maxCycles = 20

// NewGraph builds the graph; it reports cycles rather than levels when
// the edges are not acyclic.
func NewGraph(nodes []string, deps map[string][]string) (*Graph, [][]string) {
	g := &Graph{nodes: slices.Sorted(slices.Values(nodes)), deps: deps, level: map[string]int{}}
	if cycles := g.cycles(); len(cycles) > 0 {
		return nil, cycles
	}
	var visit func(n string) int
	visit = func(n string) int {
		if l, ok := g.level[n]; ok {
			return l
		}
		l := 0
		for _, d := range g.deps[n] {
			l = max(l, visit(d)+1)
		}
		g.level[n] = l
		return l
	}
	for _, n := range g.nodes {
		g.maxLevel = max(g.maxLevel, visit(n))
	}
	g.order = slices.Clone(g.nodes)
	slices.SortStableFunc(g.order, func(a, b string) int { return g.level[a] - g.level[b] })
	// Walking sorted nodes appends each list's sources in sorted order.
	g.dependents = map[string][]string{}
	for _, n := range g.nodes {
		for _, d := range g.deps[n] {
			g.dependents[d] = append(g.dependents[d], n)
		}
	}
	return g, nil
}

// cycles finds every elementary cycle reachable in a depth-first walk,
// each rotated to start at its smallest name so reports are stable.
func (g *Graph) cycles() [][]string {
	const (
		unseen = iota
		active
		done
	)
	state := map[string]int{}
	var stack []string
	at := map[string]int{} // position of an active node on the stack
	seen := map[string]bool{}
	var out [][]string
	var walk func(n string)
	walk = func(n string) {
		state[n] = active
		at[n] = len(stack)
		stack = append(stack, n)
		for _, d := range g.deps[n] {
			switch state[d] {
			case unseen:
				walk(d)
			case active:
				if len(out) >= maxCycles {
					continue
				}
				cycle := rotateToMin(slices.Clone(stack[at[d]:]))
				key := strings.Join(cycle, "\x00")
				if !seen[key] {
					seen[key] = true
					out = append(out, cycle)
				}
			}
		}
		stack = stack[:len(stack)-1]
		state[n] = done
	}
	for _, n := range g.nodes {
		if state[n] == unseen {
			walk(n)
		}
	}
	return out
}

func rotateToMin(c []string) []string {
	m := slices.Index(c, slices.Min(c))
	return append(c[m:], c[:m]...)
}

// Nodes returns every node name, sorted.
func (g *Graph) Nodes() []string { return slices.Clone(g.nodes) }

// Order returns the nodes in a startup order: every node after all it
// depends on, ties broken by level and then name.
func (g *Graph) Order() []string { return slices.Clone(g.order) }

// Level is the length of the longest dependency chain below n: 0 for a
// node that waits for nothing.
func (g *Graph) Level(n string) int { return g.level[n] }

// MaxLevel is the highest level in the graph.
func (g *Graph) MaxLevel() int { return g.maxLevel }

// DependsOn returns what n waits for, in the catalog's order.
func (g *Graph) DependsOn(n string) []string { return slices.Clone(g.deps[n]) }

// Dependents returns the nodes that wait for n, sorted.
func (g *Graph) Dependents(n string) []string { return slices.Clone(g.dependents[n]) }
