package render

import (
	"strings"
	"unicode/utf8"

	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// emitter prints node trees exactly as go.yaml.in/yaml/v3's emitter does
// when kyaml configures it (kyaml.NewEncoder: indent 2, sequences not
// indented under their key, no line width), for the trees novagen prints:
// block mappings and sequences, empty ones in flow style, scalars plain,
// quoted or literal. It keeps the few pieces of the yaml.v3 emitter's state
// its decisions depend on (column, whitespace, indention) and makes the
// same decisions, without the event queue and its copies.
//
// A node it does not print (comments, anchors and aliases, tags that must
// be printed, folded or non-empty flow style, complex keys, invalid UTF-8)
// makes it stop and report false; the caller prints that document with
// yaml.v3 instead. Its tests hold it equal to yaml.v3.
type emitter struct {
	buf        []byte
	column     int  // characters on the current line
	whitespace bool // the last character written is whitespace, or the line is empty
	indention  bool // the current line holds nothing but indentation so far
}

// context is where a node stands: the emitter's root, sequence, mapping
// and simple-key contexts.
type context uint8

const (
	inRoot  context = iota
	inItem          // an item of a block sequence
	inKey           // a (simple) mapping key
	inValue         // a mapping value
)

// maxSimpleKey is the longest key yaml.v3 writes as "key:"; a longer one
// becomes "? key".
const maxSimpleKey = 128

// bestIndent is kyaml's indentation; indentHint, the same as a literal
// scalar's indentation indicator.
const (
	bestIndent = 2
	indentHint = "2"
)

// start resets the state to the start of a stream.
func (e *emitter) start() {
	e.column, e.whitespace, e.indention = 0, true, true
}

// document prints one document: the node, then a line break. It reports
// false, with buf as it was, where the node needs yaml.v3.
func (e *emitter) document(n *yaml.Node) bool {
	mark := len(e.buf)
	e.start()
	if n.Kind == yaml.DocumentNode {
		if len(n.Content) != 1 || n.HeadComment != "" || n.LineComment != "" || n.FootComment != "" {
			return false
		}
		n = n.Content[0]
	}
	if !e.node(n, -1, inRoot) {
		e.buf = e.buf[:mark]
		return false
	}
	e.writeIndent(-1)
	return true
}

// item prints n as an item of a block sequence at column 0 (kyaml's
// ResourceList items), as yaml.v3 does; false (buf as it was) where n
// needs yaml.v3.
func (e *emitter) item(n *yaml.Node) bool {
	mark, column, whitespace, indention := len(e.buf), e.column, e.whitespace, e.indention
	e.writeIndent(0)
	e.indicator("-", true, false, true)
	if !e.node(n, 0, inItem) {
		e.buf, e.column, e.whitespace, e.indention = e.buf[:mark], column, whitespace, indention
		return false
	}
	return true
}

// field prints a "key: value" pair of a block mapping at column 0, or
// only "key:" for a nil value (block sequence items follow); false (buf
// then undefined) where yaml.v3 must print it.
func (e *emitter) field(key string, value *yaml.Node) bool {
	e.writeIndent(0)
	if !e.node(&yaml.Node{Kind: yaml.ScalarNode, Value: key}, 0, inKey) {
		return false
	}
	e.indicator(":", false, false, false)
	return value == nil || e.node(value, 0, inValue)
}

func (e *emitter) node(n *yaml.Node, indent int, ctx context) bool {
	if n == nil || n.Anchor != "" || n.HeadComment != "" || n.LineComment != "" || n.FootComment != "" {
		return false
	}
	quote, ok := implicitTag(n)
	if !ok {
		return false
	}
	switch n.Kind {
	case yaml.ScalarNode:
		return e.scalar(n, quote, increaseIndent(indent, ctx, bestIndent), ctx)
	case yaml.MappingNode:
		if len(n.Content) == 0 {
			e.emptyFlow("{", "}")
			return true
		}
		if n.Style&yaml.FlowStyle != 0 || len(n.Content)%2 != 0 || ctx == inKey {
			return false
		}
		indent = increaseIndent(indent, ctx, 0)
		for i := 0; i < len(n.Content); i += 2 {
			e.writeIndent(indent)
			if !e.node(n.Content[i], indent, inKey) {
				return false
			}
			e.indicator(":", false, false, false)
			if !e.node(n.Content[i+1], indent, inValue) {
				return false
			}
		}
		return true
	case yaml.SequenceNode:
		if len(n.Content) == 0 {
			e.emptyFlow("[", "]")
			return true
		}
		if n.Style&yaml.FlowStyle != 0 || ctx == inKey {
			return false
		}
		// Compact sequences: a mapping's sequence value starts its
		// items ("- ") at the key's column.
		compact := ctx == inValue && (e.column == 0 || !e.indention)
		indent = increaseIndent(indent, ctx, 0)
		if compact {
			indent -= bestIndent
		}
		for _, item := range n.Content {
			e.writeIndent(indent)
			e.indicator("-", true, false, true)
			if !e.node(item, indent, inItem) {
				return false
			}
		}
		return true
	}
	return false
}

// increaseIndent is the indentation of a node's content, from its
// parent's (-1 at the root, where a scalar gets the flow indentation).
func increaseIndent(indent int, ctx context, root int) int {
	switch {
	case indent < 0:
		return root
	case ctx == inItem:
		return indent + bestIndent // past the "- "
	default:
		return bestIndent * ((indent + bestIndent) / bestIndent)
	}
}

// implicitTag reports whether n's tag goes unprinted, as yaml.v3's
// encoder decides (the tag the value resolves to anyway, or !!str on a
// quoted or literal scalar), and whether a !!str scalar must be quoted to
// stay one.
func implicitTag(n *yaml.Node) (quote, ok bool) {
	if n.Tag == "" {
		return false, true
	}
	if n.Style&yaml.TaggedStyle != 0 {
		return false, false
	}
	switch n.Kind {
	case yaml.MappingNode:
		return false, isTag(n.Tag, yaml.NodeTagMap)
	case yaml.SequenceNode:
		return false, isTag(n.Tag, yaml.NodeTagSeq)
	case yaml.ScalarNode:
		str := isTag(n.Tag, yaml.NodeTagString)
		if str && n.Style&(yaml.SingleQuotedStyle|yaml.DoubleQuotedStyle|yaml.LiteralStyle|yaml.FoldedStyle) != 0 {
			return false, true
		}
		if isTag(n.Tag, resolvedTag(n.Value)) {
			return false, true
		}
		return str, str
	}
	return false, false
}

// resolvedTag is the short tag yaml.v3 resolves a plain scalar to. Its
// resolver reads only values that start with a sign, a digit, a dot or a
// letter of y(es), n(o), t(rue), f(alse), o(n/ff), ~ or are empty; any
// other is a string without asking.
func resolvedTag(value string) string {
	if value != "" && !strings.ContainsRune("+-0123456789.yYnNtTfFoO~", rune(value[0])) {
		return yaml.NodeTagString
	}
	n := yaml.Node{Kind: yaml.ScalarNode, Value: value}
	return n.ShortTag()
}

// isTag: tag, short ("!!str") or long ("tag:yaml.org,2002:str"), is the
// short tag short.
func isTag(tag, short string) bool {
	const long = "tag:yaml.org,2002:"
	if tag == short {
		return true
	}
	return strings.HasPrefix(tag, long) && strings.HasPrefix(short, "!!") && tag[len(long):] == short[2:]
}

// scalarStyle is the style yaml.v3 writes a scalar in.
type scalarStyle uint8

const (
	plainStyle scalarStyle = iota
	singleQuoted
	doubleQuoted
	literal
)

func (e *emitter) scalar(n *yaml.Node, quote bool, indent int, ctx context) bool {
	v := n.Value
	if !utf8.ValidString(v) {
		return false // yaml.v3 writes it as !!binary
	}
	style := plainStyle
	switch {
	case n.Style&yaml.DoubleQuotedStyle != 0:
		style = doubleQuoted
	case n.Style&yaml.SingleQuotedStyle != 0:
		style = singleQuoted
	case n.Style&yaml.LiteralStyle != 0:
		style = literal
	case n.Style&yaml.FoldedStyle != 0:
		return false
	case strings.Contains(v, "\n"):
		style = literal
	case quote:
		style = doubleQuoted
	}
	a := analyze(v)
	if ctx == inKey && (a.multiline || len(v) > maxSimpleKey) {
		return false // a complex key
	}
	if style == plainStyle && (!a.plain || v == "" && ctx == inKey) {
		style = singleQuoted
	}
	if style == singleQuoted && !a.single {
		style = doubleQuoted
	}
	if style == literal && (!a.block || ctx == inKey) {
		style = doubleQuoted
	}
	switch style {
	case plainStyle:
		e.writePlain(v)
	case singleQuoted:
		e.writeSingleQuoted(v, indent)
	case doubleQuoted:
		e.writeDoubleQuoted(v)
	case literal:
		e.writeLiteral(v, indent)
	}
	return true
}

// scalarInfo is what yaml.v3's scalar analysis decides for block context:
// which styles may hold the value.
type scalarInfo struct {
	multiline bool // it has a line break
	plain     bool // plain style reads back as the same string
	single    bool // single quotes can hold it
	block     bool // literal style can hold it
}

func analyze(v string) scalarInfo {
	if v == "" {
		return scalarInfo{plain: true, single: true}
	}
	if simple(v) {
		return scalarInfo{plain: true, single: true, block: true}
	}
	var (
		indicators                   = strings.HasPrefix(v, "---") || strings.HasPrefix(v, "...")
		lineBreaks, special, tabs    bool
		leadingSpace, leadingBreak   bool
		trailingSpace, trailingBreak bool
		breakSpace, spaceBreak       bool
		previousSpace, previousBreak bool
		precededByWhitespace         = true
	)
	for i, w := 0, 0; i < len(v); i += w {
		c := v[i]
		w = width(c)
		followedByWhitespace := i+w >= len(v) || v[i+w] == ' ' || v[i+w] == '\t'
		if i == 0 {
			switch c {
			case '#', ',', '[', ']', '{', '}', '&', '*', '!', '|', '>', '\'', '"', '%', '@', '`':
				indicators = true
			case '?', ':', '-':
				indicators = indicators || followedByWhitespace
			}
		} else {
			switch c {
			case ':':
				indicators = indicators || followedByWhitespace
			case '#':
				indicators = indicators || precededByWhitespace
			}
		}
		if c == '\t' {
			tabs = true
		} else if !printable(v, i) {
			special = true
		}
		switch {
		case c == ' ':
			leadingSpace = leadingSpace || i == 0
			trailingSpace = trailingSpace || i+w == len(v)
			breakSpace = breakSpace || previousBreak
			previousSpace, previousBreak = true, false
		case isBreak(v, i):
			lineBreaks = true
			leadingBreak = leadingBreak || i == 0
			trailingBreak = trailingBreak || i+w == len(v)
			spaceBreak = spaceBreak || previousSpace
			previousSpace, previousBreak = false, true
		default:
			previousSpace, previousBreak = false, false
		}
		precededByWhitespace = c == ' ' || c == '\t' || c == 0 || isBreak(v, i)
	}
	a := scalarInfo{
		multiline: lineBreaks,
		plain:     !(leadingSpace || leadingBreak || trailingSpace || trailingBreak || lineBreaks || indicators),
		single:    true,
		block:     !trailingSpace,
	}
	if breakSpace || spaceBreak || tabs || special {
		a.plain, a.single = false, false
	}
	if spaceBreak || special {
		a.block = false
	}
	return a
}

// simple: v is a word every style may hold, which most values are
// (names, labels, images): a letter or digit, then printable ASCII but
// spaces, ':' and '#'.
func simple(v string) bool {
	if c := v[0] | 0x20; (c < 'a' || c > 'z') && (v[0] < '0' || v[0] > '9') {
		return false
	}
	for i := 1; i < len(v); i++ {
		if c := v[i]; c <= ' ' || c >= 0x7F || c == ':' || c == '#' {
			return false
		}
	}
	return true
}

// width is the length of the UTF-8 sequence c starts.
func width(c byte) int {
	switch {
	case c&0x80 == 0:
		return 1
	case c&0xE0 == 0xC0:
		return 2
	case c&0xF0 == 0xE0:
		return 3
	default:
		return 4
	}
}

// printable: yaml.v3 writes the character at s[i] as it is (in quotes);
// others it escapes. Characters outside the Basic Multilingual Plane are
// not printable to it.
func printable(s string, i int) bool {
	c := s[i]
	switch {
	case c == '\n' || c >= 0x20 && c <= 0x7E:
		return true
	case c == 0xC2:
		return s[i+1] >= 0xA0
	case c > 0xC2 && c < 0xED, c == 0xEE:
		return true
	case c == 0xED:
		return s[i+1] < 0xA0
	case c == 0xEF: // not U+FEFF, U+FFFE, U+FFFF
		return !(s[i+1] == 0xBB && s[i+2] == 0xBF) && !(s[i+1] == 0xBF && (s[i+2] == 0xBE || s[i+2] == 0xBF))
	}
	return false
}

// isBreak: s[i] starts a line break (CR, LF, NEL, LS, PS).
func isBreak(s string, i int) bool {
	switch s[i] {
	case '\r', '\n':
		return true
	case 0xC2:
		return s[i+1] == 0x85
	case 0xE2:
		return s[i+1] == 0x80 && (s[i+2] == 0xA8 || s[i+2] == 0xA9)
	}
	return false
}

func (e *emitter) put(c byte) {
	e.buf = append(e.buf, c)
	e.column++
}

// write copies s, whose characters are no line breaks.
func (e *emitter) write(s string) {
	e.buf = append(e.buf, s...)
	e.column += utf8.RuneCountInString(s)
}

func (e *emitter) putBreak() {
	e.buf = append(e.buf, '\n')
	e.column = 0
	e.indention = true
}

// writeBreak copies the line break of w bytes at s[i].
func (e *emitter) writeBreak(s string, i, w int) {
	if s[i] == '\n' {
		e.putBreak()
		return
	}
	e.buf = append(e.buf, s[i:i+w]...)
	e.column = 0
	e.indention = true
}

func (e *emitter) writeIndent(indent int) {
	indent = max(indent, 0)
	if !e.indention || e.column > indent || (e.column == indent && !e.whitespace) {
		e.putBreak()
	}
	for ; e.column < indent; e.column++ {
		e.buf = append(e.buf, ' ')
	}
	e.whitespace = true
}

func (e *emitter) indicator(s string, needWhitespace, isWhitespace, isIndention bool) {
	if needWhitespace && !e.whitespace {
		e.put(' ')
	}
	e.buf = append(e.buf, s...)
	e.column += len(s)
	e.whitespace = isWhitespace
	e.indention = e.indention && isIndention
}

func (e *emitter) emptyFlow(open, close string) {
	e.indicator(open, true, true, false)
	e.indicator(close, false, false, false)
}

// writePlain writes a plain scalar (which has no line breaks: those are
// never plain).
func (e *emitter) writePlain(v string) {
	if v != "" {
		if !e.whitespace {
			e.put(' ')
		}
		e.write(v)
		e.whitespace = false
	}
	e.indention = false
}

func (e *emitter) writeSingleQuoted(v string, indent int) {
	e.indicator("'", true, false, false)
	breaks := false
	for i, w := 0, 0; i < len(v); i += w {
		w = width(v[i])
		switch {
		case v[i] == ' ':
			e.put(' ')
		case isBreak(v, i):
			if !breaks && v[i] == '\n' {
				e.putBreak()
			}
			e.writeBreak(v, i, w)
			breaks = true
		default:
			if breaks {
				e.writeIndent(indent)
			}
			if v[i] == '\'' {
				e.put('\'')
			}
			e.write(v[i : i+w])
			e.indention = false
			breaks = false
		}
	}
	e.indicator("'", false, false, false)
	e.whitespace, e.indention = false, false
}

func (e *emitter) writeDoubleQuoted(v string) {
	e.indicator(`"`, true, false, false)
	// yaml.v3 escapes every character of a value that starts with a BOM.
	bom := strings.HasPrefix(v, "\uFEFF")
	start := 0 // of the characters not yet written
	for i, w := 0, 0; i < len(v); i += w {
		c := v[i]
		w = width(c)
		if !bom && c != '"' && c != '\\' && printable(v, i) && !isBreak(v, i) {
			continue
		}
		e.write(v[start:i])
		start = i + w
		r, _ := utf8.DecodeRuneInString(v[i:])
		e.escape(r)
	}
	e.write(v[start:])
	e.indicator(`"`, false, false, false)
	e.whitespace, e.indention = false, false
}

// escapes are yaml.v3's short escapes.
var escapes = map[rune]byte{
	0x00: '0', 0x07: 'a', 0x08: 'b', 0x09: 't', 0x0A: 'n', 0x0B: 'v', 0x0C: 'f', 0x0D: 'r',
	0x1B: 'e', '"': '"', '\\': '\\', 0x85: 'N', 0xA0: '_', 0x2028: 'L', 0x2029: 'P',
}

func (e *emitter) escape(r rune) {
	e.put('\\')
	if c, ok := escapes[r]; ok {
		e.put(c)
		return
	}
	digits := 8
	switch {
	case r <= 0xFF:
		e.put('x')
		digits = 2
	case r <= 0xFFFF:
		e.put('u')
		digits = 4
	default:
		e.put('U')
	}
	const hex = "0123456789ABCDEF"
	for k := (digits - 1) * 4; k >= 0; k -= 4 {
		e.put(hex[(r>>k)&0xF])
	}
}

func (e *emitter) writeLiteral(v string, indent int) {
	e.indicator("|", true, false, false)
	if v[0] == ' ' || isBreak(v, 0) {
		e.indicator(indentHint, false, false, false) // the indentation: the text starts with a space
	}
	// Chomping: "-" without a final line break, "+" with more than one.
	last := lastChar(v, len(v))
	switch {
	case !isBreak(v, last):
		e.indicator("-", false, false, false)
	case last == 0 || isBreak(v, lastChar(v, last)):
		e.indicator("+", false, false, false)
	}
	e.putBreak()
	e.whitespace = true
	breaks := true
	for i, w := 0, 0; i < len(v); i += w {
		w = width(v[i])
		if isBreak(v, i) {
			e.writeBreak(v, i, w)
			breaks = true
			continue
		}
		if breaks {
			e.writeIndent(indent)
		}
		// The rest of the line at once.
		end := i + w
		for end < len(v) && !isBreak(v, end) {
			end += width(v[end])
		}
		e.write(v[i:end])
		w = end - i
		e.indention = false
		breaks = false
	}
}

// lastChar is the index of the character before s[end].
func lastChar(s string, end int) int {
	i := end - 1
	for i > 0 && s[i]&0xC0 == 0x80 {
		i--
	}
	return i
}
