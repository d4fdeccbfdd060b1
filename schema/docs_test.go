package schema

import (
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	sigsyaml "sigs.k8s.io/yaml"

	"github.com/novagen/novagen/internal/schemadoc"
)

// TestSchemaDescribesEveryField walks the schema as written: every
// property, items, additionalProperties, definition and anyOf/oneOf/allOf
// branch must say what it is. An items or additionalProperties (or a
// branch) that only names a described definition is described by it; a
// property needs its own words (a definition says what a value looks like,
// not what the field does). A property declared as true (allowed, its
// schema in an allOf branch) is described by that branch.
func TestSchemaDescribesEveryField(t *testing.T) {
	var root map[string]any
	if err := json.Unmarshal(schemaJSON, &root); err != nil {
		t.Fatal(err)
	}
	doc, err := schemadoc.Parse(schemaJSON)
	if err != nil {
		t.Fatal(err)
	}
	defs, _ := root["definitions"].(map[string]any)
	described := func(s map[string]any) bool {
		if d, _ := s["description"].(string); strings.TrimSpace(d) != "" {
			return true
		}
		return false
	}
	var missing []string
	var walk func(s any, ptr string, ownWords bool)
	walk = func(s any, ptr string, ownWords bool) {
		m, ok := s.(map[string]any)
		if !ok {
			return
		}
		if ptr != "" && !described(m) {
			ref, _ := m["$ref"].(string)
			target, _ := defs[strings.TrimPrefix(ref, "#/definitions/")].(map[string]any)
			if ownWords || target == nil || !described(target) {
				missing = append(missing, ptr)
			}
		}
		props, _ := m["properties"].(map[string]any)
		for name, p := range props {
			if p == true {
				if !placeholderDescribed(doc, ptr, name) {
					missing = append(missing, ptr+"/properties/"+name+" (true, no allOf branch describes it)")
				}
				continue
			}
			walk(p, ptr+"/properties/"+name, true)
		}
		for _, k := range []string{"items", "additionalProperties"} {
			walk(m[k], ptr+"/"+k, false)
		}
		for _, k := range []string{"allOf", "anyOf", "oneOf"} {
			branches, _ := m[k].([]any)
			for i, b := range branches {
				walk(b, fmt.Sprintf("%s/%s/%d", ptr, k, i), false)
			}
		}
		for name, d := range defs {
			if ptr == "" {
				walk(d, "/definitions/"+name, true)
			}
		}
	}
	walk(root, "", false)
	slices.Sort(missing)
	for _, m := range missing {
		t.Errorf("no description: %s", m)
	}
}

// placeholderDescribed says whether the property name of the object at
// ptr (a JSON pointer into the schema) is described once its allOf
// branches are merged.
func placeholderDescribed(doc *schemadoc.Doc, ptr, name string) bool {
	n, ok := nodeAt(doc, ptr)
	if !ok {
		return false
	}
	f, ok := n.Child(name)
	return ok && f.Description() != ""
}

// nodeAt resolves a schema pointer made of properties and definitions.
func nodeAt(doc *schemadoc.Doc, ptr string) (schemadoc.Node, bool) {
	parts := strings.Split(strings.TrimPrefix(ptr, "/"), "/")
	if len(parts) < 2 || parts[0] != "definitions" {
		return schemadoc.Node{}, false
	}
	n, ok := doc.Definition(parts[1])
	for i := 2; ok && i+1 < len(parts); i += 2 {
		if parts[i] != "properties" {
			return schemadoc.Node{}, false
		}
		n, ok = n.Child(parts[i+1])
	}
	return n, ok
}

// defaultsCatalog has every optional part, each left to its defaults, so
// that every default the schema states can be compared with what the
// loader applies.
const defaultsCatalog = `apiVersion: catalog.nova.dev/v1alpha1
kind: ServiceCatalog
metadata: {name: nova}
spec:
  namespace: nova-test
  defaults:
    image: {registry: registry.example/nova, tag: "1.0.0"}
  monitoring:
    namespace: monitoring
  secrets: {}
  migrations: {}
  partitions: {label: team}
  contracts:
    version: 1.0.0
    files: [nova/a/v1/a.proto]
  infrastructure:
    postgres: {}
    redis: {}
    zookeeper: {}
    kafka: {}
    clickhouse: {}
  databases:
    - name: nova_a
  topics:
    - {name: events, partitions: 1}
  ingress:
    issuer: {name: letsencrypt}
  services:
    - name: a
      database: nova_a
      dependsOn: [postgres, kafka, redis, clickhouse]
      consumes: [events]
    - name: web
      protocol: http
      expose: {host: web.example.com}
`

// notApplied are the schema defaults the loaded catalog does not spell
// out, and why they still hold.
var notApplied = map[string]string{
	// Component.Managed stays nil; IsManaged reads nil as true.
	"spec.infrastructure.clickhouse.managed": "nil means managed",
	"spec.infrastructure.kafka.managed":      "nil means managed",
	"spec.infrastructure.postgres.managed":   "nil means managed",
	"spec.infrastructure.redis.managed":      "nil means managed",
	"spec.infrastructure.zookeeper.managed":  "nil means managed",
}

// TestSchemaDefaultsAreTheLoaders loads a catalog that sets none of the
// defaulted fields and compares every default the schema states with the
// value the loader put there.
func TestSchemaDefaultsAreTheLoaders(t *testing.T) {
	files := map[string]string{"nova/a/v1/a.proto": "syntax = \"proto3\";\npackage nova.a.v1;\nmessage A {}\n"}
	read := func(name string, _ int64) ([]byte, error) {
		if s, ok := files[name]; ok {
			return []byte(s), nil
		}
		return nil, fmt.Errorf("no file %s", name)
	}
	cat, err := ParseFrom(read, "services.yaml", []byte(defaultsCatalog), "")
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(cat)
	if err != nil {
		t.Fatal(err)
	}
	var instance any
	if err := json.Unmarshal(b, &instance); err != nil {
		t.Fatal(err)
	}
	var written any
	if err := sigsyaml.Unmarshal([]byte(defaultsCatalog), &written); err != nil {
		t.Fatal(err)
	}
	doc, err := schemadoc.Parse(schemaJSON)
	if err != nil {
		t.Fatal(err)
	}
	checked := 0
	doc.Root().Walk("", func(path string, f schemadoc.Field, _ int) {
		want, ok := f.Node.Default()
		if !ok || strings.Contains(path, "<name>") {
			return // a map's entries: none in this catalog
		}
		if why, ok := notApplied[path]; ok {
			t.Logf("%s: default %v not applied: %s", path, want, why)
			return
		}
		got := valuesAt(instance, written, path, want)
		if len(got) == 0 {
			t.Errorf("%s: default %v: the test catalog has no such field", path, schemadoc.Format(want))
			return
		}
		for _, g := range got {
			if !sameValue(g, want) {
				t.Errorf("%s: the schema says default %s, the loader applies %s", path, schemadoc.Format(want), schemadoc.Format(g))
			}
		}
		checked++
	})
	if checked < 60 {
		t.Errorf("checked %d defaults, expected at least 60: is the walk broken?", checked)
	}
}

// valuesAt collects the loaded values at path (name[] enters every list
// item) where the catalog as written has none: a written value is no
// default. A field missing from a loaded object is Go's zero value, which
// omitempty left out.
func valuesAt(loaded, written any, path string, zeroLike any) []any {
	type pair struct{ loaded, written any }
	cur := []pair{{loaded, written}}
	segs := strings.Split(path, ".")
	for i, seg := range segs {
		name, list := strings.CutSuffix(seg, "[]")
		last := i == len(segs)-1
		var next []pair
		for _, c := range cur {
			obj, ok := c.loaded.(map[string]any)
			if !ok {
				continue
			}
			w, _ := c.written.(map[string]any)
			if _, set := w[name]; set && last {
				continue
			}
			val := obj[name]
			switch items, ok := val.([]any); {
			case val == nil && last:
				next = append(next, pair{reflect.Zero(reflect.TypeOf(zeroLike)).Interface(), nil})
			case ok && list && !last:
				ws, _ := w[name].([]any)
				for j, it := range items {
					var wi any
					if j < len(ws) {
						wi = ws[j]
					}
					next = append(next, pair{it, wi})
				}
			case val != nil:
				next = append(next, pair{val, w[name]})
			}
		}
		cur = next
	}
	var out []any
	for _, c := range cur {
		out = append(out, c.loaded)
	}
	return out
}

// sameValue compares JSON values, durations by what they mean (2m and
// 2m0s).
func sameValue(got, want any) bool {
	if g, ok := got.(string); ok {
		if w, ok := want.(string); ok {
			gd, err1 := time.ParseDuration(g)
			wd, err2 := time.ParseDuration(w)
			if err1 == nil && err2 == nil {
				return gd == wd
			}
		}
	}
	return reflect.DeepEqual(got, want)
}
