package load

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	sigsyaml "sigs.k8s.io/yaml"

	"github.com/novagen/novagen/internal/schemadoc"
)

// TestSchemaDescribesEveryField: every property, items,
// additionalProperties, definition and branch of the schema says what it
// is (schemadoc.Undescribed has the rules).
func TestSchemaDescribesEveryField(t *testing.T) {
	doc, err := schemadoc.Parse(schemaJSON)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range doc.Undescribed() {
		t.Errorf("no description: %s", m)
	}
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
  tracing: {enabled: true}
  secrets: {}
  migrations: {}
  partitions: {label: team}
  contracts:
    version: 1.0.0
    files: [nova/a/v1/a.proto]
  infrastructure:
    postgres: {backup: {storage: {endpoint: "https://s3.example.com", bucket: backups}}}
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
	// PostgresBackup.Enabled stays nil; On reads nil as true.
	"spec.infrastructure.postgres.backup.enabled": "nil means on",
	// Component.Managed stays nil; IsManaged reads nil as true.
	"spec.infrastructure.clickhouse.managed": "nil means managed",
	"spec.infrastructure.kafka.managed":      "nil means managed",
	"spec.infrastructure.postgres.managed":   "nil means managed",
	"spec.infrastructure.redis.managed":      "nil means managed",
	"spec.infrastructure.zookeeper.managed":  "nil means managed",
	"spec.tracing.collector.managed":         "nil means managed",
	// Written, because tracing's other defaults apply only when it is on.
	"spec.tracing.enabled": "written true here",
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
