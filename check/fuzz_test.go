package check_test

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"regexp"
	"runtime/debug"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"sigs.k8s.io/kustomize/kyaml/yaml"

	"github.com/novagen/novagen/catalog/load"
	"github.com/novagen/novagen/check"
	"github.com/novagen/novagen/render"
)

// fuzzLimit is how long one input may take before the fuzz worker is
// killed and the input kept as a crasher.
const fuzzLimit = 10 * time.Second

// locatedLine is how every line of a Run error starts.
var locatedLine = regexp.MustCompile(`^in\.yaml:([1-9][0-9]*:[1-9][0-9]*:)? `)

// FuzzCheck: no input that reads as YAML makes check panic or hang; Run
// returns results or located load.Errors, and neither an error nor a
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
		if msg := runCheck(nodes); msg != "" {
			t.Fatal(msg)
		}
	})
}

// runCheck runs check over nodes (read from in.yaml) and writes its
// report in both formats; it says what went wrong: a panic, an error
// that is not located load.Errors, or a control character on the way
// to the terminal.
func runCheck(nodes []*yaml.RNode) (msg string) {
	defer func() {
		if r := recover(); r != nil {
			msg = fmt.Sprintf("panic: %v\n%s", r, debug.Stack())
		}
	}()
	results, err := check.Run("in.yaml", nodes)
	if err != nil {
		return unlocated(err)
	}
	for _, f := range []check.Format{check.Text, check.Markdown} {
		var b bytes.Buffer
		if err := check.Write(&b, results, f, false); err != nil {
			return err.Error()
		}
		if msg := unprintable(b.String()); msg != "" {
			return string(f) + " report: " + msg
		}
	}
	return ""
}

// unlocated says how err is not 1 to MaxErrors+1 load.Errors, each
// line located in in.yaml and printable; "" when it is.
func unlocated(err error) string {
	var errs load.Errors
	if !errors.As(err, &errs) || len(errs) == 0 || len(errs) > load.MaxErrors+1 {
		return fmt.Sprintf("Run error is %T with %d errors, want 1 to %d load.Errors: %v", err, len(errs), load.MaxErrors+1, err)
	}
	for _, line := range strings.Split(err.Error(), "\n") {
		if !locatedLine.MatchString(line) {
			return fmt.Sprintf("error line is not located as in.yaml:LINE:COL: %q", line)
		}
	}
	if msg := unprintable(err.Error()); msg != "" {
		return "error: " + msg
	}
	return ""
}

// unprintable says where s has a rune that is not graphic (other than a
// newline), or "" when there is none.
func unprintable(s string) string {
	if !utf8.ValidString(s) {
		return fmt.Sprintf("not UTF-8: %q", s)
	}
	for i, r := range s {
		if r != '\n' && !unicode.IsGraphic(r) {
			return fmt.Sprintf("%U at byte %d: %q", r, i, s)
		}
	}
	return ""
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
