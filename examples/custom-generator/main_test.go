package main

import (
	"bytes"
	"testing"

	"github.com/novagen/novagen/cli"
	"github.com/novagen/novagen/generators"
)

// novagen is this program's registry, as main builds it.
var novagen = generators.Default().With(teamQuota)

// run runs this program's novagen on args.
func run(args ...string) (code int, stdout, stderr string) {
	var out, errOut bytes.Buffer
	code = cli.Run(novagen, args, nil, &out, &errOut)
	return code, out.String(), errOut.String()
}

// A section the extension's schema refuses, and one no extension claims,
// are located problems of the catalog, as novagen reports every other.
func TestValidateBadSection(t *testing.T) {
	code, _, stderr := run("validate", "-f", "testdata/bad-section.yaml")
	want := `testdata/bad-section.yaml:13:7: spec.extensions.team-quota: missing required field "memory"
testdata/bad-section.yaml:13:12: spec.extensions.team-quota.cpu: "eight": does not match pattern '^[0-9]+(\.[0-9]+)?m?$'
testdata/bad-section.yaml:14:13: spec.extensions.team-quota.pods: 0 is out of range: it must be at least 1
testdata/bad-section.yaml:15:5: spec.extensions: no extension "team-budget": expected one of team-quota
`
	if code != 1 || stderr != want {
		t.Errorf("validate: exit %d, stderr:\n%s\nwant exit 1, stderr:\n%s", code, stderr, want)
	}
}

// The example's catalog is valid, in every environment, and the
// generator is this novagen's: listed where novagen lists generators.
func TestExample(t *testing.T) {
	if code, stdout, stderr := run("validate", "-f", "services.yaml"); code != 0 {
		t.Fatalf("validate: exit %d: %s%s", code, stdout, stderr)
	}
	code, stdout, stderr := run("render", "--help")
	if code != 0 || !bytes.Contains([]byte(stdout), []byte("network-policies, team-quota")) {
		t.Errorf("render --help does not list team-quota (exit %d): %s%s", code, stdout, stderr)
	}
}
