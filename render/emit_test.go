package render

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"sigs.k8s.io/kustomize/kyaml/kio"
	"sigs.k8s.io/kustomize/kyaml/yaml"

	"github.com/novagen/novagen/internal/golden"
	"github.com/novagen/novagen/internal/yamlnode"
)

// The emitter's oracle is the path it replaces: yaml.v3's encoder as kyaml
// configures it, through kio.ByteWriter for whole resources.

// encodeV3 prints n with kyaml's yaml.v3 encoder.
func encodeV3(n *yaml.Node) ([]byte, error) {
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	if err := enc.Encode(n); err != nil {
		return nil, err
	}
	err := enc.Close()
	return buf.Bytes(), err
}

// writeV3 prints a resource as the old Write did.
func writeV3(n *yaml.RNode) ([]byte, error) {
	var buf bytes.Buffer
	err := kio.ByteWriter{Writer: &buf}.Write([]*yaml.RNode{n})
	return buf.Bytes(), err
}

// sameAsV3 checks that the emitter prints n as yaml.v3 does, or declines;
// it reports whether the emitter printed it.
func sameAsV3(t testing.TB, n *yaml.Node) bool {
	t.Helper()
	want, err := encodeV3(n)
	e := emitter{buf: []byte("prefix")}
	ok := e.document(n)
	if !ok {
		if string(e.buf) != "prefix" {
			t.Fatalf("declined, but left %q", e.buf)
		}
		return false
	}
	if err != nil {
		t.Fatalf("yaml.v3 fails (%v), the emitter printed:\n%s", err, e.buf)
	}
	if got := e.buf[len("prefix"):]; !bytes.Equal(got, want) {
		t.Fatalf("emitter differs from yaml.v3:\n%s", golden.Diff("yaml.v3", want, "emitter", got))
	}
	return true
}

// sameResourceAsV3 is sameAsV3 for a resource (what Write prints).
func sameResourceAsV3(t testing.TB, n *yaml.RNode) bool {
	t.Helper()
	want, err := writeV3(n)
	var e emitter
	if !e.resource(n) {
		return false
	}
	if err != nil {
		t.Fatalf("kio.ByteWriter fails (%v), the emitter printed:\n%s", err, e.buf)
	}
	if !bytes.Equal(e.buf, want) {
		t.Fatalf("emitter differs from kio.ByteWriter:\n%s", golden.Diff("kio.ByteWriter", want, "emitter", e.buf))
	}
	return true
}

// TestEmitterCorpus: every document of the goldens (the render, the
// examples kustomize builds, every generator's expected output, the
// function's ResourceLists), parsed with kyaml, prints the same through
// the emitter and through yaml.v3, and the emitter prints all of the
// objects novagen generates itself.
func TestEmitterCorpus(t *testing.T) {
	var files []string
	for _, glob := range []string{"../golden/*.yaml", "../golden/*/*.yaml", "../generators/*/testdata/*/expected.yaml", "../fns/testdata/*/expected.yaml"} {
		m, err := filepath.Glob(glob)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, m...)
	}
	if len(files) < 20 {
		t.Fatalf("only %d golden files", len(files))
	}
	docs, printed := 0, 0
	for _, f := range files {
		_, nodes := parseFile(t, f)
		for _, n := range nodes {
			docs++
			if sameResourceAsV3(t, n) {
				printed++
			} else if !needsV3(n.Document()) {
				t.Errorf("%s: %s %s: the emitter declined it", f, n.GetKind(), n.GetName())
			}
			sameAsV3(t, n.Document())
		}
	}
	if docs < 500 || printed < docs*9/10 {
		t.Fatalf("%d of %d documents printed by the emitter", printed, docs)
	}
	t.Logf("%d documents of %d files, %d printed by the emitter", docs, len(files), printed)
}

// needsV3: n or a node below it has what the emitter leaves to yaml.v3,
// a comment or a non-empty flow collection (in hand-written inputs).
func needsV3(n *yaml.Node) bool {
	if n.HeadComment != "" || n.LineComment != "" || n.FootComment != "" || n.Style&yaml.FlowStyle != 0 && len(n.Content) > 0 {
		return true
	}
	for _, c := range n.Content {
		if needsV3(c) {
			return true
		}
	}
	return false
}

// trickyStrings are keys and values yaml.v3 prints with care.
var trickyStrings = []string{
	"", " ", "  ", "a", "plain value", "yes", "no", "y", "N", "on", "Off", "true", "False", "null", "Null", "~",
	"0", "12", "-1", "+1", "0755", "08", "0x1F", "0o17", "0b101", "1_000", "1.5", "-.5", "1e3", "1E-3", ".inf", "-.Inf", ".nan",
	"1:30", "2001-12-14", "2001-12-14t21:59:43.10-05:00", "2001-12-14 21:59:43.10", "1.2.3", "<<", "=",
	"---", "...", "--- x", "-", "- item", "-item", "--", "?", "? x", "?x", ":", ": x", "x:", "x: y", "x:y", "http://host:80/p",
	"#", "# c", "a #b", "a#b", "a\t#b", "#a", ",", "a,b", "[", "a[0]", "]", "{", "{x}", "a{b}", "}", "&a", "*a", "!t", "!!str",
	"|", "|x", ">", ">x", "'", "it's", "''", `"`, `say "hi"`, "%TAG", "@x", "`x`", "a\\b", `\`,
	" lead", "trail ", " both ", "in  side", "tab\tin", "\tlead", "trail\t",
	"a\nb", "a\nb\n", "a\nb\n\n", "\n", "\n\n", "\na", " a\nb", "a \nb", "a\n b", "a\n\nb", "a\n", "a\r\nb", "a\rb", "\r",
	"a\u0085b", "a\u2028b", "a\u2029b", "x\u2028", "\u2028",
	"é", "✓ ok", "日本語", "😀", "a😀b", "\u00a0", "a\u00a0b", "\u0080", "\u009f", "\u00ff", "\ufeff", "\ufeffbom", "\ufffe", "\uffff", "\ue000",
	"\x00", "a\x00b", "\x07", "\x1b[0m", "\x7f", "\x01\x02",
	"invalid \xff utf8", "\xc3",
	"{{ .password }}", "$(VAR)", "${VAR}", "key=value", "a;b", "a|b", "a>b", "a!b", "a&b", "a*b", "a%b", "a@b", "a`b",
	"line one\nline two\n  indented\n\ttabbed\n", "  two leading\nlines\n", "trailing\n\n\n", "x\n \n",
	strings.Repeat("long words ", 30), strings.Repeat("x", 200), strings.Repeat("k", maxSimpleKey), strings.Repeat("k", maxSimpleKey+1),
	strings.Repeat("é", 100), "a" + strings.Repeat(" ", 100) + "b",
}

// styles are the node styles the emitter meets or declines.
var styles = []yaml.Style{0, yaml.DoubleQuotedStyle, yaml.SingleQuotedStyle, yaml.LiteralStyle, yaml.FoldedStyle, yaml.FlowStyle, yaml.TaggedStyle}

// tags are the scalar tags the emitter meets or declines.
var tags = []string{"", yaml.NodeTagString, yaml.NodeTagInt, yaml.NodeTagBool, yaml.NodeTagNull, yaml.NodeTagFloat, "tag:yaml.org,2002:str", "!custom"}

func scalar(value, tag string, style yaml.Style) *yaml.Node {
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: tag, Style: style, Value: value}
}

func mapping(kv ...*yaml.Node) *yaml.Node {
	return &yaml.Node{Kind: yaml.MappingNode, Tag: yaml.NodeTagMap, Content: kv}
}

func sequence(items ...*yaml.Node) *yaml.Node {
	return &yaml.Node{Kind: yaml.SequenceNode, Tag: yaml.NodeTagSeq, Content: items}
}

func str(s string) *yaml.Node { return scalar(s, yaml.NodeTagString, 0) }

// placements put a scalar in every place of a document the emitter
// prints, and a key where keys go.
func placements(v, k *yaml.Node) []*yaml.Node {
	return []*yaml.Node{
		v,
		mapping(str("key"), v),
		mapping(k, str("value")),
		mapping(k, v, str("after"), str("x")),
		sequence(v, str("after")),
		mapping(str("list"), sequence(v, sequence(v, v), mapping(k, v, str("b"), v)), str("after"), v),
		mapping(str("a"), mapping(str("b"), mapping(k, v)), str("c"), sequence(mapping(str("d"), sequence(v)))),
		sequence(sequence(sequence(v))),
		mapping(str("empty"), mapping(), k, sequence(), str("list"), sequence(mapping(), sequence(), v)),
	}
}

// TestEmitterTable: every tricky string, in every style and tag, as value
// and key, in every place, prints as yaml.v3 prints it; the emitter prints
// it whenever it is valid UTF-8 in a style and tag it knows, and a
// simple key.
func TestEmitterTable(t *testing.T) {
	printed := 0
	for _, s := range trickyStrings {
		simpleKey := len(s) <= maxSimpleKey && !strings.ContainsAny(s, "\n\r\u0085\u2028\u2029")
		for _, style := range styles {
			for _, tag := range tags {
				known := utf8.ValidString(s) && simpleKey &&
					(style == 0 || style == yaml.DoubleQuotedStyle || style == yaml.SingleQuotedStyle || style == yaml.LiteralStyle) &&
					(tag == "" || isTag(tag, yaml.NodeTagString))
				for _, doc := range placements(scalar(s, tag, style), scalar(s, tag, style)) {
					if sameAsV3(t, doc) {
						printed++
					} else if known {
						t.Errorf("the emitter declined %q (style %v, tag %q) in\n%s", s, style, tag, must(encodeV3(doc)))
					}
				}
			}
		}
		// What ToNode makes.
		for _, doc := range placements(yamlnode.String(s), yamlnode.String(s)) {
			if !sameAsV3(t, doc) && utf8.ValidString(s) && simpleKey {
				t.Errorf("the emitter declined a ToNode string %q", s)
			}
		}
	}
	t.Logf("%d documents printed", printed)
}

func must(b []byte, err error) string {
	if err != nil {
		return err.Error()
	}
	return string(b)
}

// TestEmitterDeclines: what the emitter leaves to yaml.v3.
func TestEmitterDeclines(t *testing.T) {
	anchored := str("x")
	anchored.Anchor = "a"
	comment := str("x")
	comment.LineComment = "# c"
	for name, doc := range map[string]*yaml.Node{
		"anchor":      mapping(str("k"), anchored),
		"alias":       mapping(str("k"), &yaml.Node{Kind: yaml.AliasNode, Alias: anchored}),
		"comment":     mapping(str("k"), comment),
		"tag":         mapping(str("k"), scalar("x", "!custom", 0)),
		"folded":      mapping(str("k"), scalar("a\nb", "", yaml.FoldedStyle)),
		"flow":        mapping(str("k"), &yaml.Node{Kind: yaml.SequenceNode, Style: yaml.FlowStyle, Content: []*yaml.Node{str("a")}}),
		"complex key": mapping(str("a\nb"), str("x")),
		"long key":    mapping(str(strings.Repeat("k", maxSimpleKey+1)), str("x")),
		"binary":      mapping(str("k"), scalar("\xff", "", 0)),
		"zero":        mapping(str("k"), &yaml.Node{}),
	} {
		if sameAsV3(t, doc) {
			t.Errorf("%s: the emitter printed it", name)
		}
	}
	for name, src := range map[string]string{
		"index annotation":  "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  annotations:\n    config.kubernetes.io/index: '0'\n",
		"json path":         "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  annotations:\n    internal.config.kubernetes.io/path: a.json\n",
		"wide sequences":    "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  annotations:\n    internal.config.kubernetes.io/seqindent: wide\nx:\n  - a\n",
		"empty annotations": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  annotations: {}\n",
		"empty metadata":    "apiVersion: v1\nkind: ConfigMap\nmetadata: {}\n",
		"comment":           "# head\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n",
	} {
		n, err := yaml.Parse(src)
		if err != nil {
			t.Fatal(err)
		}
		if sameResourceAsV3(t, n) {
			t.Errorf("%s: the emitter printed it", name)
		}
		got, err := Bytes([]*yaml.RNode{n})
		if err != nil {
			t.Fatal(err)
		}
		if want, _ := writeV3(n); !bytes.Equal(got, want) {
			t.Errorf("%s: Write differs:\n%s", name, golden.Diff("kio.ByteWriter", want, "Write", got))
		}
	}
}

// FuzzEmitter: any key and value, in any style and tag, in every place,
// prints as yaml.v3 prints it (or the emitter declines it).
func FuzzEmitter(f *testing.F) {
	for i, s := range trickyStrings {
		f.Add(s, trickyStrings[(i*7)%len(trickyStrings)], uint8(i), uint8(i/2))
	}
	f.Fuzz(func(t *testing.T, value, key string, style, tag uint8) {
		st := styles[int(style)%len(styles)]
		tg := tags[int(tag)%len(tags)]
		for _, doc := range placements(scalar(value, tg, st), scalar(key, tg, st)) {
			sameAsV3(t, doc)
		}
		for _, doc := range placements(yamlnode.String(value), yamlnode.String(key)) {
			sameAsV3(t, doc)
		}
	})
}
