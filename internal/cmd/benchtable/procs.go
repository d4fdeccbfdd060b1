package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// chartDir is the chart helm renders, relative to the repository root
// (make bench runs there).
const chartDir = "bench/chart"

// procResult is one tool's processes on one catalog.
type procResult struct {
	wall       time.Duration // the best of the runs
	objects    int           // documents printed
	bytes      int64         // bytes printed
	peakRSSKiB int64         // the largest of the runs
}

func (p procResult) objectsPerSecond() float64 { return float64(p.objects) / p.wall.Seconds() }

// pair is the two commands that render one catalog: novagen render on it,
// helm template of the chart on its values.
type pair struct {
	novagen, helm []string
}

// newPair converts the catalog into the chart's values (beside it in dir)
// and returns both commands.
func newPair(novagen, helm, catalog, dir string) (pair, error) {
	data, err := valuesFile(catalog)
	if err != nil {
		return pair{}, err
	}
	values := filepath.Join(dir, strings.TrimSuffix(filepath.Base(catalog), filepath.Ext(catalog))+"-values.yaml")
	if err := os.WriteFile(values, data, 0o644); err != nil {
		return pair{}, err
	}
	return pair{
		novagen: []string{novagen, "render", "-f", catalog},
		helm:    []string{helm, "template", "bench", chartDir, "-f", values},
	}, nil
}

// measure runs both commands runs times, alternately so that a change of
// the machine's load falls on both, and keeps each one's best wall time
// and largest peak RSS. Every run must print the same.
func (p pair) measure(runs int) (novagen, helm procResult, err error) {
	for i := range runs {
		if err := timed(p.novagen, &novagen, i == 0); err != nil {
			return novagen, helm, err
		}
		if err := timed(p.helm, &helm, i == 0); err != nil {
			return novagen, helm, err
		}
	}
	return novagen, helm, nil
}

// compare renders once more with each tool and compares the objects.
func (p pair) compare() (equivalence, error) {
	var ours, theirs bytes.Buffer
	if err := run(p.novagen[0], p.novagen[1:], &ours); err != nil {
		return equivalence{}, err
	}
	if err := run(p.helm[0], p.helm[1:], &theirs); err != nil {
		return equivalence{}, err
	}
	return compareOutputs(ours.Bytes(), theirs.Bytes())
}

// timed runs args once, its output counted on the way, and folds the run
// into res.
func timed(args []string, res *procResult, first bool) error {
	fmt.Fprintf(os.Stderr, "$ %s >/dev/null\n", strings.Join(shortArgs(args), " "))
	var c docCounter
	cmd := exec.Command(args[0], args[1:]...)
	var stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &c, &stderr
	start := time.Now()
	err := cmd.Run()
	wall := time.Since(start)
	if err != nil {
		return fmt.Errorf("%s: %v\n%s", strings.Join(args, " "), err, stderr.String())
	}
	objects, bytes := c.count()
	if !first && (objects != res.objects || bytes != res.bytes) {
		return fmt.Errorf("%s printed %d objects in %d bytes, before %d in %d", strings.Join(args, " "), objects, bytes, res.objects, res.bytes)
	}
	res.objects, res.bytes = objects, bytes
	if first || wall < res.wall {
		res.wall = wall
	}
	res.peakRSSKiB = max(res.peakRSSKiB, cmd.ProcessState.SysUsage().(*syscall.Rusage).Maxrss) // KiB on Linux
	return nil
}

// shortArgs names files by their base name, for the progress lines.
func shortArgs(args []string) []string {
	out := make([]string, len(args))
	for i, a := range args {
		out[i] = a
		if filepath.IsAbs(a) {
			out[i] = filepath.Base(a)
		}
	}
	return out
}

// writeSynth writes novagen's synthetic catalog of n services to path.
func writeSynth(novagen string, n int, path string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	err = run(novagen, []string{"synth", "--services", strconv.Itoa(n)}, f)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// run runs a command with stdout to w (nil: /dev/null) and its stderr in
// the error.
func run(name string, args []string, w io.Writer) error {
	var stderr bytes.Buffer
	cmd := exec.Command(name, args...)
	cmd.Stdout, cmd.Stderr = w, &stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("%s %s: %v\n%s", name, strings.Join(args, " "), err, stderr.String())
	}
	return nil
}

// helmVersion asks the helm binary for its version and the Go that built
// it.
func helmVersion(helm string) (string, error) {
	var out bytes.Buffer
	if err := run(helm, []string{"version", "--template", "{{.Version}} ({{.GoVersion}})"}, &out); err != nil {
		return "", fmt.Errorf("helm (-helm %s): %w", helm, err)
	}
	return strings.TrimSpace(out.String()), nil
}

// docCounter counts the bytes and the YAML documents of a multi-document
// stream as it is written, without keeping it: a document is a run of
// lines between "---" separators with at least one line that is neither
// blank nor a comment (helm starts each with "---" and a "# Source:"
// comment; novagen separates them with "---"). A separator is "---" at the
// start of a line, which block scalars (always indented) cannot hold.
type docCounter struct {
	bytes   int64
	docs    int
	line    []byte // the first bytes of the current line, up to 4
	first   byte   // its first byte that is not a space or tab; 0: none yet
	inLine  bool   // a line is started and not ended
	counted bool   // the current document is counted
}

func (c *docCounter) Write(p []byte) (int, error) {
	n := len(p)
	c.bytes += int64(n)
	for len(p) > 0 {
		if !c.inLine {
			c.line, c.first, c.inLine = c.line[:0], 0, true
		}
		chunk, rest, ended := bytes.Cut(p, []byte{'\n'})
		if room := 4 - len(c.line); room > 0 {
			c.line = append(c.line, chunk[:min(room, len(chunk))]...)
		}
		if c.first == 0 {
			if i := bytes.IndexFunc(chunk, func(r rune) bool { return r != ' ' && r != '\t' && r != '\r' }); i >= 0 {
				c.first = chunk[i]
			}
		}
		if !ended {
			break
		}
		c.endLine()
		p = rest
	}
	return n, nil
}

func (c *docCounter) endLine() {
	c.inLine = false
	switch l := string(c.line); {
	case l == "---" || strings.HasPrefix(l, "--- "):
		c.counted = false
	case c.first == 0 || c.first == '#':
	case !c.counted:
		c.counted = true
		c.docs++
	}
}

// count returns the documents and bytes written so far, the last line
// counted even without its newline.
func (c *docCounter) count() (docs int, bytes int64) {
	if c.inLine {
		c.endLine()
	}
	return c.docs, c.bytes
}
