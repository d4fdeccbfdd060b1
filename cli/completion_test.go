package cli

import (
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/novagen/novagen/catalog"
	"github.com/novagen/novagen/catalog/load"
)

// complete runs cobra's hidden __complete command, as the shell scripts
// of novagen completion do, and returns the suggestions.
func complete(t *testing.T, args ...string) []string {
	t.Helper()
	code, stdout, stderr := run(append([]string{"__complete"}, args...)...)
	require.Equal(t, 0, code, stderr)
	lines := strings.Split(strings.TrimSuffix(stdout, "\n"), "\n")
	require.Regexp(t, `^:\d+$`, lines[len(lines)-1], "the last line is the directive")
	return lines[:len(lines)-1]
}

func loadNames(t *testing.T, path string, f func(*catalog.Catalog) []string) []string {
	t.Helper()
	cat, err := load.Load(path)
	require.NoError(t, err)
	names := f(cat)
	require.NotEmpty(t, names, "the test needs a catalog that has some")
	return names
}

// TestFlagCompletion: flag values come from the registries and from the
// catalog -f names; a catalog that does not load gives none, silently.
func TestFlagCompletion(t *testing.T) {
	var gens, trans []string
	for _, g := range novagen.All() {
		gens = append(gens, g.Name)
	}
	for _, tr := range novagen.Transformers() {
		trans = append(trans, tr.Name)
	}
	require.NotEmpty(t, gens)
	envs := loadNames(t, staging, func(c *catalog.Catalog) []string { return c.EnvironmentNames })
	parts := loadNames(t, partitioned, (*catalog.Catalog).PartitionNames)
	nodes := loadNames(t, staging, func(c *catalog.Catalog) []string {
		var n []string
		for _, e := range c.Endpoints() {
			n = append(n, e.Name)
		}
		return n
	})
	// After "a,": every other generator, after that prefix.
	rest := func(first string) []string {
		var out []string
		for _, n := range gens {
			if n != first {
				out = append(out, first+","+n)
			}
		}
		return out
	}
	tests := []struct {
		name string
		args []string
		want []string
	}{
		{"generators", []string{"render", "--generator", ""}, gens},
		{"generators, short flag", []string{"render", "-g", ""}, gens},
		{"the next generator of a list", []string{"render", "-g", gens[0] + ","}, rest(gens[0])},
		{"generators by prefix", []string{"render", "-g", gens[0]}, []string{gens[0]}},
		{"transformers", []string{"render", "--transformer", ""}, trans},
		{"environments", []string{"render", "-f", staging, "-e", ""}, envs},
		{"environments of validate", []string{"validate", "-f", staging, "--environment", ""}, envs},
		{"environments of a missing catalog", []string{"render", "-f", "nope.yaml", "-e", ""}, nil},
		{"environments of a catalog that does not load", []string{"validate", "-f", "completion_test.go", "-e", ""}, nil},
		{"environments on stdin", []string{"render", "-f", "-", "-e", ""}, nil},
		{"partitions", []string{"render", "-f", partitioned, "--partition", ""}, parts},
		{"partitions of an unpartitioned catalog", []string{"render", "-f", staging, "-p", ""}, nil},
		{"init --depends-on", []string{"init", "-f", staging, "--service", "x", "--depends-on", ""}, nodes},
		{"check formats", []string{"check", "--format", ""}, formatValues["check"]},
		{"diff formats", []string{"diff", "--format", ""}, formatValues["diff"]},
		{"graph formats", []string{"graph", "--format", ""}, formatValues["graph"]},
		{"validate formats", []string{"validate", "--format", ""}, formatValues["validate"]},
		{"partitions output", []string{"partitions", "-o", ""}, formatValues["partitions"]},
		{"formats by prefix", []string{"check", "--format", "m"}, []string{"markdown"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := complete(t, tt.args...)
			if tt.want == nil {
				assert.Empty(t, got)
				return
			}
			assert.Equal(t, tt.want, got)
		})
	}
}

// formatArgs run each command with a format far enough to read it.
var formatArgs = map[string][]string{
	"check":      {"check"},
	"diff":       {"diff", staging, staging},
	"generators": {"generators"},
	"graph":      {"graph", "-f", staging},
	"partitions": {"partitions", "-f", partitioned},
	"validate":   {"validate", "-f", staging},
	"verify":     {"verify", "-f", staging, "--kubeconfig", "no.kubeconfig"},
}

// TestFormatCompletionMatchesCommands: every command with --format or
// -o/--output has its values in formatValues, accepts each, and refuses
// another naming exactly those.
func TestFormatCompletionMatchesCommands(t *testing.T) {
	expected := regexp.MustCompile(`: expected (.*)\n`)
	for _, c := range NewRoot(novagen, &output{}, false).Commands() {
		for _, flag := range []string{"format", "output"} {
			if c.Flags().Lookup(flag) == nil {
				continue
			}
			t.Run(c.Name(), func(t *testing.T) {
				values, ok := formatValues[c.Name()]
				require.True(t, ok, "formatValues has no entry for %s --%s", c.Name(), flag)
				args, ok := formatArgs[c.Name()]
				require.True(t, ok, "formatArgs has no entry for %s", c.Name())

				_, _, stderr := run(append(slices.Clone(args), "--"+flag, "bogus")...)
				m := expected.FindStringSubmatch(stderr)
				require.NotNil(t, m, "the refusal of --%s bogus says what is expected: %s", flag, stderr)
				refused := strings.Split(strings.Replace(m[1], " or ", ", ", 1), ", ")
				assert.ElementsMatch(t, values, refused)
				for _, v := range values {
					_, _, stderr := run(append(slices.Clone(args), "--"+flag, v)...)
					assert.NotContains(t, stderr, "expected", "--%s %s is accepted", flag, v)
				}
			})
		}
	}
}
