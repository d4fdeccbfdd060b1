package cli

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/novagen/novagen/internal/guard"
)

// corpusDir is the loader's error corpus (catalog/load), seen from this package.
// Its .err golden files are owned by load.TestErrorCorpus, which loads
// the same files as "testdata/errors/<name>.yaml".
var corpusDir = filepath.Join("..", "catalog", "load", "testdata", "errors")

// caseLimit is a hang guard, not a benchmark: no catalog, however hostile,
// may keep the CLI busy for longer. The race detector (make test) slows
// the loader about tenfold, so it gets more room there.
var caseLimit = time.Second * time.Duration(raceFactor)

// result is what one CLI invocation produced.
type result struct {
	code           int
	stdout, stderr string
	panicked       any
	elapsed        time.Duration
}

// runGuarded runs Main with stdin in a goroutine, recovering a panic and
// giving up (and failing) after a generous deadline, so a hang fails the
// test instead of blocking it until go test's timeout.
func runGuarded(t *testing.T, stdin io.Reader, args ...string) result {
	t.Helper()
	done := make(chan result, 1)
	start := time.Now()
	go func() {
		var r result
		var out, errOut bytes.Buffer
		defer func() {
			r.panicked = recover()
			r.stdout, r.stderr = out.String(), errOut.String()
			r.elapsed = time.Since(start)
			done <- r
		}()
		r.code = Run(novagen, args, stdin, &out, &errOut)
	}()
	select {
	case r := <-done:
		if r.panicked != nil {
			t.Fatalf("novagen %s panicked: %v", strings.Join(args, " "), r.panicked)
		}
		return r
	case <-time.After(10 * caseLimit):
		t.Fatalf("novagen %s did not finish within %s", strings.Join(args, " "), 10*caseLimit)
		return result{}
	}
}

// TestCorpusThroughCLI: every catalog of the error corpus fails
// `novagen validate` with exit status 1, nothing on stdout, and on stderr
// exactly the report its golden file holds, every line located.
func TestCorpusThroughCLI(t *testing.T) {
	files, err := filepath.Glob(filepath.Join(corpusDir, "*.yaml"))
	require.NoError(t, err)
	require.NotEmpty(t, files, "no error corpus in %s", corpusDir)
	// The golden files name the catalogs as the loader's test loads them.
	schemaPath := filepath.Join("testdata", "errors") + string(filepath.Separator)
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".yaml")
		t.Run(name, func(t *testing.T) {
			golden, err := os.ReadFile(strings.TrimSuffix(f, ".yaml") + ".err")
			require.NoError(t, err, "every corpus catalog has a .err golden file")
			want := strings.ReplaceAll(string(golden), schemaPath, corpusDir+string(filepath.Separator))

			r := runGuarded(t, strings.NewReader(""), "validate", "-f", f)

			assert.Equal(t, 1, r.code, "exit status; stderr:\n%s", r.stderr)
			assert.Empty(t, r.stdout, "a failing command prints nothing on stdout")
			require.NotEmpty(t, r.stderr)
			located := regexp.MustCompile(`^` + regexp.QuoteMeta(f) + `:\d+:\d+: `)
			for _, line := range strings.Split(strings.TrimSuffix(r.stderr, "\n"), "\n") {
				assert.Regexp(t, located, line, "every error line is located at FILE:LINE:COL")
			}
			assert.Equal(t, want, r.stderr, "stderr differs from %s.err", name)
			assert.NotContains(t, r.stderr, "panic")
			assert.LessOrEqual(t, r.elapsed, caseLimit, "validate took %s", r.elapsed)
		})
	}
}

// TestOversizedCatalogThroughCLI: a catalog above 16 MiB is refused after
// reading just past the limit (64 MiB on stdin: not all of it read);
// binary input (an endless device) at its first byte.
func TestOversizedCatalogThroughCLI(t *testing.T) {
	const msg = "catalog is larger than 16 MiB, the most novagen reads"
	const binary = "control character U+0000: catalog must be text (UTF-8)"
	tests := []struct {
		name  string
		stdin io.Reader
		file  string
		want  string
	}{
		{"64 MiB of text on stdin", bytes.NewReader(bytes.Repeat([]byte("# comment\n"), 64<<20/10)), "-", "<stdin>: " + msg + "\n"},
		{"17 MiB of zeros on stdin", bytes.NewReader(bytes.Repeat([]byte{0}, 17<<20)), "-", "<stdin>:1:1: " + binary + "\n"},
		{"/dev/zero", strings.NewReader(""), "/dev/zero", "/dev/zero:1:1: " + binary + "\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.file != "-" {
				if _, err := os.Stat(tt.file); err != nil {
					t.Skipf("%s: %v", tt.file, err)
				}
			}
			in := &countingReader{r: tt.stdin}
			r := runGuarded(t, in, "validate", "-f", tt.file)
			assert.Equal(t, 1, r.code)
			assert.Empty(t, r.stdout)
			assert.Equal(t, tt.want, r.stderr)
			// What is bounded is the input read, not the time taken (a
			// loaded machine says nothing about the loader; runGuarded
			// still fails a hang): at most the cap and one read (256 KiB) past it.
			assert.LessOrEqual(t, in.n, int64(guard.MaxCatalogBytes+256<<10), "bytes read from stdin")
		})
	}
}

// countingReader counts the bytes read through it.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}
