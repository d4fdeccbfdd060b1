// Package k8snames checks rendered objects' names and labels with the
// API server's own rules (k8s.io/apimachinery/pkg/util/validation), for
// the tests that render catalogs: the output checks and the render fuzz
// target use the same check.
package k8snames

import (
	"fmt"
	"strings"

	"k8s.io/apimachinery/pkg/util/validation"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// objectNameRules are the name rules of the kinds novagen emits whose
// rule is stricter than a DNS-1123 subdomain.
var objectNameRules = map[string]func(string) []string{
	"Service":   validation.IsDNS1035Label,
	"Namespace": validation.IsDNS1123Label,
	// The Job controller copies a Job's name into a label of its pods.
	"Job": func(s string) []string {
		return append(validation.IsDNS1123Label(s), validation.IsValidLabelValue(s)...)
	},
}

// Problems returns every name or label of one rendered object the API
// server would reject, checked with its own validation functions: the
// object's name (by its kind's rule) and namespace, and anywhere in it
// label and selector keys and values, annotation keys, the names of
// containers (which must have one), volumes, environment variables and
// ports, and a ConfigMap's keys.
func Problems(n *yaml.RNode) []string {
	var bad []string
	fail := func(where, value string, errs []string) {
		if len(errs) > 0 {
			bad = append(bad, fmt.Sprintf("%s %q: %s", where, value, strings.Join(errs, "; ")))
		}
	}
	rule := validation.IsDNS1123Subdomain
	if r, ok := objectNameRules[n.GetKind()]; ok {
		rule = r
	}
	fail("metadata.name", n.GetName(), rule(n.GetName()))
	if ns := n.GetNamespace(); ns != "" {
		fail("metadata.namespace", ns, validation.IsDNS1123Label(ns))
	}
	walk(n.YNode(), "", func(path, key string, v *yaml.Node) {
		switch {
		case key == "annotations":
			forPairs(v, func(k, _ string) { fail(path+" key", k, validation.IsQualifiedName(k)) })
		case key == "labels" || key == "matchLabels":
			forPairs(v, func(k, val string) {
				fail(path+" key", k, validation.IsQualifiedName(k))
				fail(path+" value", val, validation.IsValidLabelValue(val))
			})
		case key == "containers" || key == "initContainers" || key == "volumes":
			if unnamed := len(entries(v)) - countNamed(v); unnamed > 0 {
				bad = append(bad, fmt.Sprintf("%s: %d entries without a name", path, unnamed))
			}
			forNamed(v, func(name string) { fail(path+" name", name, validation.IsDNS1123Label(name)) })
		case key == "env":
			forNamed(v, func(name string) { fail(path+" name", name, validation.IsEnvVarName(name)) })
		case key == "ports":
			forNamed(v, func(name string) { fail(path+" name", name, validation.IsValidPortName(name)) })
		case key == "data" && n.GetKind() == "ConfigMap" && path == "data":
			forPairs(v, func(k, _ string) { fail("data key", k, validation.IsConfigMapKey(k)) })
		}
	})
	return bad
}

// walk calls fn for every mapping value, with its dotted path and key.
func walk(n *yaml.Node, path string, fn func(path, key string, v *yaml.Node)) {
	switch n.Kind {
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i].Value, n.Content[i+1]
			p := strings.TrimPrefix(path+"."+k, ".")
			fn(p, k, v)
			walk(v, p, fn)
		}
	case yaml.SequenceNode:
		for _, c := range n.Content {
			walk(c, path+"[]", fn)
		}
	}
}

func forPairs(m *yaml.Node, fn func(k, v string)) {
	if m.Kind != yaml.MappingNode {
		return
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		fn(m.Content[i].Value, m.Content[i+1].Value)
	}
}

// entries are the items of a list (none when v is not one).
func entries(v *yaml.Node) []*yaml.Node {
	if v.Kind != yaml.SequenceNode {
		return nil
	}
	return v.Content
}

// countNamed is how many entries of a list have a name.
func countNamed(list *yaml.Node) int {
	n := 0
	forNamed(list, func(string) { n++ })
	return n
}

// forNamed calls fn with the name of every entry of a list that has one.
func forNamed(list *yaml.Node, fn func(name string)) {
	if list.Kind != yaml.SequenceNode {
		return
	}
	for _, item := range list.Content {
		if item.Kind != yaml.MappingNode {
			continue
		}
		for i := 0; i+1 < len(item.Content); i += 2 {
			if item.Content[i].Value == "name" {
				fn(item.Content[i+1].Value)
			}
		}
	}
}
