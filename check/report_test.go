package check

import (
	"bytes"
	"strings"
	"testing"
)

func TestWrite(t *testing.T) {
	results := []Result{
		{Name: "resources", Title: "requests", Unit: "containers", Checked: 3},
		{Name: "probes", Title: "probes", Unit: "containers", Checked: 2, Findings: []Finding{
			{Fail, "Deployment/a", "spec.template.spec.containers[a].livenessProbe", "missing"},
		}},
		{Name: "service-selectors", Title: "selectors", Unit: "Services", Checked: 1, Findings: []Finding{
			{Warn, "Service/b", "spec.selector", "selects no pod: x=a|b"},
		}},
	}
	cases := []struct {
		name   string
		format Format
		colour bool
		want   []string
		not    []string
	}{
		{"text", Text, false, []string{
			"CHECK              STATUS   FAIL   WARN  CHECKED\n",
			"resources          PASS        0      0  3 containers: requests\n",
			"probes             FAIL        1      0  2 containers: probes\n",
			"FAIL probes: Deployment/a spec.template.spec.containers[a].livenessProbe: missing\n",
			"WARN service-selectors: Service/b spec.selector: selects no pod: x=a|b\n",
			"3 checks, 1 FAIL, 1 WARN, 1 PASS\n",
		}, []string{"\033["}},
		{"text in colour", Text, true, []string{"\033[31mFAIL\033[0m  ", "\033[32mPASS\033[0m  ", "\033[33mWARN\033[0m service-selectors"}, nil},
		{"markdown", Markdown, false, []string{
			"**novagen check**: 3 checks, 1 FAIL, 1 WARN, 1 PASS\n",
			"| `probes` | ❌ FAIL | 1 | 0 | 2 containers: probes |\n",
			"| ⚠️ WARN | `service-selectors` | `Service/b` | `spec.selector` | selects no pod: x=a\\|b |\n",
		}, []string{"\033["}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var b bytes.Buffer
			if err := Write(&b, results, tc.format, tc.colour); err != nil {
				t.Fatal(err)
			}
			for _, w := range tc.want {
				if !strings.Contains(b.String(), w) {
					t.Errorf("want %q in:\n%s", w, b.String())
				}
			}
			for _, w := range tc.not {
				if strings.Contains(b.String(), w) {
					t.Errorf("%q must not be in:\n%s", w, b.String())
				}
			}
		})
	}
	if _, err := ParseFormat("html"); err == nil || !strings.Contains(err.Error(), "expected text or markdown") {
		t.Errorf("ParseFormat(html) = %v", err)
	}
}
