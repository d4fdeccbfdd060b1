package load

import (
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// blockKey is a line that starts a key of a block mapping (not a list
// item): an unknown key of the same indentation before it is its sibling.
var blockKey = regexp.MustCompile(`^( *)[A-Za-z][\w.-]*:`)

// TestUnknownFieldsWithSemanticProblems: an unknown field anywhere in a
// catalog is reported with the problems the semantic checks find (here a
// dangling dependency), and nothing else: the checks run on the catalog
// without it.
func TestUnknownFieldsWithSemanticProblems(t *testing.T) {
	data, err := os.ReadFile("../../test/catalogs/data-tier-production.yaml")
	require.NoError(t, err)
	const dependsOn = "dependsOn: [postgres, redis]"
	require.Contains(t, string(data), dependsOn)
	dangling := strings.Replace(string(data), dependsOn, "dependsOn: [postgres, redis, svc-x]", 1)
	lines := strings.Split(dangling, "\n")
	reported := 0
	for i, line := range lines {
		m := blockKey.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		edited := strings.Join(append(append(lines[:i:i], m[1]+"zz-unknown: x"), lines[i:]...), "\n")
		_, err := Parse("c.yaml", []byte(edited))
		require.Error(t, err, "line %d", i+1)
		// Inside a map of labels the key is no field, just a label.
		want := 1
		if strings.Contains(err.Error(), `unknown field "zz-unknown"`) {
			want, reported = 2, reported+1
		}
		assert.Len(t, strings.Split(err.Error(), "\n"), want, "before line %d", i+1)
		assert.Contains(t, err.Error(), `depends on unknown "svc-x"`, "before line %d", i+1)
	}
	assert.Greater(t, reported, 30)
}
