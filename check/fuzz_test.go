package check_test

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/novagen/novagen/check"
	"github.com/novagen/novagen/render"
	"github.com/novagen/novagen/schema"
)

// fuzzLimit is how long one input may take before the fuzz worker is
// killed and the input kept as a crasher.
const fuzzLimit = 10 * time.Second

// locatedLine is how every line of a Run error starts.
var locatedLine = regexp.MustCompile(`^fuzz\.yaml:([1-9][0-9]*:[1-9][0-9]*:)? `)

// FuzzCheck: no input that reads as YAML makes check panic or hang; Run
// returns results or located schema.Errors, and neither an error nor a
// report in either format carries a control character (other than the
// newlines between lines) to the terminal.
func FuzzCheck(f *testing.F) {
	for _, seed := range renderedSeeds(f) {
		f.Add(seed)
	}
	for _, tc := range hostileInputs {
		f.Add([]byte(tc.input))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		nodes, err := render.Parse(data)
		if err != nil {
			return // the reading layer's to refuse
		}
		watchdog := time.AfterFunc(fuzzLimit, func() { panic(fmt.Sprintf("check did not return within %v", fuzzLimit)) })
		defer watchdog.Stop()
		results, err := check.Run("fuzz.yaml", nodes)
		if err != nil {
			requireLocated(t, err)
			return
		}
		for _, format := range []check.Format{check.Text, check.Markdown} {
			var b bytes.Buffer
			if err := check.Write(&b, results, format, false); err != nil {
				t.Fatal(err)
			}
			requirePrintable(t, string(format)+" report", b.String())
		}
	})
}

// requireLocated: err is schema.Errors, every line located in fuzz.yaml
// and printable.
func requireLocated(t *testing.T, err error) {
	t.Helper()
	var errs schema.Errors
	if !errors.As(err, &errs) || len(errs) == 0 || len(errs) > schema.MaxErrors+1 {
		t.Fatalf("Run error is %T with %d errors, want 1 to %d schema.Errors: %v", err, len(errs), schema.MaxErrors+1, err)
	}
	for _, line := range strings.Split(err.Error(), "\n") {
		if !locatedLine.MatchString(line) {
			t.Fatalf("error line is not located as fuzz.yaml:LINE:COL: %q", line)
		}
	}
	requirePrintable(t, "error", err.Error())
}

// requirePrintable: s is UTF-8 and prints as it is, every rune graphic
// but the newlines.
func requirePrintable(t *testing.T, what, s string) {
	t.Helper()
	if !utf8.ValidString(s) {
		t.Fatalf("%s is not UTF-8: %q", what, s)
	}
	for i, r := range s {
		if r != '\n' && !unicode.IsGraphic(r) {
			t.Fatalf("%s has %U at byte %d: %q", what, r, i, s)
		}
	}
}

// renderedSeeds are real objects: the first of each kind of the golden
// render, and one pod with its Service and NetworkPolicies together.
func renderedSeeds(t testing.TB) [][]byte {
	data, err := os.ReadFile("../golden/render.yaml")
	if err != nil {
		t.Fatal(err)
	}
	nodes, err := render.Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	var seeds [][]byte
	var together []string
	for _, n := range nodes {
		text := n.MustString()
		if !seen[n.GetKind()] {
			seen[n.GetKind()] = true
			seeds = append(seeds, []byte(text))
		}
		if strings.HasPrefix(n.GetName(), "auth-service") {
			together = append(together, text)
		}
	}
	return append(seeds, []byte(strings.Join(together, "---\n")))
}
