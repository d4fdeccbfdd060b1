package kbuild

import (
	"bytes"
	"encoding/json"
	"errors"
	"regexp"
	"runtime"
	"strconv"
	"sync"
	"unicode/utf8"

	yamlv2 "go.yaml.in/yaml/v2"
	"sigs.k8s.io/kustomize/api/resource"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// asYAML is Resource.AsYAML, the text kustomize build prints for an
// object, made faster: AsYAML prints the node (yaml.v3), parses it back,
// encodes it as JSON and has sigs.k8s.io/yaml's JSONToYAML parse that
// with yaml.v2 and print the value; four passes, most of the direct
// path's time. asYAML builds the value yaml.v2 would parse (v2Value)
// straight from the node and prints it with the same yaml.v2; an object
// v2Value does not mirror goes the whole way. The tests compare the two.
func asYAML(r *resource.Resource) ([]byte, error) {
	if v, ok := v2Value(r.YNode()); ok {
		return yamlv2.Marshal(v)
	}
	return r.AsYAML()
}

// v2Value is the value JSONToYAML gets from the JSON of n: mappings with
// string keys, sequences and strings as they are; any other scalar
// through the very chain (yaml.v3 decode, JSON, yaml.v2 parse). It
// reports false for what it does not mirror: aliases, anchors, merge
// keys, non-string keys, a key twice, invalid UTF-8 (JSON replaces it),
// tags other than YAML's core ones.
func v2Value(n *yaml.Node) (any, bool) {
	if n == nil || n.Anchor != "" {
		return nil, false
	}
	switch n.Kind {
	case yaml.MappingNode:
		m := make(map[any]any, len(n.Content)/2)
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i]
			if k.Kind != yaml.ScalarNode || k.ShortTag() != yaml.NodeTagString || k.Anchor != "" || !utf8.ValidString(k.Value) {
				return nil, false
			}
			if _, twice := m[k.Value]; twice {
				return nil, false
			}
			v, ok := v2Value(n.Content[i+1])
			if !ok {
				return nil, false
			}
			m[k.Value] = v
		}
		return m, true
	case yaml.SequenceNode:
		s := make([]any, len(n.Content))
		for i, item := range n.Content {
			v, ok := v2Value(item)
			if !ok {
				return nil, false
			}
			s[i] = v
		}
		return s, true
	case yaml.ScalarNode:
		switch n.ShortTag() {
		case yaml.NodeTagString:
			return n.Value, utf8.ValidString(n.Value)
		case yaml.NodeTagInt, yaml.NodeTagFloat, yaml.NodeTagBool, yaml.NodeTagNull:
			return scalarChain(n)
		}
	}
	return nil, false
}

// scalarChain is one scalar through AsYAML's passes; the common ones
// (a short decimal integer, true, false) by what those passes make of them.
func scalarChain(n *yaml.Node) (any, bool) {
	switch {
	case n.ShortTag() == yaml.NodeTagBool && (n.Value == "true" || n.Value == "false"):
		return n.Value == "true", true
	case n.ShortTag() == yaml.NodeTagInt && shortDecimal.MatchString(n.Value):
		i, err := strconv.Atoi(n.Value)
		return i, err == nil
	}
	var v any
	if err := n.Decode(&v); err != nil {
		return nil, false
	}
	j, err := json.Marshal(v)
	if err != nil {
		return nil, false
	}
	var out any
	if err := yamlv2.Unmarshal(j, &out); err != nil {
		return nil, false
	}
	return out, true
}

// shortDecimal is an integer yaml.v3, JSON and yaml.v2 all keep as the
// same int.
var shortDecimal = regexp.MustCompile(`^-?(0|[1-9][0-9]{0,17})$`)

// allYAML prints every resource as kustomize's ResMap.AsYaml does (each
// AsYAML, "---" between them), on every core: each prints a run of them
// with one yaml.v2 Encoder (which separates documents the same way and
// spares an emitter per object), or, in a run holding an object v2Value
// does not mirror, one by one with asYAML.
func allYAML(res []*resource.Resource) ([]byte, error) {
	workers := max(1, min(runtime.GOMAXPROCS(0), len(res)))
	out := make([][]byte, workers)
	errs := make([]error, workers)
	var wg sync.WaitGroup
	for w := range workers {
		start, end := w*len(res)/workers, (w+1)*len(res)/workers
		wg.Go(func() { out[w], errs[w] = runYAML(res[start:end]) })
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	var nonEmpty [][]byte
	for _, b := range out {
		if len(b) > 0 {
			nonEmpty = append(nonEmpty, b)
		}
	}
	return bytes.Join(nonEmpty, []byte(separator)), nil
}

// separator is what kustomize and a yaml.v2 Encoder put between documents.
const separator = "---\n"

// runYAML prints a run of resources, separated.
func runYAML(res []*resource.Resource) ([]byte, error) {
	values := make([]any, len(res))
	for i, r := range res {
		v, ok := v2Value(r.YNode())
		if !ok {
			return oneByOne(res)
		}
		values[i] = v
	}
	var b bytes.Buffer
	enc := yamlv2.NewEncoder(&b)
	for _, v := range values {
		if err := enc.Encode(v); err != nil {
			return nil, err
		}
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// oneByOne prints a run of resources with asYAML.
func oneByOne(res []*resource.Resource) ([]byte, error) {
	docs := make([][]byte, len(res))
	for i, r := range res {
		var err error
		if docs[i], err = asYAML(r); err != nil {
			return nil, err
		}
	}
	return bytes.Join(docs, []byte(separator)), nil
}
