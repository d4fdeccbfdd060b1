package render

import (
	"bytes"
	"encoding/json"
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
func ToNode(v any) (*yaml.Node, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var data any
	if err := dec.Decode(&data); err != nil {
		return nil, err
	}
	return builder{}.node(data), nil
}

// builder builds nodes; it has no state (the quoting cache is shared).
type builder struct{}

func (b builder) node(v any) *yaml.Node {
	switch x := v.(type) {
	case map[string]any:
		n := &yaml.Node{Kind: yaml.MappingNode, Tag: yaml.NodeTagMap}
		if len(x) == 0 {
			n.Style = yaml.FlowStyle
		}
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		// Byte order first, so the result is deterministic even where
		// natural order is not transitive ("1-x", "01-x", "0a").
		slices.Sort(keys)
		slices.SortStableFunc(keys, naturalCompare)
		for _, k := range keys {
			n.Content = append(n.Content, b.str(k), b.node(x[k]))
		}
		return n
	case []any:
		n := &yaml.Node{Kind: yaml.SequenceNode, Tag: yaml.NodeTagSeq}
		if len(x) == 0 {
			n.Style = yaml.FlowStyle
		}
		for _, item := range x {
			n.Content = append(n.Content, b.node(item))
		}
		return n
	case string:
		return b.str(x)
	case json.Number:
		if i, err := x.Int64(); err == nil {
			return &yaml.Node{Kind: yaml.ScalarNode, Tag: yaml.NodeTagInt, Value: strconv.FormatInt(i, 10)}
		}
		f, _ := x.Float64()
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: yaml.NodeTagFloat, Value: strconv.FormatFloat(f, 'g', -1, 64)}
	case bool:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: yaml.NodeTagBool, Value: strconv.FormatBool(x)}
	default: // nil
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: yaml.NodeTagNull, Value: "null"}
	}
}

// str is a string scalar: literal style when it has several lines, double
// quotes when a YAML 1.1 reader (kubectl's) would read it as anything but
// this string, else plain (the emitter still quotes what plain cannot
// hold).
func (b builder) str(s string) *yaml.Node {
	n := &yaml.Node{Kind: yaml.ScalarNode, Tag: yaml.NodeTagString, Value: s}
	switch {
	case strings.Contains(s, "\n"):
		n.Style = yaml.LiteralStyle
	case b.needsQuotes(s):
		n.Style = yaml.DoubleQuotedStyle
	}
	return n
}

// needsQuotes asks the YAML 1.1 encoder sigs.k8s.io/yaml uses whether s,
// written plain, would read back as something else (a number, a boolean,
// null, a date). Most strings start with a letter that starts no such
// value, or are a number with a unit (128Mi), and need no asking; the
// answers for the rest, which repeat (ports, counts), are remembered.
func (b builder) needsQuotes(s string) bool {
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
