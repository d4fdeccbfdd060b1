package load_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/novagen/novagen/catalog/load"
	"github.com/novagen/novagen/internal/testtool"
)

// fuzzLimit is how long one input may take before the fuzz worker is
// killed and the input kept as a crasher: Parse runs inside Argo CD's
// repo-server, where a hang is an outage.
const fuzzLimit = 10 * time.Second

// located is how every line of a load error starts: the file, then the
// 1-based LINE:COL or nothing.
var located = regexp.MustCompile(`^fuzz\.yaml:([1-9][0-9]*:[1-9][0-9]*)?: `)

// FuzzParse: no input makes Parse panic or hang; it returns a catalog or
// located Errors (at most MaxErrors and a summary), and the same bytes
// always give the same answer.
func FuzzParse(f *testing.F) {
	for _, seed := range testtool.CatalogFiles(f, "../..") {
		f.Add(seed)
	}
	for _, seed := range trickySeeds() {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		// Three runs: map order varies between runs, and a bug that
		// depends on it shows in one pair of runs out of a few.
		first := parse(t, data)
		for range 2 {
			if again := parse(t, data); again != first {
				t.Fatalf("Parse is not deterministic:\nfirst: %s\nagain: %s", first, again)
			}
		}
	})
}

// parse runs Parse under a watchdog, checks the shape of its answer and
// returns it as text: the error, or the catalog as JSON.
func parse(t *testing.T, data []byte) string {
	t.Helper()
	watchdog := time.AfterFunc(fuzzLimit, func() { panic(fmt.Sprintf("Parse did not return within %v", fuzzLimit)) })
	cat, err := load.Parse("fuzz.yaml", data)
	watchdog.Stop()
	if err == nil {
		if cat == nil {
			t.Fatal("Parse returned neither a catalog nor an error")
		}
		b, err := json.Marshal(cat)
		if err != nil {
			t.Fatalf("a loaded catalog does not marshal: %v", err)
		}
		return "catalog " + string(b)
	}
	if cat != nil {
		t.Fatalf("Parse returned a catalog and an error: %v", err)
	}
	var errs load.Errors
	if !errors.As(err, &errs) {
		t.Fatalf("Parse error is %T, not load.Errors: %v", err, err)
	}
	if len(errs) == 0 || len(errs) > load.MaxErrors+1 {
		t.Fatalf("Parse returned %d errors, want 1 to %d:\n%v", len(errs), load.MaxErrors+1, err)
	}
	for _, line := range strings.Split(err.Error(), "\n") {
		if !located.MatchString(line) {
			t.Fatalf("error line is not located as fuzz.yaml:LINE:COL: or fuzz.yaml: : %q", line)
		}
	}
	return "error " + err.Error()
}

// mini is the smallest catalog that loads; the tricky seeds vary it.
const mini = `apiVersion: catalog.nova.dev/v1alpha1
kind: ServiceCatalog
metadata:
  name: mini
spec:
  namespace: mini
  defaults:
    image: {registry: registry.example/mini, tag: "0.1.0"}
`

// trickySeeds are YAML features a hand-written catalog rarely uses and a
// hostile one does: anchors and aliases, merge keys, tags, odd keys and
// scalars, deep nesting, alias bombs, several documents.
func trickySeeds() []string {
	laughs := "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
	for i := 'b'; i <= 'j'; i++ {
		laughs += fmt.Sprintf("%c: &%c [*%c, *%c, *%c, *%c, *%c, *%c, *%c, *%c, *%c, *%c]\n", i, i, i-1, i-1, i-1, i-1, i-1, i-1, i-1, i-1, i-1, i-1)
	}
	return []string{
		mini + "  services:\n    - name: echo\n",
		mini + "  services:\n    - &svc {name: a, dependsOn: [postgres]}\n    - {<<: *svc, name: b}\n  infrastructure:\n    postgres: {port: 5432}\n",
		mini + "  services:\n    - &a {name: a}\n    - <<: [*a, {name: c}]\n      name: b\n",
		mini + "  services:\n    - {<<: {name: a}, <<: {name: b}}\n",
		mini + "  services:\n    - {name: a, <<: 7}\n",
		mini + "  services: &s\n    - name: a\n      dependsOn: *s\n",
		mini + "  services:\n    - name: !!str echo\n      ports: {grpc: !!int \"50052\", metrics: 0x2382}\n",
		mini + "  services:\n    - name: !custom echo\n",
		mini + "  services:\n    - {name: !!binary ZWNobw==}\n",
		mini + "  services:\n    - {name: echo, replicas: .nan}\n",
		mini + "  services:\n    - {name: echo, replicas: 1e400}\n",
		mini + "  services:\n    - {name: echo, replicas: 99999999999999999999999}\n",
		mini + "  services:\n    - {name: 2001-01-01}\n",
		mini + "  services:\n    - {? [a, b] : c, name: echo}\n",
		mini + "  services:\n    - {~: x, 1: y, true: z, name: echo}\n",
		mini + "  services:\n    - {&k name : echo, *k : again}\n",
		mini + "  services:\n    - name: echo\n---\n" + mini,
		mini + "  services: [" + strings.Repeat("[", 5000) + strings.Repeat("]", 5000) + "]\n",
		mini + "  x: " + strings.Repeat("{a: ", 3000) + "1" + strings.Repeat("}", 3000) + "\n",
		laughs + mini + "  services: [{name: echo, dependsOn: *j}]\n",
		"\ufeff" + mini + "  services:\n    - name: echo\n",
		mini + "  services:\n\t- name: echo\n",
		"",
		"---\n",
		"~\n",
		"[]\n",
		"%YAML 1.1\n---\n" + mini + "  services:\n    - name: echo\n",
		"&a [*a]\n",
		"? " + strings.Repeat("x", 2000) + "\n: y\n",
	}
}
