package check

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"

	"sigs.k8s.io/kustomize/kyaml/yaml"
	sigsyaml "sigs.k8s.io/yaml"

	"github.com/novagen/novagen/catalog/load"
)

// inputError is input check cannot read: a document that is no object,
// or a field of another YAML kind than check reads there. Line and
// column are the node's (zero when it has none: built, not parsed).
type inputError struct {
	line, column int
	object       string // Kind/name; empty when the document has none
	field        string
	message      string
}

func (e inputError) Error() string { return e.text() }

// text is the error without its position.
func (e inputError) text() string {
	parts := make([]string, 0, 3)
	for _, s := range []string{e.object, e.field, e.message} {
		if s != "" {
			parts = append(parts, s)
		}
	}
	return strings.Join(parts, ": ")
}

// inputErrors are all the input errors of one input, in its order, so a
// user fixes them in one pass.
type inputErrors []inputError

func (es inputErrors) Error() string {
	lines := make([]string, len(es))
	for i, e := range es {
		lines[i] = fmt.Sprintf("%d:%d: %s", e.line, e.column, escape(e.text()))
	}
	return strings.Join(lines, "\n")
}

// add records err, an inputError or inputErrors (any other error has no
// position); nil adds nothing.
func (es *inputErrors) add(err error) {
	var one inputError
	var many inputErrors
	switch {
	case err == nil:
	case errors.As(err, &many):
		*es = append(*es, many...)
	case errors.As(err, &one):
		*es = append(*es, one)
	default:
		*es = append(*es, inputError{message: err.Error()})
	}
}

// orNil is es as an error, nil when there are none (a nil inputErrors
// in an error would not be a nil error).
func (es inputErrors) orNil() error {
	if len(es) == 0 {
		return nil
	}
	return es
}

// located places es in the file source, as `novagen validate` reports a
// catalog's errors: at most load.MaxErrors of them, escaped for a
// terminal (an object's name is the input's to choose).
func (es inputErrors) located(source string) load.Errors {
	out := make(load.Errors, 0, min(len(es), load.MaxErrors+1))
	for i, e := range es {
		pos := load.Pos{File: source, Line: e.line, Column: e.column}
		if i == load.MaxErrors {
			out = append(out, load.Error{Pos: pos, Message: fmt.Sprintf("... and %d more problems", len(es)-i)})
			break
		}
		out = append(out, load.Error{Pos: pos, Message: escape(e.text())})
	}
	return out
}

// place is a node of an object and its field path, for messages.
type place struct {
	object string // Kind/name
	field  string // dotted, "" for the object itself
	y      *yaml.Node
}

// errorf is an input error at p.
func (p place) errorf(format string, args ...any) inputError {
	return inputError{p.y.Line, p.y.Column, p.object, p.field, fmt.Sprintf(format, args...)}
}

// below is the field path of key under p.
func (p place) below(key string) string {
	if p.field == "" {
		return key
	}
	return p.field + "." + key
}

// missing is the error of a required field absent under p.
func (p place) missing(path ...string) inputError {
	e := p.errorf("missing")
	e.field = p.below(strings.Join(path, "."))
	return e
}

// get returns the node at path under p, which must be of kind want; nil
// when a step is absent or null, as the API server reads null. A step
// that is no mapping, or a last node of another kind, is an error at it.
func (p place) get(want yaml.Kind, path ...string) (*place, error) {
	for _, key := range path {
		if p.y.Kind != yaml.MappingNode {
			return nil, p.errorf("expected a mapping, found %s", what(p.y))
		}
		v := valueOf(p.y, key)
		if v == nil || isNull(v) {
			return nil, nil
		}
		p = place{p.object, p.below(key), v}
	}
	if p.y.Kind != want {
		return nil, p.errorf("expected %s, found %s", kindNames[want], what(p.y))
	}
	return &p, nil
}

// require is get for a field that must be there.
func (p place) require(want yaml.Kind, path ...string) (*place, error) {
	v, err := p.get(want, path...)
	if err == nil && v == nil {
		return nil, p.missing(path...)
	}
	return v, err
}

// str is the string at path under p; "" when absent or null. Any scalar
// reads as a string: quoting is not check's to judge.
func (p place) str(path ...string) (string, error) {
	v, err := p.get(yaml.ScalarNode, path...)
	if v == nil {
		return "", err
	}
	return v.y.Value, nil
}

// elements are the places of a sequence's elements.
func (p place) elements() []place {
	out := make([]place, len(p.y.Content))
	for i, e := range p.y.Content {
		out[i] = place{p.object, fmt.Sprintf("%s[%d]", p.field, i), e}
	}
	return out
}

// keys are the keys of a mapping, which must be strings.
func (p place) keys() ([]string, error) {
	var out []string
	for i := 0; i+1 < len(p.y.Content); i += 2 {
		k := p.y.Content[i]
		if k.Kind != yaml.ScalarNode {
			return nil, place{p.object, p.field, k}.errorf("expected a string key, found %s", what(k))
		}
		out = append(out, k.Value)
	}
	return out, nil
}

// stringMap is the mapping of strings at path under p (labels, a
// selector); nil when absent or null.
func (p place) stringMap(path ...string) (map[string]string, error) {
	m, err := p.get(yaml.MappingNode, path...)
	if m == nil {
		return nil, err
	}
	keys, err := m.keys()
	if err != nil {
		return nil, err
	}
	out := make(map[string]string, len(keys))
	for i, k := range keys {
		v := place{m.object, m.below(k), m.y.Content[2*i+1]}
		if v.y.Kind != yaml.ScalarNode || isNull(v.y) {
			return nil, v.errorf("expected a string, found %s", what(v.y))
		}
		out[k] = v.y.Value
	}
	return out, nil
}

// decode reads p into v as the API server reads its JSON; strict makes
// a field v does not have an error too.
func (p place) decode(v any, strict bool) error {
	s, err := yaml.NewRNode(p.y).String()
	if err == nil {
		unmarshal := sigsyaml.Unmarshal
		if strict {
			unmarshal = sigsyaml.UnmarshalStrict
		}
		err = unmarshal([]byte(s), v)
	}
	var typeErr *json.UnmarshalTypeError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &typeErr) && typeErr.Field != "":
		at := place{p.object, p.below(typeErr.Field), p.near(typeErr.Field)}
		return at.errorf("expected %s, found %s", goKind(typeErr.Type), jsonKind(typeErr.Value))
	}
	for errors.Unwrap(err) != nil {
		err = errors.Unwrap(err) // the decoder's own words, without the layers' prefixes
	}
	return p.errorf("%v", err)
}

// near is the node at a dotted field path under p, as far as mappings
// lead: the path of a decoding error has no list indices.
func (p place) near(path string) *yaml.Node {
	y := p.y
	for _, key := range strings.Split(path, ".") {
		if y.Kind != yaml.MappingNode || valueOf(y, key) == nil {
			break
		}
		y = valueOf(y, key)
	}
	return y
}

// goKind names, in YAML's words, what a Go type reads from.
func goKind(t reflect.Type) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.Slice, reflect.Array:
		return "a sequence"
	case reflect.Map, reflect.Struct:
		return "a mapping"
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "a boolean"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "an integer (" + t.Kind().String() + ")"
	case reflect.Float32, reflect.Float64:
		return "a number"
	}
	return t.String()
}

// jsonKind names, in YAML's words, what encoding/json found: array,
// object, string, bool, number or "number 1e99" (out of range).
func jsonKind(v string) string {
	switch v {
	case "array":
		return "a sequence"
	case "object":
		return "a mapping"
	case "string", "bool":
		return "a " + v
	case "number":
		return "a number"
	}
	return v
}

// valueOf is the value of key in mapping m; nil when it has none.
func valueOf(m *yaml.Node, key string) *yaml.Node {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if k := m.Content[i]; k.Kind == yaml.ScalarNode && k.Value == key {
			return m.Content[i+1]
		}
	}
	return nil
}

func isNull(y *yaml.Node) bool { return y.Kind == yaml.ScalarNode && y.ShortTag() == "!!null" }

var kindNames = map[yaml.Kind]string{
	yaml.DocumentNode: "a document",
	yaml.SequenceNode: "a sequence",
	yaml.MappingNode:  "a mapping",
	yaml.ScalarNode:   "a string",
	yaml.AliasNode:    "an alias",
}

// scalarNames name a scalar by its resolved tag; any other is a string.
var scalarNames = map[string]string{"!!null": "null", "!!int": "an integer", "!!float": "a number", "!!bool": "a boolean"}

// what names the YAML kind of y for a message.
func what(y *yaml.Node) string {
	if name, ok := scalarNames[y.ShortTag()]; ok && y.Kind == yaml.ScalarNode {
		return name
	}
	if name, ok := kindNames[y.Kind]; ok {
		return name
	}
	return "an unknown node"
}

// object is a document of the input read as a Kubernetes object.
type object struct {
	node                   *yaml.RNode
	root                   place
	apiVersion, kind, name string
	namespace              string
	labels                 map[string]string
}

// objects reads every document as an object, each error located.
func objects(nodes []*yaml.RNode) ([]object, error) {
	var out []object
	var errs inputErrors
	for _, n := range nodes {
		o, err := objectOf(n)
		errs.add(err)
		out = append(out, o)
	}
	return out, errs.orNil()
}

// objectOf reads n as an object: a mapping with kind, metadata.name and
// apiVersion, and metadata's namespace and labels, which check reads
// too, of their kinds.
func objectOf(n *yaml.RNode) (object, error) {
	y := n.YNode()
	if y.Kind != yaml.MappingNode {
		return object{}, place{y: y}.errorf("expected an object (a mapping with apiVersion, kind and metadata.name), found %s", what(y))
	}
	o := object{node: n, root: place{y: y}}
	var errs inputErrors
	var missing []string
	// required reads a string that must not be empty.
	required := func(p place, dst *string, name string) {
		v, err := p.str(name)
		errs.add(err)
		if err == nil && v == "" {
			missing = append(missing, p.below(name))
		}
		*dst = v
	}
	required(o.root, &o.kind, "kind")
	meta, err := o.root.get(yaml.MappingNode, "metadata")
	errs.add(err)
	if meta != nil {
		required(*meta, &o.name, "name")
		if o.kind != "" && o.name != "" {
			o.root.object = o.kind + "/" + o.name
			meta.object = o.root.object
		}
		o.namespace, err = meta.str("namespace")
		errs.add(err)
		o.labels, err = meta.stringMap("labels")
		errs.add(err)
	} else if err == nil {
		missing = append(missing, "metadata.name")
	}
	required(o.root, &o.apiVersion, "apiVersion")
	if len(missing) > 0 {
		slices.Sort(missing) // apiVersion, kind, metadata.name
		errs.add(o.root.errorf("not an object: no %s (every document needs apiVersion, kind and metadata.name)", strings.Join(missing, ", ")))
	}
	return o, errs.orNil()
}

// String names o in findings: Kind/name.
func (o object) String() string { return o.root.object }
