package catalog

import (
	"fmt"
	"strings"
)

// Mermaid renders the dependency graph as a Mermaid flowchart: an arrow
// from a node to what it waits for, services as rounded boxes,
// infrastructure as cylinders, external components as hexagons; then the
// Kafka topics as parallelograms, with a dotted arrow from each service
// that produces or consumes one, labelled so.
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
	// Topic names may hold '.', which Mermaid ids may not: number them.
	ids := map[string]string{}
	for i, t := range c.Spec.Topics {
		ids[t.Name] = fmt.Sprintf("topic_%d", i+1)
		fmt.Fprintf(&b, "  %s[/%s/]\n", ids[t.Name], t.Name)
	}
	c.topicEdges(func(service, verb, topic string) {
		fmt.Fprintf(&b, "  %s -. %s .-> %s\n", mermaidID(service), verb, ids[topic])
	})
	return b.String()
}

// topicEdges calls edge for every topic a service produces or consumes,
// services in catalog order.
func (c *Catalog) topicEdges(edge func(service, verb, topic string)) {
	for _, s := range c.Spec.Services {
		for _, t := range s.Produces {
			edge(s.Name, "produces", t)
		}
		for _, t := range s.Consumes {
			edge(s.Name, "consumes", t)
		}
	}
}

// DOT renders the same graph for Graphviz, ranked by startup level, and
// the topics with dashed produce and consume edges.
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
	// A topic may be named like a service: its node id says it is one.
	for _, t := range c.Spec.Topics {
		fmt.Fprintf(&b, "  %q [shape=parallelogram, label=%q];\n", "topic:"+t.Name, t.Name)
	}
	c.topicEdges(func(service, verb, topic string) {
		fmt.Fprintf(&b, "  %q -> %q [style=dashed, label=%q];\n", service, "topic:"+topic, verb)
	})
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
