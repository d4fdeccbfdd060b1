package cli

import (
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/novagen/novagen/internal/golden"
)

// The README's dependency graph sits between these markers.
const (
	graphBegin = "<!-- novagen graph: begin -->\n"
	graphEnd   = "<!-- novagen graph: end -->\n"
)

// TestREADMEGraphIsCurrent: the README's Mermaid block is exactly what
// `novagen graph --format mermaid -f services.yaml` prints now; `make
// golden` (UPDATE_GOLDEN=1) rewrites it.
func TestREADMEGraphIsCurrent(t *testing.T) {
	const readme = "../README.md"
	code, graph, stderr := run("graph", "--format", "mermaid", "-f", staging)
	require.Equal(t, 0, code, stderr)
	require.Contains(t, graph, "flowchart")
	data, err := os.ReadFile(readme)
	require.NoError(t, err)
	text := string(data)
	begin := strings.Index(text, graphBegin)
	end := strings.Index(text, graphEnd)
	require.True(t, begin >= 0 && end > begin, "README.md needs the markers %q and %q, in that order", graphBegin, graphEnd)
	head, tail := text[:begin+len(graphBegin)], text[end:]
	// golden.Assert compares the whole file, so a stale block fails with
	// a diff and make golden rewrites only the block.
	golden.Assert(t, readme, []byte(head+"```mermaid\n"+graph+"```\n"+tail))
}
