package cli

import (
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/novagen/novagen/internal/golden"
)

// readme is the README the blocks below are generated into.
const readme = "../README.md"

// assertREADMEBlock holds README.md's generated block name (between the
// markers "<!-- novagen NAME: begin -->" and "<!-- novagen NAME: end -->")
// equal to content; `make golden` (UPDATE_GOLDEN=1) rewrites the block.
func assertREADMEBlock(t *testing.T, name, content string) {
	t.Helper()
	begin, end := "<!-- novagen "+name+": begin -->\n", "<!-- novagen "+name+": end -->\n"
	data, err := os.ReadFile(readme)
	require.NoError(t, err)
	text := string(data)
	b, e := strings.Index(text, begin), strings.Index(text, end)
	require.True(t, b >= 0 && e > b, "README.md needs the markers %q and %q, in that order", begin, end)
	// golden.Assert compares the whole file, so a stale block fails with
	// a diff and make golden rewrites only the block.
	golden.Assert(t, readme, []byte(text[:b+len(begin)]+content+text[e:]))
}

// TestREADMEGraphIsCurrent: the README's Mermaid block is exactly what
// `novagen graph --format mermaid -f services.yaml` prints now.
func TestREADMEGraphIsCurrent(t *testing.T) {
	code, graph, stderr := run("graph", "--format", "mermaid", "-f", staging)
	require.Equal(t, 0, code, stderr)
	require.Contains(t, graph, "flowchart")
	assertREADMEBlock(t, "graph", "```mermaid\n"+graph+"```\n")
}

// TestREADMEGeneratorsAreCurrent: the README's generator tables are
// exactly what `novagen generators -o markdown` prints from the
// registry's descriptions.
func TestREADMEGeneratorsAreCurrent(t *testing.T) {
	code, tables, stderr := run("generators", "-o", "markdown")
	require.Equal(t, 0, code, stderr)
	require.Contains(t, tables, "| generator | phase | emits |")
	assertREADMEBlock(t, "generators", tables)
}
