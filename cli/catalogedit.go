package cli

import (
	"bytes"
	"fmt"
	"reflect"
	"regexp"
	"strings"

	"go.yaml.in/yaml/v4"

	"github.com/novagen/novagen/catalog/load"
)

// serviceEntry is what novagen init --service adds to a catalog.
type serviceEntry struct {
	service      *yaml.Node // the spec.services item
	database     *yaml.Node // the spec.databases item, or nil
	databaseName string
	marks        flagMarks
}

// newServiceEntry builds the entry from the flags; withPort: --port was
// given (0 included, which the loader refuses).
func newServiceEntry(o initOptions, withPort bool) serviceEntry {
	e := serviceEntry{marks: flagMarks{}}
	fields := []field{{key: "name", value: e.marks.mark("--service", str(o.service))}}
	if o.description != "" {
		fields = append(fields, field{key: "description", value: e.marks.mark("--description", str(o.description))})
	}
	if o.database {
		// The service's own database, named like it in SQL's alphabet.
		e.databaseName = strings.ReplaceAll(o.service, "-", "_")
		fields = append(fields, field{key: "database", value: e.marks.mark("--database", str(e.databaseName))})
		e.database = mapping(field{key: "name", value: e.marks.mark("--database", str(e.databaseName))})
	}
	if len(o.dependsOn) > 0 {
		var deps []string
		for _, d := range o.dependsOn {
			deps = append(deps, strings.Split(d, ",")...)
		}
		fields = append(fields, field{key: "dependsOn", value: e.marks.mark("--depends-on", flow(strs(deps)))})
	}
	if withPort {
		fields = append(fields, field{key: "ports", value: flow(mapping(field{key: "grpc", value: e.marks.mark("--port", num(o.port))}))})
	}
	e.service = mapping(fields...)
	return e
}

// marked is a value init built, with the flags of its nodes; list names
// where it is in the catalog: the last item of spec.<list>, or with ""
// the whole document.
type marked struct {
	built *yaml.Node
	marks flagMarks
	list  string
}

// splice is text inserted at offset (a line start) of a catalog: the
// lines before original line line.
type splice struct {
	offset, line int
	text         string
}

// catalogEdit is a catalog with a service added.
type catalogEdit struct {
	data    []byte
	splices []splice // nil: the catalog was written anew from its nodes
	entry   serviceEntry
}

// added are the nodes the edit added.
func (e catalogEdit) added() []marked {
	out := []marked{{e.entry.service, e.entry.marks, "services"}}
	if e.entry.database != nil {
		out = append(out, marked{e.entry.database, e.entry.marks, "databases"})
	}
	return out
}

// appendService adds e's service to the end of spec.services of the
// catalog data (and its database to spec.databases). It inserts text and
// changes no byte of the rest when the lists are block sequences; a list
// in flow style, or items it cannot place, make it write the whole
// catalog from its node tree (comments kept, formatting not). Either way
// the result must read back as the catalog plus the new items, or it is
// not returned.
func appendService(path string, data []byte, e serviceEntry) (catalogEdit, error) {
	if len(data) > 0 && data[len(data)-1] != '\n' {
		data = append(bytes.Clone(data), '\n') // splices insert whole lines
	}
	doc, err := decodeNode(data)
	if err != nil {
		return catalogEdit{}, err
	}
	spec := mapValue(doc.Content[0], "spec")
	servicesKey, services := mapEntry(spec, "services")
	_, databases := mapEntry(spec, "databases")
	if services == nil {
		// spec, or its services, come from an alias or a merge key.
		return catalogEdit{}, load.Errors{{Pos: load.Pos{File: path},
			Message: "novagen init --service adds to spec.services written out in spec, not merged from an alias: add the service by hand"}}
	}
	for _, list := range []*yaml.Node{services, databases} {
		if list != nil && list.Kind != yaml.SequenceNode {
			return catalogEdit{}, load.Errors{{Pos: load.Pos{File: path, Line: list.Line, Column: list.Column},
				Message: "novagen init --service adds to a list written out here, not to an alias: add the service by hand"}}
		}
	}
	want, err := expected(data, e)
	if err != nil {
		return catalogEdit{}, err
	}
	if edit, ok := spliceEntry(data, servicesKey, services, databases, e); ok && sameValue(edit.data, want) {
		return edit, nil
	}
	// Rewrite the whole catalog from its nodes.
	services.Content = append(services.Content, styledLike(services, e.service))
	if e.database != nil {
		if databases == nil {
			spec.Content = append(spec.Content, str("databases"), seq(e.database))
		} else {
			databases.Content = append(databases.Content, styledLike(databases, e.database))
		}
	}
	out, err := encodeYAML(doc)
	if err != nil {
		return catalogEdit{}, err
	}
	if !sameValue(out, want) {
		return catalogEdit{}, fmt.Errorf("%s: internal: the catalog with the new service does not read back as written", path)
	}
	return catalogEdit{data: out, entry: e}, nil
}

// spliceEntry inserts the entry's text after the last items of the
// block sequences services and databases (or a databases key after the
// services), or says it cannot.
func spliceEntry(data []byte, servicesKey, services, databases *yaml.Node, e serviceEntry) (catalogEdit, bool) {
	sp, ok := itemSplice(data, services, e.service)
	if !ok {
		return catalogEdit{}, false
	}
	splices := []splice{sp}
	if e.database != nil {
		if databases == nil {
			// A new key of spec after the services, indented like them.
			text, err := encodeYAML(mapping(field{key: "databases", value: seq(e.database)}))
			if err != nil {
				return catalogEdit{}, false
			}
			splices[0].text += indentLines(string(text), servicesKey.Column-1)
		} else {
			dsp, ok := itemSplice(data, databases, e.database)
			if !ok {
				return catalogEdit{}, false
			}
			splices = append(splices, dsp)
		}
	}
	if splices[len(splices)-1].offset < splices[0].offset {
		splices[0], splices[1] = splices[1], splices[0]
	}
	crlf := bytes.Contains(data, []byte("\r\n"))
	var out bytes.Buffer
	last := 0
	for i := range splices {
		if crlf {
			splices[i].text = strings.ReplaceAll(splices[i].text, "\n", "\r\n")
		}
		out.Write(data[last:splices[i].offset])
		out.WriteString(splices[i].text)
		last = splices[i].offset
	}
	out.Write(data[last:])
	return catalogEdit{data: out.Bytes(), splices: splices, entry: e}, true
}

// dashPrefix is what precedes a block sequence item on its line.
var dashPrefix = regexp.MustCompile(`^( *)-( +)$`)

// itemSplice places item after the last item of the block sequence list,
// written as that item is: its dash and key columns, flow style if it
// has it.
func itemSplice(data []byte, list, item *yaml.Node) (splice, bool) {
	if list == nil || list.Style&yaml.FlowStyle != 0 || len(list.Content) == 0 {
		return splice{}, false
	}
	last := list.Content[len(list.Content)-1]
	starts := lineStarts(data)
	if last.Line < 1 || last.Line > len(starts) {
		return splice{}, false
	}
	line := []rune(strings.TrimRight(string(data[starts[last.Line-1]:lineEnd(data, starts, last.Line)]), "\r\n"))
	if last.Column-1 > len(line) {
		return splice{}, false
	}
	m := dashPrefix.FindStringSubmatch(string(line[:last.Column-1]))
	if m == nil {
		return splice{}, false // the item starts on a line of its own, or has an anchor or a tag
	}
	dash, key := len(m[1]), last.Column-1
	item = styledLike(list, item)
	text, err := encodeYAML(item)
	if err != nil {
		return splice{}, false
	}
	first := strings.Repeat(" ", dash) + "-" + strings.Repeat(" ", key-dash-1)
	body := indentLines(string(text), key)
	offset, n := itemEnd(data, starts, last.Line, dash)
	return splice{offset: offset, line: n + 1, text: first + body[key:]}, true
}

// styledLike gives item the flow style of list's last item, if it has it
// (topics written {name: a, partitions: 3} get one more such line).
func styledLike(list, item *yaml.Node) *yaml.Node {
	if n := len(list.Content); n > 0 && list.Content[n-1].Style&yaml.FlowStyle != 0 {
		item.Style |= yaml.FlowStyle
	}
	return item
}

// itemEnd is the offset just past the last line of the block sequence
// item that starts on line (1-based), whose dash is in column dash
// (0-based), and that line's number: the item goes on while lines are
// blank or indented deeper than its dash. Blank lines and comments
// after it stay where they are.
func itemEnd(data []byte, starts []int, line, dash int) (int, int) {
	end, endLine := lineEnd(data, starts, line), line
	for l := line + 1; l <= len(starts); l++ {
		text := strings.TrimRight(string(data[starts[l-1]:lineEnd(data, starts, l)]), "\r\n")
		if strings.TrimSpace(text) == "" {
			continue
		}
		if len(text)-len(strings.TrimLeft(text, " ")) <= dash {
			break
		}
		end, endLine = lineEnd(data, starts, l), l
	}
	return end, endLine
}

// lineStarts are the offsets where data's lines start.
func lineStarts(data []byte) []int {
	starts := []int{0}
	for i, b := range data {
		if b == '\n' && i+1 < len(data) {
			starts = append(starts, i+1)
		}
	}
	return starts
}

// lineEnd is the offset just past line (1-based), its newline included.
func lineEnd(data []byte, starts []int, line int) int {
	if line < len(starts) {
		return starts[line]
	}
	return len(data)
}

// indentLines indents every line of text but empty ones by n spaces.
func indentLines(text string, n int) string {
	lines := strings.SplitAfter(text, "\n")
	for i, l := range lines {
		if strings.TrimSpace(l) != "" {
			lines[i] = strings.Repeat(" ", n) + l
		}
	}
	return strings.Join(lines, "")
}

// originalLine is the line of the catalog as the user wrote it that line
// of the edited one was, or ours when init inserted it.
func originalLine(splices []splice, line int) (orig int, ours bool) {
	shift := 0
	for _, s := range splices {
		start := s.line + shift
		n := strings.Count(s.text, "\n")
		if line < start {
			break
		}
		if line < start+n {
			return 0, true
		}
		shift += n
	}
	return line - shift, false
}

// decodeNode parses a catalog that has loaded (so one document, within
// the guard's limits) into its node tree.
func decodeNode(data []byte) (*yaml.Node, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, err
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) != 1 || doc.Content[0].Kind != yaml.MappingNode {
		return nil, fmt.Errorf("internal: a catalog that loaded is not a mapping")
	}
	return &doc, nil
}

// mapEntry is the key and value nodes of key in mapping m (nil, nil when
// m is not a mapping or has no such key).
func mapEntry(m *yaml.Node, key string) (*yaml.Node, *yaml.Node) {
	if m == nil || m.Kind != yaml.MappingNode {
		return nil, nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i], m.Content[i+1]
		}
	}
	return nil, nil
}

func mapValue(m *yaml.Node, key string) *yaml.Node {
	_, v := mapEntry(m, key)
	return v
}

// expected is the catalog data as a value, with e's items appended.
func expected(data []byte, e serviceEntry) (any, error) {
	var cat map[string]any
	if err := yaml.Unmarshal(data, &cat); err != nil {
		return nil, err
	}
	spec, _ := cat["spec"].(map[string]any)
	appendValue(spec, "services", e.service)
	if e.database != nil {
		appendValue(spec, "databases", e.database)
	}
	return cat, nil
}

// appendValue appends the value of node n to the list spec[key].
func appendValue(spec map[string]any, key string, n *yaml.Node) {
	var v any
	_ = n.Decode(&v)
	list, _ := spec[key].([]any)
	spec[key] = append(list, v)
}

// sameValue says data reads as want.
func sameValue(data []byte, want any) bool {
	var got map[string]any
	return yaml.Unmarshal(data, &got) == nil && reflect.DeepEqual(got, want)
}

// flagPositions maps the line and column of each node of data that a
// flag gave to that flag.
func flagPositions(data []byte, added []marked) map[[2]int]string {
	out := map[[2]int]string{}
	var doc yaml.Node
	if yaml.Unmarshal(data, &doc) != nil || len(doc.Content) != 1 {
		return out
	}
	for _, a := range added {
		found := &doc
		if a.list != "" {
			list := mapValue(mapValue(doc.Content[0], "spec"), a.list)
			if list == nil || len(list.Content) == 0 {
				continue
			}
			found = list.Content[len(list.Content)-1]
		}
		pairNodes(a.built, found, a.marks, out)
	}
	return out
}

// pairNodes walks built and parsed, the same value, together.
func pairNodes(built, parsed *yaml.Node, marks flagMarks, out map[[2]int]string) {
	if built == nil || parsed == nil || built.Kind != parsed.Kind {
		return
	}
	if flag, ok := marks[built]; ok {
		out[[2]int{parsed.Line, parsed.Column}] = flag
	}
	for i := range min(len(built.Content), len(parsed.Content)) {
		pairNodes(built.Content[i], parsed.Content[i], marks, out)
	}
}
