package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"reflect"
	"sort"

	"go.yaml.in/yaml/v4"
)

// equivalence is how the chart's objects compare with novagen's: every
// object helm renders should be one novagen renders, equal once parsed
// (key order, quoting and comments aside).
type equivalence struct {
	chart, equal int    // objects the chart renders; of those, equal to novagen's
	diff         string // the first difference, if any
}

func (e equivalence) String() string {
	s := fmt.Sprintf("%d of %d chart objects equal to novagen's of the same kind and name", e.equal, e.chart)
	if e.diff != "" {
		s += "; first difference: " + e.diff
	}
	return s
}

// compareOutputs parses both multi-document streams and compares each
// object of the chart with novagen's of the same kind, namespace and name.
func compareOutputs(novagen, chart []byte) (equivalence, error) {
	ours, err := objects(novagen)
	if err != nil {
		return equivalence{}, fmt.Errorf("novagen's output: %w", err)
	}
	theirs, err := objects(chart)
	if err != nil {
		return equivalence{}, fmt.Errorf("helm's output: %w", err)
	}
	byID := make(map[string]map[string]any, len(ours))
	for _, o := range ours {
		byID[objectID(o)] = o
	}
	var e equivalence
	for _, o := range theirs {
		e.chart++
		id := objectID(o)
		want, ok := byID[id]
		switch {
		case !ok:
			if e.diff == "" {
				e.diff = id + " is not in novagen's output"
			}
		case reflect.DeepEqual(o, want):
			e.equal++
		case e.diff == "":
			e.diff = id + ": " + firstDifference("", want, o)
		}
	}
	return e, nil
}

// objects decodes every non-empty document of a stream.
func objects(data []byte) ([]map[string]any, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var out []map[string]any
	for {
		var doc map[string]any
		err := dec.Decode(&doc)
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, fmt.Errorf("document %d: %w", len(out)+1, err)
		}
		if doc != nil {
			out = append(out, doc)
		}
	}
}

func objectID(o map[string]any) string {
	meta, _ := o["metadata"].(map[string]any)
	return fmt.Sprintf("%v %v/%v", o["kind"], meta["namespace"], meta["name"])
}

// firstDifference names the first path where got differs from want.
func firstDifference(path string, want, got any) string {
	switch w := want.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			break
		}
		keys := make([]string, 0, len(w)+len(g))
		for k := range w {
			keys = append(keys, k)
		}
		for k := range g {
			if _, ok := w[k]; !ok {
				keys = append(keys, k)
			}
		}
		sort.Strings(keys)
		for _, k := range keys {
			if !reflect.DeepEqual(w[k], g[k]) {
				return firstDifference(path+"."+k, w[k], g[k])
			}
		}
	case []any:
		g, ok := got.([]any)
		if !ok || len(g) != len(w) {
			break
		}
		for i := range w {
			if !reflect.DeepEqual(w[i], g[i]) {
				return firstDifference(fmt.Sprintf("%s[%d]", path, i), w[i], g[i])
			}
		}
	}
	return fmt.Sprintf("%s: novagen %s, chart %s", path, short(want), short(got))
}

func short(v any) string {
	s := fmt.Sprintf("%#v", v)
	if v == nil {
		s = "nothing"
	}
	if len(s) > 80 {
		s = s[:77] + "..."
	}
	return s
}
