// Package yamlnode builds the YAML node tree of a typed value, the one
// sigs.k8s.io/yaml would print and kyaml parse back, without printing: render
// uses it for whole objects, a transformer for the pieces it inserts (both
// get the same bytes).
package yamlnode

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode"

	yamlv2 "go.yaml.in/yaml/v2"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// ToNode converts a typed value (a Kubernetes object, a container) to a
// YAML node through its JSON tags, so omitempty and custom marshalers
// (quantities, int-or-string) behave as they do for the API server.
//
// The node is the one sigs.k8s.io/yaml would print and kyaml would parse
// back (keys in the same order, strings quoted the same way), built
// directly: printing and parsing every object cost most of a render.
// TestToNodeMatchesPrintAndParse holds the two equal.
//
// It reads json.Marshal's output itself, into nodes allocated together
// (one array of nodes and one of content pointers per value, strings
// sharing one copy of the JSON): a generic decode into maps first cost
// as much again, and a node each as many allocations as nodes.
func ToNode(v any) (*yaml.Node, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	p := jsonParser{s: string(b)}
	count := p.count()
	p.nodes = make([]yaml.Node, count)
	p.content = make([]*yaml.Node, count-1)
	n := p.value()
	if p.err != nil {
		return nil, p.err
	}
	if p.i != len(p.s) {
		return nil, p.fail()
	}
	return n, nil
}

// jsonParser builds the node tree of a JSON text json.Marshal wrote:
// compact, valid, its objects' keys unique.
type jsonParser struct {
	s       string
	i       int
	nodes   []yaml.Node  // not yet used
	content []*yaml.Node // not yet used
	stack   []*yaml.Node // the children of the objects and arrays being read
	pairs   [][2]*yaml.Node
	err     error
}

// count is how many nodes the text makes: one per value and per key.
func (p *jsonParser) count() int {
	n := 0
	prev := byte(',')
	for i := 0; i < len(p.s); i++ {
		switch c := p.s[i]; c {
		case '"':
			n++
			for i++; i < len(p.s) && p.s[i] != '"'; i++ {
				if p.s[i] == '\\' {
					i++
				}
			}
		case '{', '[':
			n++
		case ']':
		default:
			if prev == ',' || prev == ':' || prev == '[' {
				n++ // a number, true, false or null starts
			}
		}
		prev = p.s[min(i, len(p.s)-1)]
	}
	return max(n, 1)
}

func (p *jsonParser) fail() error {
	if p.err == nil {
		p.err = fmt.Errorf("unexpected JSON at offset %d", p.i)
	}
	return p.err
}

// node is the next unused node.
func (p *jsonParser) node() *yaml.Node {
	if len(p.nodes) == 0 {
		p.nodes = make([]yaml.Node, 16)
	}
	n := &p.nodes[0]
	p.nodes = p.nodes[1:]
	return n
}

// children moves the stack above start into the content array: the
// content of a mapping or sequence, its capacity its length (an append
// copies it rather than overwrite a neighbour).
func (p *jsonParser) children(start int) []*yaml.Node {
	k := len(p.stack) - start
	if k > len(p.content) {
		p.content = make([]*yaml.Node, max(k, 64))
	}
	c := p.content[:k:k]
	p.content = p.content[k:]
	copy(c, p.stack[start:])
	p.stack = p.stack[:start]
	return c
}

func (p *jsonParser) value() *yaml.Node {
	if p.i >= len(p.s) {
		p.fail()
		return nil
	}
	switch rest := p.s[p.i:]; {
	case rest[0] == '{':
		return p.object()
	case rest[0] == '[':
		return p.array()
	case rest[0] == '"':
		return strNode(p.node(), p.string())
	case strings.HasPrefix(rest, "true"):
		return p.literal(yaml.NodeTagBool, "true")
	case strings.HasPrefix(rest, "false"):
		return p.literal(yaml.NodeTagBool, "false")
	case strings.HasPrefix(rest, "null"):
		return p.literal(yaml.NodeTagNull, "null")
	default:
		return p.number()
	}
}

func (p *jsonParser) literal(tag, value string) *yaml.Node {
	p.i += len(value)
	return scalarNode(p.node(), tag, value)
}

func (p *jsonParser) object() *yaml.Node {
	n := p.node()
	n.Kind, n.Tag = yaml.MappingNode, yaml.NodeTagMap
	p.i++ // {
	start := len(p.stack)
	for p.err == nil && p.i < len(p.s) && p.s[p.i] != '}' {
		if p.s[p.i] == ',' {
			p.i++
		}
		if p.i >= len(p.s) || p.s[p.i] != '"' {
			p.fail()
			break
		}
		k := strNode(p.node(), p.string())
		if p.i >= len(p.s) || p.s[p.i] != ':' {
			p.fail()
			break
		}
		p.i++
		p.stack = append(p.stack, k, p.value())
	}
	p.i++ // }
	p.stack = p.stack[:start+len(p.sortPairs(p.stack[start:]))]
	n.Content = p.children(start)
	if len(n.Content) == 0 {
		n.Style = yaml.FlowStyle
	}
	return n
}

func (p *jsonParser) array() *yaml.Node {
	n := p.node()
	n.Kind, n.Tag = yaml.SequenceNode, yaml.NodeTagSeq
	p.i++ // [
	start := len(p.stack)
	for p.err == nil && p.i < len(p.s) && p.s[p.i] != ']' {
		if p.s[p.i] == ',' {
			p.i++
		}
		p.stack = append(p.stack, p.value())
	}
	p.i++ // ]
	n.Content = p.children(start)
	if len(n.Content) == 0 {
		n.Style = yaml.FlowStyle
	}
	return n
}

// string reads a JSON string: a substring of the text unless it has
// escapes.
func (p *jsonParser) string() string {
	p.i++ // "
	start, escaped := p.i, false
	for ; p.i < len(p.s) && p.s[p.i] != '"'; p.i++ {
		if p.s[p.i] == '\\' {
			escaped = true
			p.i++
		}
	}
	if p.i >= len(p.s) {
		p.fail()
		return ""
	}
	p.i++ // "
	if !escaped {
		return p.s[start : p.i-1]
	}
	var s string
	if err := json.Unmarshal([]byte(p.s[start-1:p.i]), &s); err != nil {
		p.err = err
	}
	return s
}

// number reads a JSON number as the generic decoder did: an int64 when
// it is one, else a float64 printed in its shortest form.
func (p *jsonParser) number() *yaml.Node {
	start := p.i
	for p.i < len(p.s) && strings.IndexByte("+-0123456789.eE", p.s[p.i]) >= 0 {
		p.i++
	}
	lit := p.s[start:p.i]
	if i, err := strconv.ParseInt(lit, 10, 64); err == nil {
		if lit != "-0" {
			return scalarNode(p.node(), yaml.NodeTagInt, lit) // as FormatInt prints it
		}
		return scalarNode(p.node(), yaml.NodeTagInt, strconv.FormatInt(i, 10))
	}
	f, err := strconv.ParseFloat(lit, 64)
	if err != nil {
		p.err = err
	}
	return scalarNode(p.node(), yaml.NodeTagFloat, strconv.FormatFloat(f, 'g', -1, 64))
}

func scalarNode(n *yaml.Node, tag, value string) *yaml.Node {
	n.Kind, n.Tag, n.Value = yaml.ScalarNode, tag, value
	return n
}

// sortPairs orders the key-value pairs of kv in byte order, then stably
// in natural order, as the YAML encoders sort keys, and returns them. Of
// a key that appears twice (json.Marshal writes distinct keys of invalid
// UTF-8 as the same \ufffd) the last value stays, as in a decoded map.
func (p *jsonParser) sortPairs(kv []*yaml.Node) []*yaml.Node {
	if len(kv) <= 2 {
		return kv
	}
	p.pairs = p.pairs[:0]
	for i := 0; i < len(kv); i += 2 {
		p.pairs = append(p.pairs, [2]*yaml.Node{kv[i], kv[i+1]})
	}
	// Byte order first, so the result is deterministic even where
	// natural order is not transitive ("1-x", "01-x", "0a").
	slices.SortStableFunc(p.pairs, func(a, b [2]*yaml.Node) int { return strings.Compare(a[0].Value, b[0].Value) })
	unique := p.pairs[:0]
	for i, pair := range p.pairs {
		if i+1 == len(p.pairs) || p.pairs[i+1][0].Value != pair[0].Value {
			unique = append(unique, pair)
		}
	}
	slices.SortStableFunc(unique, func(a, b [2]*yaml.Node) int { return naturalCompare(a[0].Value, b[0].Value) })
	kv = kv[:0]
	for _, pair := range unique {
		kv = append(kv, pair[0], pair[1])
	}
	return kv
}

// String is the string scalar s as ToNode makes it (render's emitter
// tests print every such string).
func String(s string) *yaml.Node { return strNode(&yaml.Node{}, s) }

// strNode makes n the string scalar s: literal style when it has several
// lines, double quotes when a YAML 1.1 reader (kubectl's) would read it
// as anything but this string, else plain (the emitter still quotes what
// plain cannot hold).
func strNode(n *yaml.Node, s string) *yaml.Node {
	scalarNode(n, yaml.NodeTagString, s)
	switch {
	case strings.Contains(s, "\n"):
		n.Style = yaml.LiteralStyle
	case needsQuotes(s):
		n.Style = yaml.DoubleQuotedStyle
	}
	return n
}

// needsQuotes asks the YAML 1.1 encoder sigs.k8s.io/yaml uses whether s,
// written plain, would read back as something else (a number, a boolean,
// null, a date). Most strings start with a letter that starts no such
// value, or are a number with a unit (128Mi), and need no asking; the
// answers for the rest, which repeat (ports, counts), are remembered.
func needsQuotes(s string) bool {
	if s == "" {
		return true
	}
	c := rune(s[0])
	if unicode.IsLetter(c) && !strings.ContainsRune("yYnNoOtTfF", c) {
		return false
	}
	if unicode.IsDigit(c) {
		if strings.Trim(s, "0123456789") == "" {
			return true // an integer
		}
		if strings.IndexFunc(s, unitLetter) >= 0 && !strings.ContainsRune(s, ':') {
			return false // a letter no number or date has: 128Mi, 500m
		}
	}
	quotes.Lock()
	defer quotes.Unlock()
	if q, ok := quotes.m[s]; ok {
		return q
	}
	out, err := yamlv2.Marshal(s)
	q := err != nil || (len(out) > 0 && out[0] == '"')
	if len(quotes.m) >= maxQuoteCache {
		clear(quotes.m)
	}
	quotes.m[s] = q
	return q
}

// unitLetter: a letter that appears in no YAML 1.1 number (hex digits,
// 0x, 0o, 0b, exponents) or timestamp (T, Z).
func unitLetter(r rune) bool {
	return unicode.IsLetter(r) && !strings.ContainsRune("aAbBcCdDeEfFoOxXtTzZ", r)
}

// quotes remembers needsQuotes' answers, bounded so a long-running
// process does not grow with every value it ever rendered.
var quotes = struct {
	sync.Mutex
	m map[string]bool
}{m: map[string]bool{}}

const maxQuoteCache = 1 << 14

// naturalCompare orders map keys as the YAML encoders do: runs of digits
// by their value, and at the first difference a non-letter before a
// letter.
func naturalCompare(a, b string) int {
	if naturalLess(a, b) {
		return -1
	}
	if naturalLess(b, a) {
		return 1
	}
	return 0
}

func naturalLess(a, b string) bool {
	ar, br := []rune(a), []rune(b)
	for i := 0; i < len(ar) && i < len(br); i++ {
		if ar[i] == br[i] {
			continue
		}
		al, bl := unicode.IsLetter(ar[i]), unicode.IsLetter(br[i])
		if al && bl {
			return ar[i] < br[i]
		}
		if al || bl {
			return bl
		}
		var an, bn int64
		if ar[i] == '0' || br[i] == '0' {
			// Inside a number that began before i, leading zeros count.
			for j := i - 1; j >= 0 && unicode.IsDigit(ar[j]); j-- {
				if ar[j] != '0' {
					an, bn = 1, 1
					break
				}
			}
		}
		ai, bi := i, i
		for ; ai < len(ar) && unicode.IsDigit(ar[ai]); ai++ {
			an = an*10 + int64(ar[ai]-'0')
		}
		for ; bi < len(br) && unicode.IsDigit(br[bi]); bi++ {
			bn = bn*10 + int64(br[bi]-'0')
		}
		if an != bn {
			return an < bn
		}
		if ai != bi {
			return ai < bi
		}
		return ar[i] < br[i]
	}
	return len(ar) < len(br)
}
