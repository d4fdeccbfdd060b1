package schema

import (
	"fmt"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// positions maps JSON pointers ("/spec/services/3/name") to where that
// value, and the key that introduces it, stand in the file. Schema errors
// and semantic checks both speak in pointers; this turns them into
// FILE:LINE:COL.
type positions struct {
	file   string
	values map[string]*yaml.Node
	keys   map[string]*yaml.Node
	dups   Errors // duplicate mapping keys, with their exact position
}

func indexPositions(file string, doc *yaml.Node) *positions {
	p := &positions{file: file, values: map[string]*yaml.Node{}, keys: map[string]*yaml.Node{}}
	p.walk("", doc)
	return p
}

func (p *positions) walk(ptr string, n *yaml.Node) {
	if n.Kind == yaml.DocumentNode && len(n.Content) > 0 {
		p.walk(ptr, n.Content[0])
		return
	}
	if n.Kind == yaml.AliasNode && n.Alias != nil {
		p.values[ptr] = n
		p.walkChildren(ptr, n.Alias)
		return
	}
	p.values[ptr] = n
	p.walkChildren(ptr, n)
}

func (p *positions) walkChildren(ptr string, n *yaml.Node) {
	switch n.Kind {
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			child := ptr + "/" + escapePointer(n.Content[i].Value)
			if first, ok := p.keys[child]; ok {
				k := n.Content[i]
				p.dups = append(p.dups, Error{Pos: Pos{File: p.file, Line: k.Line, Column: k.Column},
					Message: fmt.Sprintf("%s: duplicate key %q (first at line %d)", fieldPath(ptr), k.Value, first.Line)})
				continue
			}
			p.keys[child] = n.Content[i]
			p.walk(child, n.Content[i+1])
		}
	case yaml.SequenceNode:
		for i, c := range n.Content {
			p.walk(ptr+"/"+strconv.Itoa(i), c)
		}
	}
}

// value returns the position of the value at ptr, or of its closest
// existing ancestor (a missing field is reported where it should be).
func (p *positions) value(ptr string) Pos {
	for {
		if n, ok := p.values[ptr]; ok {
			return Pos{File: p.file, Line: n.Line, Column: n.Column}
		}
		if ptr == "" {
			return Pos{File: p.file}
		}
		ptr = ptr[:strings.LastIndex(ptr, "/")]
	}
}

// key returns the position of the key that introduces ptr (where an
// unknown field is reported), falling back to the value.
func (p *positions) key(ptr string) Pos {
	if n, ok := p.keys[ptr]; ok {
		return Pos{File: p.file, Line: n.Line, Column: n.Column}
	}
	return p.value(ptr)
}

func escapePointer(s string) string {
	return strings.NewReplacer("~", "~0", "/", "~1").Replace(s)
}

func unescapePointer(s string) string {
	return strings.NewReplacer("~1", "/", "~0", "~").Replace(s)
}

// fieldPath renders a JSON pointer as the dotted path users know from
// kubectl explain: /spec/services/3/name -> spec.services[3].name.
func fieldPath(ptr string) string {
	var b strings.Builder
	for _, seg := range strings.Split(strings.TrimPrefix(ptr, "/"), "/") {
		if seg == "" {
			continue
		}
		if _, err := strconv.Atoi(seg); err == nil {
			b.WriteString("[" + seg + "]")
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('.')
		}
		b.WriteString(unescapePointer(seg))
	}
	if b.Len() == 0 {
		return "document"
	}
	return b.String()
}
