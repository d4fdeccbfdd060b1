package load

import (
	"encoding/json"
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v4"

	"github.com/novagen/novagen/catalog"
	"github.com/novagen/novagen/internal/guard"
)

// positions maps JSON pointers ("/spec/services/3/name") to where that
// value, and the key that introduces it, stand in the file. Schema errors
// and semantic checks both speak in pointers; this turns them into
// FILE:LINE:COL.
type positions struct {
	file   string
	values map[string]*yaml.Node
	keys   map[string]*yaml.Node
	// redirects maps a pointer whose value an environment's overlay
	// replaced to the overlay's pointer: it and everything below it are
	// found there.
	redirects map[string]string
}

// redirect says the value at ptr (and below) is written at to.
func (p *positions) redirect(ptr, to string) {
	if p.redirects == nil {
		p.redirects = map[string]string{}
	}
	p.redirects[ptr] = to
}

// resolve follows the redirect of ptr or of its nearest parent that has
// one; a pointer without any is its own.
func (p *positions) resolve(ptr string) string {
	if len(p.redirects) == 0 {
		return ptr
	}
	for prefix := ptr; ; {
		if to, ok := p.redirects[prefix]; ok {
			return to + ptr[len(prefix):]
		}
		i := strings.LastIndex(prefix, "/")
		if i < 0 {
			return ptr
		}
		prefix = prefix[:i]
	}
}

// MinAliasBudget is how many nodes YAML aliases may add to a catalog
// however small it is: the guard's, as for every input.
const MinAliasBudget = guard.MinAliasBudget

// convert turns the YAML tree into the JSON data model the schema
// validator and the Go types expect (json.Number for numbers, string keys
// only, merge keys applied, aliases expanded within a budget), and records
// every value's position on the way. It never follows an alias without
// charging its budget, so its cost is bounded by the input's size.
type converter struct {
	pos     *positions
	errs    Errors
	budget  int                 // nodes aliases may still add
	inAlias int                 // > 0 while expanding an alias
	active  map[*yaml.Node]bool // anchors being expanded: a cycle guard
	stopped bool                // the budget ran out: stop everywhere
	depth   int                 // how deep value is, aliases expanded
}

func newConverter(file string, doc *yaml.Node) *converter {
	return &converter{
		pos:    &positions{file: file, values: map[string]*yaml.Node{}, keys: map[string]*yaml.Node{}},
		budget: max(MinAliasBudget, countNodes(doc)),
		active: map[*yaml.Node]bool{},
	}
}

// countNodes counts the nodes written in the file, not following aliases.
func countNodes(n *yaml.Node) int {
	c := 1
	for _, k := range n.Content {
		c += countNodes(k)
	}
	return c
}

func (c *converter) errorAt(n *yaml.Node, format string, args ...any) {
	c.errs = append(c.errs, Error{Pos: Pos{File: c.pos.file, Line: n.Line, Column: n.Column}, Message: fmt.Sprintf(format, args...)})
}

// value converts n, the value at ptr.
func (c *converter) value(ptr string, n *yaml.Node) any {
	if c.stopped {
		return nil
	}
	if c.depth++; c.depth > guard.MaxDepth {
		c.errorAt(n, "values nest deeper than %d levels", guard.MaxDepth)
		c.stopped = true
		return nil
	}
	defer func() { c.depth-- }()
	if c.inAlias > 0 {
		if c.budget--; c.budget < 0 {
			c.stopped = true
			return nil
		}
	}
	if _, seen := c.pos.values[ptr]; !seen {
		c.pos.values[ptr] = n
	}
	switch n.Kind {
	case yaml.DocumentNode:
		if len(n.Content) == 0 {
			return nil
		}
		return c.value(ptr, n.Content[0])
	case yaml.AliasNode:
		return c.alias(ptr, n)
	case yaml.MappingNode:
		return c.mapping(ptr, n)
	case yaml.SequenceNode:
		out := make([]any, 0, len(n.Content))
		for i, item := range n.Content {
			out = append(out, c.value(ptr+"/"+strconv.Itoa(i), item))
		}
		return out
	default:
		return c.scalar(ptr, n)
	}
}

// alias expands an alias, charging every node it adds to the budget.
func (c *converter) alias(ptr string, n *yaml.Node) any {
	if n.Alias == nil || c.active[n.Alias] {
		c.errorAt(n, "alias *%s refers to a value that contains it", n.Value)
		return nil
	}
	c.active[n.Alias] = true
	c.inAlias++
	v := c.value(ptr, n.Alias)
	c.inAlias--
	delete(c.active, n.Alias)
	if c.stopped && c.inAlias == 0 {
		c.budgetError(n)
	}
	return v
}

func (c *converter) budgetError(alias *yaml.Node) {
	c.errorAt(alias, "alias *%s expands the catalog beyond its limit (YAML aliases may add at most as many nodes as the file has, and at least %d): write the values out, or use fewer nested aliases", alias.Value, MinAliasBudget)
}

func (c *converter) mapping(ptr string, n *yaml.Node) any {
	out := map[string]any{}
	c.fill(ptr, n, out, false)
	return out
}

// fill adds the pairs of mapping n to out: its own keys first, then the
// keys of the mappings it merges (<<: *base) that it does not set itself;
// of several merged mappings, the first that has a key wins. merged says
// n is itself such a mapping, whose keys may already be set.
func (c *converter) fill(ptr string, n *yaml.Node, out map[string]any, merged bool) {
	var merges []*yaml.Node
	for i := 0; i+1 < len(n.Content); i += 2 {
		// Every pair read through an alias is charged, kept or not: a
		// merge of a merge of... repeats keys it then skips, and would
		// otherwise take exponential time for free.
		if c.inAlias > 0 {
			if c.budget--; c.budget < 0 {
				c.stopped = true
			}
		}
		if c.stopped {
			return
		}
		k, v := n.Content[i], n.Content[i+1]
		key := k
		if key.Kind == yaml.AliasNode && key.Alias != nil {
			key = key.Alias
		}
		if key.Kind == yaml.ScalarNode && key.ShortTag() == "!!merge" {
			merges = append(merges, v)
			continue
		}
		if key.Kind != yaml.ScalarNode || key.ShortTag() != "!!str" {
			c.errorAt(k, "%s: mapping keys must be strings, found %s (quote the key)", fieldPath(ptr), describeNode(key))
			continue
		}
		child := ptr + "/" + escapePointer(key.Value)
		if _, set := out[key.Value]; set {
			if !merged {
				c.errorAt(k, "%s: duplicate key %s (first at line %d)", fieldPath(ptr), quoteShort(key.Value), c.pos.keys[child].Line)
			}
			continue
		}
		c.pos.keys[child] = k
		out[key.Value] = c.value(child, v)
	}
	for _, m := range merges {
		for _, src := range mergeSources(m) {
			c.merge(ptr, src, out)
		}
	}
}

// merge fills out from the mapping src of a merge key, following (and
// charging) an alias.
func (c *converter) merge(ptr string, src *yaml.Node, out map[string]any) {
	if src.Kind != yaml.AliasNode {
		if src.Kind != yaml.MappingNode {
			c.errorAt(src, "%s: a merge key (<<) takes a mapping or a list of mappings", fieldPath(ptr))
			return
		}
		c.fill(ptr, src, out, true)
		return
	}
	if src.Alias == nil || c.active[src.Alias] {
		c.errorAt(src, "alias *%s refers to a value that contains it", src.Value)
		return
	}
	c.active[src.Alias] = true
	c.inAlias++
	c.merge(ptr, src.Alias, out)
	c.inAlias--
	delete(c.active, src.Alias)
	if c.stopped && c.inAlias == 0 {
		c.budgetError(src)
	}
}

func mergeSources(n *yaml.Node) []*yaml.Node {
	if n.Kind == yaml.SequenceNode {
		return n.Content
	}
	return []*yaml.Node{n}
}

// scalar resolves a scalar by its YAML 1.2 tag. Numbers become
// json.Number so large integers keep their digits; NaN and infinities,
// which JSON has no form for, are errors.
func (c *converter) scalar(ptr string, n *yaml.Node) any {
	switch tag := n.ShortTag(); tag {
	case "!!str", "!!timestamp":
		return n.Value // a date is text to the catalog (an image tag, say)
	case "!!null":
		return nil
	case "!!bool":
		var b bool
		if err := n.Decode(&b); err != nil {
			c.errorAt(n, "%s: %s is not a boolean", fieldPath(ptr), quoteShort(n.Value))
		}
		return b
	case "!!int", "!!float":
		var v any
		if err := n.Decode(&v); err != nil {
			c.errorAt(n, "%s: %s is not a number", fieldPath(ptr), quoteShort(n.Value))
			return nil
		}
		return c.number(ptr, n, v)
	default:
		c.errorAt(n, "%s: unsupported YAML tag %s (the catalog uses plain values)", fieldPath(ptr), quoteShort(tag))
		return nil
	}
}

// number is v as a json.Number; ptr locates it for messages.
func (c *converter) number(ptr string, n *yaml.Node, v any) any {
	switch x := v.(type) {
	case int:
		return json.Number(strconv.Itoa(x))
	case int64:
		return json.Number(strconv.FormatInt(x, 10))
	case uint64:
		return json.Number(strconv.FormatUint(x, 10))
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			c.errorAt(n, "%s: %s is not a finite number", fieldPath(ptr), quoteShort(n.Value))
			return nil
		}
		return json.Number(strconv.FormatFloat(x, 'g', -1, 64))
	}
	c.errorAt(n, "%s: %s is not a number", fieldPath(ptr), quoteShort(n.Value))
	return nil
}

// describeNode names what a node is, for messages.
func describeNode(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	}
	return fmt.Sprintf("%s %s", strings.TrimPrefix(n.ShortTag(), "!!"), quoteShort(n.Value))
}

// quoteShort quotes a value from the catalog for an error message, as
// the guard quotes any input's.
func quoteShort(s string) string { return guard.Quote(s) }

// value returns the position of the value at ptr, or of its closest
// existing ancestor (a missing field is reported where it should be).
func (p *positions) value(ptr string) Pos {
	ptr = p.resolve(ptr)
	for {
		if n, ok := p.values[ptr]; ok {
			return Pos{File: p.file, Line: n.Line, Column: n.Column}
		}
		if ptr == "" {
			return Pos{File: p.file, Line: 1, Column: 1}
		}
		ptr = ptr[:strings.LastIndex(ptr, "/")]
	}
}

// key returns the position of the key that introduces ptr (where an
// unknown field is reported), falling back to the value.
func (p *positions) key(ptr string) Pos {
	ptr = p.resolve(ptr)
	if n, ok := p.keys[ptr]; ok {
		return Pos{File: p.file, Line: n.Line, Column: n.Column}
	}
	return p.value(ptr)
}

// has reports whether the catalog sets the field at ptr itself.
func (p *positions) has(ptr string) bool {
	_, ok := p.keys[p.resolve(ptr)]
	return ok
}

// pointerUnescaper is built once, as catalog.EscapePointer's escaper.
var pointerUnescaper = strings.NewReplacer("~1", "/", "~0", "~")

// escapePointer is catalog.EscapePointer: the loader escapes every key.
func escapePointer(s string) string { return catalog.EscapePointer(s) }

func unescapePointer(s string) string {
	if !strings.Contains(s, "~") {
		return s
	}
	return pointerUnescaper.Replace(s)
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
		b.WriteString(showKey(unescapePointer(seg)))
	}
	if b.Len() == 0 {
		return "document"
	}
	return b.String()
}

// plainKey is a key a message shows as it is.
var plainKey = regexp.MustCompile(`^[A-Za-z0-9._/-]{0,40}$`)

// showKey is a key (a field, a label key, a route) as a message shows it:
// quoted and cut like a value when it is long or holds other characters
// (a newline would break the one-line error).
func showKey(key string) string {
	if plainKey.MatchString(key) {
		return key
	}
	return quoteShort(key)
}
