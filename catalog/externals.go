package catalog

// What waits, directly or through other nodes, for an external component
// (spec.infrastructure.external): novagen cannot start or repair one, so
// whatever needs it may wait for as long as it is down. The sync waves
// keep such nodes out of every wave Argo CD waits for, and the validation
// names them when an external component does not answer.

// externalIndex is computed once, in graph order: each node's set comes
// from its dependencies' sets, so the cost is the graph's edges times the
// (few) external components, never a scan of the catalog per node.
type externalIndex struct {
	of         map[string][]string // node -> the external components it waits for, sorted; shared with its dependencies' where equal
	dependents map[string][]string // external component -> the services waiting for it, in catalog order
	level      map[string]int      // node -> its place in the longest chain of such nodes (1: waits for an external itself)
	levels     int                 // the longest such chain
}

func (c *Catalog) indexExternals() {
	ix := externalIndex{of: map[string][]string{}, dependents: map[string][]string{}, level: map[string]int{}}
	for _, n := range c.graph.Order() { // every node after what it waits for
		var of []string
		level := 0
		for _, d := range c.graph.DependsOn(n) {
			if e, ok := c.Endpoint(d); ok && e.Kind == KindExternal {
				of = union(of, []string{d})
				level = max(level, 1)
				continue
			}
			if dl, ok := ix.level[d]; ok {
				of = union(of, ix.of[d])
				level = max(level, dl+1)
			}
		}
		if len(of) > 0 {
			ix.of[n], ix.level[n] = of, level
			ix.levels = max(ix.levels, level)
		}
	}
	for i := range c.Spec.Services {
		name := c.Spec.Services[i].Name
		for _, e := range ix.of[name] {
			ix.dependents[e] = append(ix.dependents[e], name)
		}
	}
	c.index.externals = ix
}

// union merges two sorted sets of names, returning one of them unchanged
// when it holds the other, so nodes with the same set share one slice.
func union(a, b []string) []string {
	if subset(b, a) {
		return a
	}
	if subset(a, b) {
		return b
	}
	out := make([]string, 0, len(a)+len(b))
	i, j := 0, 0
	for i < len(a) && j < len(b) {
		switch {
		case a[i] < b[j]:
			out = append(out, a[i])
			i++
		case a[i] > b[j]:
			out = append(out, b[j])
			j++
		default:
			out = append(out, a[i])
			i, j = i+1, j+1
		}
	}
	return append(append(out, a[i:]...), b[j:]...)
}

// subset says whether every name of sorted a is in sorted b.
func subset(a, b []string) bool {
	j := 0
	for _, x := range a {
		for j < len(b) && b[j] < x {
			j++
		}
		if j == len(b) || b[j] != x {
			return false
		}
	}
	return true
}

// WaitsForExternal says whether node waits for an external component,
// directly or through other nodes it waits for.
func (c *Catalog) WaitsForExternal(node string) bool { return len(c.index.externals.of[node]) > 0 }

// ExternalsOf lists the external components node waits for, directly or
// through other nodes, sorted. The slice is shared.
func (c *Catalog) ExternalsOf(node string) []string { return c.index.externals.of[node] }

// ExternalDependents lists the services that wait for external component
// name, directly or through other services, in catalog order. The slice
// is shared.
func (c *Catalog) ExternalDependents(name string) []string { return c.index.externals.dependents[name] }

// ExternalWaitLevels is the longest chain of nodes that wait for an
// external component, each for the next and the last for the component
// itself: how many waits, one after another, the nodes that wait for
// externals may spend starting. 0 when none does.
func (c *Catalog) ExternalWaitLevels() int { return c.index.externals.levels }
