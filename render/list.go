package render

import (
	"bytes"
	"fmt"
	"io"

	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// WriteResourceList prints a ResourceList (or List) of items, with the
// function config and results when not nil, as kio.ByteWriter prints one
// for a KRM function (keeping reader annotations), a piece at a time:
// kio.ByteWriter encodes the whole list with one yaml.v3 encoder, which
// holds the events of every object until the end. Items the emitter
// prints go through it; any other item, the function config and the
// results through yaml.v3, each with an encoder of its own.
func WriteResourceList(w io.Writer, apiVersion, kind string, items []*yaml.RNode, functionConfig, results *yaml.RNode) error {
	e := emitter{buf: make([]byte, 0, flushSize+flushSize/2)}
	e.start()
	list := &yaml.Node{Kind: yaml.SequenceNode} // printed [] when empty
	if len(items) > 0 {
		list = nil // the key alone; the items follow
	}
	if !e.field("apiVersion", &yaml.Node{Kind: yaml.ScalarNode, Value: apiVersion}) ||
		!e.field("kind", &yaml.Node{Kind: yaml.ScalarNode, Value: kind}) || !e.field("items", list) {
		return fmt.Errorf("cannot print a %s %s", apiVersion, kind)
	}
	for _, it := range items {
		if it == nil || it.YNode() == nil || !unchanged(it.YNode(), true) || !e.item(it.YNode()) {
			if err := e.itemV3(it); err != nil {
				return err
			}
		}
		if len(e.buf) >= flushSize {
			if err := e.flush(w); err != nil {
				return err
			}
		}
	}
	var rest []*yaml.Node
	if functionConfig != nil {
		rest = append(rest, &yaml.Node{Kind: yaml.ScalarNode, Value: "functionConfig"}, functionConfig.YNode())
	}
	if results != nil {
		rest = append(rest, &yaml.Node{Kind: yaml.ScalarNode, Value: "results"}, results.YNode())
	}
	if rest != nil {
		if err := e.appendV3(&yaml.Node{Kind: yaml.MappingNode, Content: rest}, ""); err != nil {
			return err
		}
	} else {
		e.writeIndent(-1) // the document's end
	}
	return e.flush(w)
}

// itemV3 appends what yaml.v3 prints for the list item n, as
// kio.ByteWriter prepares it (a copy, empty annotations cleared).
func (e *emitter) itemV3(n *yaml.RNode) error {
	n = n.Copy()
	if err := yaml.ClearEmptyAnnotations(n); err != nil {
		return err
	}
	items := &yaml.Node{Kind: yaml.SequenceNode, Content: []*yaml.Node{n.YNode()}}
	return e.appendV3(&yaml.Node{Kind: yaml.MappingNode, Content: []*yaml.Node{{Kind: yaml.ScalarNode, Value: "items"}, items}}, "items:\n")
}

// appendV3 appends the fields of mapping m as yaml.v3 prints them, from a
// new line, without its first line if that is skip.
func (e *emitter) appendV3(m *yaml.Node, skip string) error {
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	if err := enc.Encode(m); err != nil {
		return err
	}
	if err := enc.Close(); err != nil {
		return err
	}
	out, ok := bytes.CutPrefix(buf.Bytes(), []byte(skip))
	if !ok {
		return fmt.Errorf("yaml.v3 printed %q, not %q first", buf.Bytes(), skip)
	}
	e.writeIndent(0)
	e.buf = append(e.buf, out...)
	e.start() // after the document's final line break
	return nil
}
