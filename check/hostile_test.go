package check_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/novagen/novagen/catalog/load"
	"github.com/novagen/novagen/check"
	"github.com/novagen/novagen/render"
)

// Small objects for the hostile inputs.
const (
	pod       = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\n"
	chi       = "apiVersion: clickhouse.altinity.com/v1\nkind: ClickHouseInstallation\nmetadata: {name: c}\n"
	container = `{name: c, image: "b:1"}`
)

// hostileInputs are documents check cannot read: each is an error at
// in.yaml:LINE:COL naming the object and field, never a panic or a pass.
// FuzzCheck seeds with them too.
var hostileInputs = []struct {
	name, input string
	want        string // the whole error
}{
	{"labels a list (Pod)", "apiVersion: v1\nkind: Pod\nmetadata: {name: p, labels: [1]}\nspec: {containers: [" + container + "]}\n",
		"in.yaml:3:29: Pod/p: metadata.labels: expected a mapping, found a sequence"},
	{"labels a list (Service)", "apiVersion: v1\nkind: Service\nmetadata: {name: s, labels: [1]}\nspec: {}\n",
		"in.yaml:3:29: Service/s: metadata.labels: expected a mapping, found a sequence"},
	{"a label a list", "apiVersion: v1\nkind: Service\nmetadata:\n  name: s\n  labels: {a: [1]}\n",
		"in.yaml:5:15: Service/s: metadata.labels.a: expected a string, found a sequence"},
	{"a label null", "apiVersion: v1\nkind: Service\nmetadata:\n  name: s\n  labels: {a: }\n",
		"in.yaml:5:15: Service/s: metadata.labels.a: expected a string, found null"},
	{"a label key a list", "apiVersion: v1\nkind: Service\nmetadata:\n  name: s\n  labels: {[1]: a}\n",
		"in.yaml:5:12: Service/s: metadata.labels: expected a string key, found a sequence"},
	{"a word", "hello\n",
		"in.yaml:1:1: expected an object (a mapping with apiVersion, kind and metadata.name), found a string"},
	{"a list", "- apiVersion: v1\n",
		"in.yaml:1:1: expected an object (a mapping with apiVersion, kind and metadata.name), found a sequence"},
	{"no apiVersion, kind, name", "a: 1\n",
		"in.yaml:1:1: not an object: no apiVersion, kind, metadata.name (every document needs apiVersion, kind and metadata.name)"},
	{"no name", "apiVersion: v1\nkind: ConfigMap\nmetadata: {namespace: n}\n",
		"in.yaml:1:1: not an object: no metadata.name (every document needs apiVersion, kind and metadata.name)"},
	{"an empty kind", "apiVersion: v1\nkind: ''\nmetadata: {name: p}\n",
		"in.yaml:1:1: not an object: no kind (every document needs apiVersion, kind and metadata.name)"},
	{"metadata a string", "apiVersion: v1\nkind: ConfigMap\nmetadata: p\n",
		"in.yaml:3:11: metadata: expected a mapping, found a string"},
	{"metadata a list", "apiVersion: v1\nkind: ConfigMap\nmetadata: [name, p]\n",
		"in.yaml:3:11: metadata: expected a mapping, found a sequence"},
	{"kind a mapping", "apiVersion: v1\nkind: {a: b}\nmetadata: {name: p}\n",
		"in.yaml:2:7: kind: expected a string, found a mapping"},
	{"name a list", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: [p]}\n",
		"in.yaml:3:18: metadata.name: expected a string, found a sequence"},
	{"namespace a mapping", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: p, namespace: {a: b}}\n",
		"in.yaml:3:32: ConfigMap/p: metadata.namespace: expected a string, found a mapping"},
	{"apiVersion a list", "apiVersion: [v1]\nkind: ConfigMap\nmetadata: {name: p}\n",
		"in.yaml:1:13: ConfigMap/p: apiVersion: expected a string, found a sequence"},
	{"the second document", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\napiVersion: v1\nkind: Secret\nmetadata: {name: p, labels: x}\n",
		"in.yaml:7:29: Secret/p: metadata.labels: expected a mapping, found a string"},
	{"every problem at once", "a: 1\n---\nb: 2\n",
		"in.yaml:1:1: not an object: no apiVersion, kind, metadata.name (every document needs apiVersion, kind and metadata.name)\n" +
			"in.yaml:3:1: not an object: no apiVersion, kind, metadata.name (every document needs apiVersion, kind and metadata.name)"},
	{"a control character in a name", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: \"\\e[31mred\", labels: 1}\n",
		`in.yaml:3:39: ConfigMap/\x1b[31mred: metadata.labels: expected a mapping, found an integer`},

	{"pod spec null", pod + "spec: ~\n", "in.yaml:1:1: Pod/p: spec: missing"},
	{"pod spec a list", pod + "spec: [1]\n", "in.yaml:4:7: Pod/p: spec: expected a mapping, found a sequence"},
	{"containers a string", pod + "spec: {containers: c}\n", "in.yaml:4:20: Pod/p: spec.containers: expected a sequence, found a string"},
	{"a container's name a list", pod + "spec: {containers: [{name: [c]}]}\n", "in.yaml:4:20: Pod/p: spec.containers.name: expected a string, found a sequence"},
	{"a misspelt field", pod + "spec: {containers: [{name: c, imagePullPolisy: Always}]}\n", `in.yaml:4:7: Pod/p: spec: json: unknown field "imagePullPolisy"`},
	{"a quantity a list", pod + "spec: {containers: [{name: c, resources: {limits: {memory: [1]}}}]}\n", "in.yaml:4:7: Pod/p: spec: quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"},
	{"template a list", "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec: {template: [1]}\n",
		"in.yaml:4:18: Deployment/d: spec.template: expected a mapping, found a sequence"},
	{"spec a string", "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec: s\n",
		"in.yaml:4:7: Deployment/d: spec: expected a mapping, found a string"},
	{"no template", "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec: {}\n",
		"in.yaml:1:1: Deployment/d: spec.template: missing"},
	{"template labels a string", "apiVersion: batch/v1\nkind: CronJob\nmetadata: {name: j}\nspec: {jobTemplate: {spec: {template: {metadata: {labels: x}, spec: {containers: [" + container + "]}}}}}\n",
		"in.yaml:4:59: CronJob/j: spec.jobTemplate.spec.template.metadata.labels: expected a mapping, found a string"},

	{"podTemplates a string", chi + "spec: {templates: {podTemplates: x}}\n",
		"in.yaml:4:34: ClickHouseInstallation/c: spec.templates.podTemplates: expected a sequence, found a string"},
	{"a podTemplate a string", chi + "spec: {templates: {podTemplates: [x]}}\n",
		"in.yaml:4:35: ClickHouseInstallation/c: spec.templates.podTemplates[0]: expected a mapping, found a string"},
	{"no podTemplates", chi + "spec: {}\n",
		"in.yaml:1:1: ClickHouseInstallation/c: spec.templates.podTemplates: missing"},
	{"serviceTemplates a mapping", chi + "spec: {templates: {podTemplates: [], serviceTemplates: {a: b}}}\n",
		"in.yaml:4:56: ClickHouseInstallation/c: spec.templates.serviceTemplates: expected a sequence, found a mapping"},
	{"generateName a list", chi + "spec: {templates: {podTemplates: [], serviceTemplates: [{generateName: [x]}]}}\n",
		"in.yaml:4:72: ClickHouseInstallation/c: spec.templates.serviceTemplates[0].generateName: expected a string, found a sequence"},
	{"users a list", chi + "spec: {templates: {podTemplates: []}, configuration: {users: [a/password]}}\n",
		"in.yaml:4:62: ClickHouseInstallation/c: spec.configuration.users: expected a mapping, found a sequence"},

	{"Secret data a list", "apiVersion: v1\nkind: Secret\nmetadata: {name: s}\ndata: [a, b]\n",
		"in.yaml:4:7: Secret/s: data: expected a mapping, found a sequence"},
	{"Secret stringData a string", "apiVersion: v1\nkind: Secret\nmetadata: {name: s}\nstringData: x\n",
		"in.yaml:4:13: Secret/s: stringData: expected a mapping, found a string"},
	{"Secret data key a mapping", "apiVersion: v1\nkind: Secret\nmetadata: {name: s}\ndata: {{a: b}: c}\n",
		"in.yaml:4:8: Secret/s: data: expected a string key, found a mapping"},
	{"Service spec a list", "apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec: [1]\n",
		"in.yaml:4:7: Service/s: spec: expected a mapping, found a sequence"},
	{"NetworkPolicy podSelector a string", "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: n}\nspec: {podSelector: x}\n",
		"in.yaml:4:21: NetworkPolicy/n: spec.podSelector: expected a mapping, found a string"},
	{"Ingress rules a string", "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: i}\nspec: {rules: x}\n",
		"in.yaml:4:15: Ingress/i: spec.rules: expected a sequence, found a string"},
	{"Service port out of range", "apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec: {ports: [{port: 99999999999}]}\n",
		"in.yaml:4:15: Service/s: spec.ports.port: expected an integer (int32), found number 99999999999"},
	{"Service selector a list", "apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec: {selector: [a]}\n",
		"in.yaml:4:18: Service/s: spec.selector: expected a mapping, found a sequence"},
	{"ServiceMonitor spec a string", "apiVersion: monitoring.coreos.com/v1\nkind: ServiceMonitor\nmetadata: {name: m}\nspec: x\n",
		"in.yaml:4:7: ServiceMonitor/m: spec: expected a mapping, found a string"},
}

// TestHostileInput: each hostile input is the error it should be, and
// no panic.
func TestHostileInput(t *testing.T) {
	for _, tc := range hostileInputs {
		t.Run(tc.name, func(t *testing.T) {
			nodes, err := render.Parse([]byte(tc.input))
			if err != nil {
				t.Fatalf("the input does not read as YAML: %v", err)
			}
			results, err := check.Run("in.yaml", nodes)
			if err == nil {
				t.Fatalf("no error; results %v", results)
			}
			var errs load.Errors
			if !errors.As(err, &errs) {
				t.Errorf("the error is %T, not load.Errors (which the CLI prints located)", err)
			}
			if got := err.Error(); got != tc.want {
				t.Errorf("error\n%s\nwant\n%s", got, tc.want)
			}
		})
	}
}

// TestErrorsCapped: a hostile input of many bad documents is at most
// load.MaxErrors errors and a count of the others.
func TestErrorsCapped(t *testing.T) {
	nodes, err := render.Parse([]byte(strings.Repeat("x\n---\n", load.MaxErrors+5)))
	if err != nil {
		t.Fatal(err)
	}
	_, err = check.Run("in.yaml", nodes)
	var errs load.Errors
	if !errors.As(err, &errs) || len(errs) != load.MaxErrors+1 {
		t.Fatalf("want %d errors, got %d: %v", load.MaxErrors+1, len(errs), err)
	}
	if last := errs[len(errs)-1].Error(); last != "in.yaml:201:1: ... and 5 more problems" {
		t.Errorf("last error %q", last)
	}
}
