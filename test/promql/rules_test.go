// Package promql checks the generated alert rules with Prometheus' own
// rule loader (model/rulefmt: PromQL expressions, durations, label names,
// annotation templates), as Prometheus does when the operator hands it a
// PrometheusRule, and the generated Grafana dashboards' queries with its
// PromQL parser (dashboards_test.go). It is a module of its own so the main module does not
// carry Prometheus' dependencies; it reads the golden files, which the
// main module's tests keep equal to what novagen renders.
package promql

import (
	"bytes"
	"errors"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"testing"

	"github.com/prometheus/common/model"
	"github.com/prometheus/prometheus/model/rulefmt"
	"github.com/prometheus/prometheus/promql/parser"
	"go.yaml.in/yaml/v3"
)

// goldenFiles are every rendered output in the repository that may hold
// a PrometheusRule.
func goldenFiles(t *testing.T) []string {
	t.Helper()
	var out []string
	for _, pattern := range []string{"../../golden/*.yaml", "../../golden/examples/*.yaml", "../../generators/monitoring/testdata/*/expected.yaml"} {
		m, err := filepath.Glob(pattern)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, m...)
	}
	return out
}

// documents decodes every YAML document of file as a T.
func documents[T any](t *testing.T, file string) []T {
	t.Helper()
	src, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var out []T
	dec := yaml.NewDecoder(bytes.NewReader(src))
	for {
		var doc T
		if err := dec.Decode(&doc); errors.Is(err, io.EOF) {
			return out
		} else if err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		out = append(out, doc)
	}
}

// goldenObject is an object of a golden file, with its spec as S.
type goldenObject[S any] struct {
	Kind     string `yaml:"kind"`
	Metadata struct {
		Name   string            `yaml:"name"`
		Labels map[string]string `yaml:"labels"`
	} `yaml:"metadata"`
	Spec S                 `yaml:"spec"`
	Data map[string]string `yaml:"data"`
}

// ruleSpecs returns the spec of every PrometheusRule in file, as YAML.
func ruleSpecs(t *testing.T, file string) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	for _, d := range documents[goldenObject[yaml.Node]](t, file) {
		if d.Kind != "PrometheusRule" {
			continue
		}
		spec, err := yaml.Marshal(&d.Spec)
		if err != nil {
			t.Fatal(err)
		}
		out[d.Metadata.Name] = spec
	}
	return out
}

// load parses a rules file as Prometheus does, with the legacy (the
// stricter) name validation, which every Prometheus version accepts.
func load(spec []byte) (*rulefmt.RuleGroups, []error) {
	return rulefmt.Parse(spec, false, model.LegacyValidation, parser.NewParser(parser.Options{}), slog.New(slog.DiscardHandler))
}

// TestRulesLoad: every generated PrometheusRule is a rules file
// Prometheus loads without an error, and has alerts.
func TestRulesLoad(t *testing.T) {
	rules := 0
	for _, f := range goldenFiles(t) {
		for name, spec := range ruleSpecs(t, f) {
			groups, errs := load(spec)
			for _, err := range errs {
				t.Errorf("%s: PrometheusRule %s: %v", f, name, err)
			}
			if groups == nil {
				continue
			}
			for _, g := range groups.Groups {
				rules += len(g.Rules)
			}
		}
	}
	if rules < 10 {
		t.Fatalf("only %d rules in the golden files", rules)
	}
	t.Logf("%d rules load", rules)
}

// TestLoaderRejects: the loader this test trusts does reject what
// Prometheus would.
func TestLoaderRejects(t *testing.T) {
	for name, spec := range map[string]string{
		"expression":     "groups: [{name: g, rules: [{alert: A, expr: 'up{'}]}]",
		"duration":       "groups: [{name: g, rules: [{alert: A, expr: up, for: 5min}]}]",
		"template":       "groups: [{name: g, rules: [{alert: A, expr: up, annotations: {s: '{{ .Foo'}}]}]",
		"duplicate name": "groups: [{name: g, rules: [{alert: A, expr: up}]}, {name: g, rules: [{alert: A, expr: up}]}]",
	} {
		t.Run(name, func(t *testing.T) {
			if _, errs := load([]byte(spec)); len(errs) == 0 {
				t.Errorf("%s loads", spec)
			}
		})
	}
}
