// Command benchtable is `make bench`: novagen against `helm template`,
// side by side, on synthetic catalogs of growing size (docs/performance.md
// says what is measured and how). For each size it runs novagen's
// BenchmarkRender (time, allocations), then `novagen render` on the
// catalog and `helm template` of bench/chart on the same catalog's values,
// as processes, alternately (wall time, peak RSS, objects, bytes). A
// startup row does the same for the 15-service services.yaml. It prints
// Markdown tables, whether the scale targets hold (objects/s at least
// twice helm's at 1000 and 10000 services, peak RSS under 1 GiB at 10000)
// and the scaling ratios of the two largest sizes. It reports; it fails
// only when a step fails, never because a target is missed.
//
//	go run ./internal/cmd/benchtable -helm PATH              # make bench
//	go run ./internal/cmd/benchtable -helm PATH -doc FILE    # and rewrite FILE's figures
//	go run ./internal/cmd/benchtable -values CATALOG         # the chart's values for a catalog
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/novagen/novagen/generators"
	"github.com/novagen/novagen/pipeline"
)

type config struct {
	sizes       []int
	benchtimes  []string // one per size
	runs        int
	startupRuns int
	startup     string // the startup row's catalog
	helm        string
	goCmd       string
	out         string
}

func main() {
	services := flag.String("services", "100,1000,10000", "catalog sizes, comma-separated, ascending")
	benchtime := flag.String("benchtime", "3x,3x,1x", "go test -benchtime of BenchmarkRender: one for every size, or one per size")
	runs := flag.Int("runs", 3, "process runs per size and tool (best wall time, largest peak RSS)")
	startupRuns := flag.Int("startup-runs", 20, "process runs of the startup row per tool")
	startup := flag.String("startup", "services.yaml", "the catalog of the startup row")
	helm := flag.String("helm", "helm", "the helm v3 binary (make bench builds the pinned one)")
	out := flag.String("o", "bench.txt", "file for the raw go test output")
	goCmd := flag.String("go", "go", "the go command")
	doc := flag.String("doc", "", "also rewrite the figures section of this Markdown file (docs/performance.md)")
	valuesOf := flag.String("values", "", "only print the values of bench/chart for this catalog, and exit")
	flag.Parse()

	if *valuesOf != "" {
		if err := printValues(os.Stdout, *valuesOf); err != nil {
			fail("%v", err)
		}
		return
	}
	cfg := config{runs: *runs, startupRuns: *startupRuns, startup: *startup, helm: *helm, goCmd: *goCmd, out: *out}
	var err error
	if cfg.sizes, err = parseSizes(*services); err != nil {
		fail("-services: %v", err)
	}
	if cfg.benchtimes, err = perSize(*benchtime, len(cfg.sizes)); err != nil {
		fail("-benchtime: %v", err)
	}
	if cfg.runs < 1 || cfg.startupRuns < 1 {
		fail("-runs and -startup-runs must be at least 1")
	}
	rep, err := measure(cfg)
	if err != nil {
		fail("%v", err)
	}
	text := rep.markdown()
	fmt.Print(text)
	if *doc != "" {
		if err := writeDoc(*doc, rep); err != nil {
			fail("%v", err)
		}
		fmt.Fprintf(os.Stderr, "benchtable: wrote the figures into %s\n", *doc)
	}
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

// perSize spreads a comma-separated list over n sizes: one value serves
// all of them, otherwise there must be one per size.
func perSize(s string, n int) ([]string, error) {
	fields := strings.Split(s, ",")
	for i := range fields {
		fields[i] = strings.TrimSpace(fields[i])
		if fields[i] == "" {
			return nil, fmt.Errorf("empty value in %q", s)
		}
	}
	switch len(fields) {
	case n:
		return fields, nil
	case 1:
		out := make([]string, n)
		for i := range out {
			out[i] = fields[0]
		}
		return out, nil
	}
	return nil, fmt.Errorf("%d values for %d sizes", len(fields), n)
}

// measure runs every step, each size after the other.
func measure(cfg config) (*report, error) {
	dir, err := os.MkdirTemp("", "benchtable-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	rep := &report{helmVersion: "?"}
	if rep.rows, err = runBench(cfg); err != nil {
		return nil, err
	}
	novagen := filepath.Join(dir, "novagen")
	if err := run(cfg.goCmd, []string{"build", "-o", novagen, "./cmd/novagen"}, nil); err != nil {
		return nil, err
	}
	if rep.helmVersion, err = helmVersion(cfg.helm); err != nil {
		return nil, err
	}
	for i := range rep.rows {
		r := &rep.rows[i]
		catalog := filepath.Join(dir, fmt.Sprintf("synth-%d.yaml", r.services))
		if err := writeSynth(novagen, r.services, catalog); err != nil {
			return nil, err
		}
		p, err := newPair(novagen, cfg.helm, catalog, dir)
		if err != nil {
			return nil, err
		}
		if i == 0 {
			// The chart's equivalence, on the smallest catalog.
			if rep.equivalence, err = p.compare(); err != nil {
				return nil, err
			}
		}
		if r.novagen, r.helm, err = p.measure(cfg.runs); err != nil {
			return nil, err
		}
	}
	p, err := newPair(novagen, cfg.helm, cfg.startup, dir)
	if err != nil {
		return nil, err
	}
	rep.startupCatalog = cfg.startup
	if rep.startupNovagen, rep.startupHelm, err = p.measure(cfg.startupRuns); err != nil {
		return nil, err
	}
	rep.runs, rep.startupRuns = cfg.runs, cfg.startupRuns
	return rep, nil
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
	cat, err := pipeline.Loader(generators.Default()).Load(path)
	if err != nil {
		return nil, err
	}
	v, err := helmValues(cat)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return v.marshal(filepath.Base(path))
}
