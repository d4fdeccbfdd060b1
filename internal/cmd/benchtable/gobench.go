package main

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
)

// benchResult is one size's BenchmarkRender: novagen in-process.
type benchResult struct {
	objects, nsPerOp, bPerOp, allocsPerOp float64
	ok                                    bool
}

// runBench runs BenchmarkRender once per size, with that size's
// benchtime, streaming the output to stderr and to the file cfg.out, and
// returns one row per size with its benchmark columns.
func runBench(cfg config) ([]row, error) {
	f, err := os.Create(cfg.out)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	rows := make([]row, len(cfg.sizes))
	for i, n := range cfg.sizes {
		rows[i].services = n
		var raw bytes.Buffer
		args := []string{"test", "-run", "^$", "-bench", "^BenchmarkRender$", "-benchmem", "-benchtime=" + cfg.benchtimes[i],
			"-timeout=0", "./cli", "-args", "-render.services=" + strconv.Itoa(n)}
		fmt.Fprintf(os.Stderr, "$ %s %s\n", cfg.goCmd, strings.Join(args, " "))
		cmd := exec.Command(cfg.goCmd, args...)
		cmd.Stdout = io.MultiWriter(os.Stderr, f, &raw)
		cmd.Stderr = cmd.Stdout
		if err := cmd.Run(); err != nil {
			return nil, fmt.Errorf("go test -bench: %v (output in %s)", err, cfg.out)
		}
		if err := parseBench(rows[i:i+1], raw.String()); err != nil {
			return nil, fmt.Errorf("%s: %v", cfg.out, err)
		}
	}
	return rows, nil
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
		r.bench = benchResult{objects: metrics["objects"], nsPerOp: metrics["ns/op"], bPerOp: metrics["B/op"],
			allocsPerOp: metrics["allocs/op"], ok: true}
	}
	for _, r := range rows {
		if !r.bench.ok {
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
