// Command benchtable is `make bench`: it runs BenchmarkRender on synthetic
// catalogs of growing size, measures the peak RSS of `novagen render` on
// the same catalogs, and prints one Markdown table with the scaling ratios
// of the two largest sizes against the target (n× the services may cost at
// most 1.1·n× the time and memory). It reports; it fails only when a step
// fails, never because a ratio is over target.
package main

import (
	"bufio"
	"bytes"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"

	"github.com/novagen/novagen/schema"
)

// headroom is how much worse than linear the largest size may scale.
const headroom = 1.1

type row struct {
	services        int
	objects         float64
	nsPerOp, bPerOp float64
	allocsPerOp     float64
	peakRSSKiB      int64
	haveBench       bool
}

func main() {
	bench := flag.String("bench", "^BenchmarkRender$", "go test -bench pattern")
	benchtime := flag.String("benchtime", "3x", "go test -benchtime")
	services := flag.String("services", "100,1000,4000", "catalog sizes, comma-separated, ascending")
	runs := flag.Int("runs", 3, "novagen render runs per size for peak RSS (the max is kept)")
	out := flag.String("o", "bench.txt", "file for the raw go test output")
	goCmd := flag.String("go", "go", "the go command")
	valuesOf := flag.String("values", "", "only print the values of bench/chart for this catalog, and exit")
	flag.Parse()

	if *valuesOf != "" {
		if err := printValues(os.Stdout, *valuesOf); err != nil {
			fail("%v", err)
		}
		return
	}

	sizes, err := parseSizes(*services)
	if err != nil {
		fail("-services: %v", err)
	}
	rows := make([]row, len(sizes))
	for i, n := range sizes {
		rows[i].services = n
	}
	if err := runBench(rows, *goCmd, *bench, *benchtime, *services, *out); err != nil {
		fail("%v", err)
	}
	if err := measureRSS(rows, *goCmd, *runs); err != nil {
		fail("%v", err)
	}
	printTable(os.Stdout, rows)
}

func fail(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "benchtable: "+format+"\n", args...)
	os.Exit(1)
}

func parseSizes(s string) ([]int, error) {
	var sizes []int
	for _, f := range strings.Split(s, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1 {
			return nil, fmt.Errorf("%q is not a number of services", f)
		}
		if len(sizes) > 0 && n <= sizes[len(sizes)-1] {
			return nil, fmt.Errorf("sizes must ascend: %s", s)
		}
		sizes = append(sizes, n)
	}
	return sizes, nil
}

// runBench runs the benchmark, streaming its output to stderr and to the
// file out, and fills in each row's benchmark columns.
func runBench(rows []row, goCmd, bench, benchtime, services, out string) error {
	f, err := os.Create(out)
	if err != nil {
		return err
	}
	defer f.Close()
	var raw bytes.Buffer
	args := []string{"test", "-run", "^$", "-bench", bench, "-benchmem", "-benchtime=" + benchtime,
		"-timeout=0", "./cli", "-args", "-render.services=" + services}
	fmt.Fprintf(os.Stderr, "$ %s %s\n", goCmd, strings.Join(args, " "))
	cmd := exec.Command(goCmd, args...)
	cmd.Stdout = io.MultiWriter(os.Stderr, f, &raw)
	cmd.Stderr = cmd.Stdout
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("go test -bench: %v (output in %s)", err, out)
	}
	if err := parseBench(rows, raw.String()); err != nil {
		return fmt.Errorf("%s: %v", out, err)
	}
	return nil
}

// benchLine is one result line of BenchmarkRender:
// BenchmarkRender/services=100-8   3   537956901 ns/op   403.0 objects   423377197 B/op   1712881 allocs/op
var benchLine = regexp.MustCompile(`^BenchmarkRender/services=(\d+)(?:-\d+)?\s+\d+\s+(.*)$`)

func parseBench(rows []row, out string) error {
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		m := benchLine.FindStringSubmatch(sc.Text())
		if m == nil {
			continue
		}
		n, _ := strconv.Atoi(m[1])
		r := find(rows, n)
		if r == nil {
			continue
		}
		metrics := map[string]float64{}
		fields := strings.Fields(m[2])
		for i := 0; i+1 < len(fields); i += 2 {
			v, err := strconv.ParseFloat(fields[i], 64)
			if err != nil {
				return fmt.Errorf("services=%d: %q is not a number", n, fields[i])
			}
			metrics[fields[i+1]] = v
		}
		for _, unit := range []string{"ns/op", "B/op", "allocs/op", "objects"} {
			if _, ok := metrics[unit]; !ok {
				return fmt.Errorf("services=%d: no %s", n, unit)
			}
		}
		r.nsPerOp, r.bPerOp, r.allocsPerOp, r.objects = metrics["ns/op"], metrics["B/op"], metrics["allocs/op"], metrics["objects"]
		r.haveBench = true
	}
	for _, r := range rows {
		if !r.haveBench {
			return fmt.Errorf("no result for BenchmarkRender/services=%d", r.services)
		}
	}
	return nil
}

func find(rows []row, n int) *row {
	for i := range rows {
		if rows[i].services == n {
			return &rows[i]
		}
	}
	return nil
}

// measureRSS builds novagen, writes a synthetic catalog per size and keeps
// the largest peak RSS of runs renders of it.
func measureRSS(rows []row, goCmd string, runs int) error {
	dir, err := os.MkdirTemp("", "benchtable-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	bin := filepath.Join(dir, "novagen")
	if err := run(exec.Command(goCmd, "build", "-o", bin, "./cmd/novagen"), nil); err != nil {
		return err
	}
	for i := range rows {
		r := &rows[i]
		catalog := filepath.Join(dir, fmt.Sprintf("synth-%d.yaml", r.services))
		f, err := os.Create(catalog)
		if err != nil {
			return err
		}
		err = run(exec.Command(bin, "synth", "--services", strconv.Itoa(r.services)), f)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return err
		}
		for range runs {
			cmd := exec.Command(bin, "render", "-f", catalog) // stdout: /dev/null
			fmt.Fprintf(os.Stderr, "$ novagen render -f %s >/dev/null\n", filepath.Base(catalog))
			if err := run(cmd, nil); err != nil {
				return err
			}
			r.peakRSSKiB = max(r.peakRSSKiB, cmd.ProcessState.SysUsage().(*syscall.Rusage).Maxrss) // KiB on Linux
		}
	}
	return nil
}

// run runs cmd with stdout to w (nil: /dev/null) and its stderr in the
// error.
func run(cmd *exec.Cmd, w io.Writer) error {
	var stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = w, &stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("%s: %v\n%s", strings.Join(cmd.Args, " "), err, stderr.String())
	}
	return nil
}

func printTable(w io.Writer, rows []row) {
	fmt.Fprintln(w, "| services | objects | time/op | allocated/op | allocs/op | peak RSS |")
	fmt.Fprintln(w, "| ---: | ---: | ---: | ---: | ---: | ---: |")
	for _, r := range rows {
		fmt.Fprintf(w, "| %d | %.0f | %s | %s | %.0f | %s |\n", r.services, r.objects,
			duration(r.nsPerOp), bytesIEC(r.bPerOp), r.allocsPerOp, bytesIEC(float64(r.peakRSSKiB)*1024))
	}
	if len(rows) < 2 {
		return
	}
	a, b := rows[len(rows)-2], rows[len(rows)-1]
	scale := float64(b.services) / float64(a.services)
	target := headroom * scale
	fmt.Fprintf(w, "\n%d vs %d services (%.3g× the services; target: at most %.3g× the time and memory):\n\n",
		b.services, a.services, scale, target)
	for _, c := range []struct {
		what string
		a, b float64
	}{
		{"time", a.nsPerOp, b.nsPerOp},
		{"allocated bytes", a.bPerOp, b.bPerOp},
		{"peak RSS", float64(a.peakRSSKiB), float64(b.peakRSSKiB)},
	} {
		ratio, verdict := c.b/c.a, "ok"
		if ratio > target {
			verdict = "OVER"
		}
		fmt.Fprintf(w, "- %s ratio: %.2f× (%s)\n", c.what, ratio, verdict)
	}
}

func duration(ns float64) string {
	switch {
	case ns >= 1e9:
		return fmt.Sprintf("%.2f s", ns/1e9)
	case ns >= 1e6:
		return fmt.Sprintf("%.1f ms", ns/1e6)
	default:
		return fmt.Sprintf("%.0f µs", ns/1e3)
	}
}

func bytesIEC(b float64) string {
	switch {
	case b >= 1<<30:
		return fmt.Sprintf("%.2f GiB", b/(1<<30))
	case b >= 1<<20:
		return fmt.Sprintf("%.1f MiB", b/(1<<20))
	default:
		return fmt.Sprintf("%.0f KiB", b/(1<<10))
	}
}

// printValues writes the chart's values for the catalog at path.
func printValues(w io.Writer, path string) error {
	data, err := valuesFile(path)
	if err != nil {
		return err
	}
	_, err = w.Write(data)
	return err
}

// valuesFile is the chart's values for the catalog at path, as YAML.
func valuesFile(path string) ([]byte, error) {
	cat, err := schema.Load(path)
	if err != nil {
		return nil, err
	}
	v, err := helmValues(cat)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return v.marshal(filepath.Base(path))
}
