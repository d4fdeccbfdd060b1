package schema

import (
	"fmt"
	"strings"
)

// Mermaid renders the dependency graph as a Mermaid flowchart: an arrow
// from a node to what it waits for, services as rounded boxes,
// infrastructure as cylinders, external components as hexagons.
func (c *Catalog) Mermaid() string {
	var b strings.Builder
	b.WriteString("flowchart LR\n")
	kinds := c.endpointKinds()
	for _, n := range c.graph.Order() {
		id := mermaidID(n)
		switch kinds[n] {
		case KindService:
			fmt.Fprintf(&b, "  %s(%s)\n", id, n)
		case KindExternal:
			fmt.Fprintf(&b, "  %s{{%s}}\n", id, n)
		default:
			fmt.Fprintf(&b, "  %s[(%s)]\n", id, n)
		}
	}
	for _, n := range c.graph.Order() {
		for _, d := range c.graph.DependsOn(n) {
			fmt.Fprintf(&b, "  %s --> %s\n", mermaidID(n), mermaidID(d))
		}
	}
	return b.String()
}

// DOT renders the same graph for Graphviz, ranked by startup level.
func (c *Catalog) DOT() string {
	var b strings.Builder
	fmt.Fprintf(&b, "digraph %q {\n  rankdir=LR;\n", c.Metadata.Name)
	kinds := c.endpointKinds()
	for _, n := range c.graph.Order() {
		shape := map[EndpointKind]string{KindService: "box", KindInfrastructure: "cylinder", KindExternal: "hexagon"}[kinds[n]]
		fmt.Fprintf(&b, "  %q [shape=%s, label=%q];\n", n, shape, fmt.Sprintf("%s\nlevel %d", n, c.graph.Level(n)))
	}
	for _, n := range c.graph.Order() {
		for _, d := range c.graph.DependsOn(n) {
			fmt.Fprintf(&b, "  %q -> %q;\n", n, d)
		}
	}
	b.WriteString("}\n")
	return b.String()
}

func (c *Catalog) endpointKinds() map[string]EndpointKind {
	m := map[string]EndpointKind{}
	for _, e := range c.Endpoints() {
		m[e.Name] = e.Kind
	}
	return m
}

// mermaidID makes a name safe as a Mermaid node id ('-' is an edge token).
func mermaidID(n string) string { return strings.ReplaceAll(n, "-", "_") }
