package output

import (
	"testing"

	"github.com/novagen/novagen/check"
)

// TestPodsAreRestricted checks every pod template novagen renders with
// the checks `novagen check` runs: Pod Security "restricted", resources
// and pinned images.
func TestPodsAreRestricted(t *testing.T) {
	operatorRun := 0
	for _, p := range renderedPods(t) {
		for _, f := range []func(check.Pod) []check.Problem{check.Restricted, check.Resources, check.Images} {
			for _, pr := range f(p.Pod) {
				t.Errorf("%s: %s", p.where, pr)
			}
		}
		if p.ByOperator() {
			operatorRun++
		}
	}
	if operatorRun == 0 {
		t.Error("no ClickHouseInstallation pod template was checked")
	}
}

// TestEveryCheckPasses runs every check of `novagen check` over the
// render of every test catalog: no FAIL, and no WARN either (each is a
// whole render, not a partial one).
func TestEveryCheckPasses(t *testing.T) {
	for _, c := range loadTestCatalogs(t) {
		t.Run(c.name, func(t *testing.T) {
			results, err := check.Run(c.name, c.render(t))
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range results {
				for _, f := range r.Findings {
					t.Errorf("%s %s: %s %s: %s", f.Severity, r.Name, f.Object, f.Field, f.Message)
				}
			}
		})
	}
}
