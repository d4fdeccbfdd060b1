package main

import (
	"fmt"
	"strings"
	"time"
)

// The scale issue's targets.
const (
	targetSpeedup = 2.0     // novagen's objects/s at least this many times helm's...
	peakRSSLimit  = 1 << 30 // ...and at most this peak RSS...
	targetLarge   = 10000   // ...at this many services (the speedup also at targetMedium)
	targetMedium  = 1000
	// headroom is how much worse than linear the largest size may scale.
	headroom = 1.1
)

// row is one catalog size.
type row struct {
	services      int
	bench         benchResult // BenchmarkRender, in-process
	novagen, helm procResult  // the processes
}

func (r row) speedup() float64 { return r.novagen.objectsPerSecond() / r.helm.objectsPerSecond() }

// report is everything one run measured.
type report struct {
	rows                        []row
	runs, startupRuns           int
	startupCatalog              string
	startupNovagen, startupHelm procResult
	equivalence                 equivalence
	helmVersion                 string
}

func (rep *report) markdown() string {
	var b strings.Builder
	w := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	w("`novagen render` and `helm template` of bench/chart (helm %s) as processes on the same catalog, output counted and discarded;\n", rep.helmVersion)
	w("time: best of %d runs, peak RSS: largest.\n\n", rep.runs)
	w("| services | objects novagen / helm | output novagen / helm | time novagen / helm | objects/s novagen / helm | novagen ÷ helm | peak RSS novagen / helm |\n")
	w("| ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n")
	for _, r := range rep.rows {
		n, h := r.novagen, r.helm
		w("| %d | %d / %d | %s / %s | %s / %s | %s / %s | %.2f× | %s / %s |\n", r.services,
			n.objects, h.objects, bytesIEC(float64(n.bytes)), bytesIEC(float64(h.bytes)),
			seconds(n.wall), seconds(h.wall), rate(n.objectsPerSecond()), rate(h.objectsPerSecond()),
			r.speedup(), kib(n.peakRSSKiB), kib(h.peakRSSKiB))
	}
	w("\nStartup: %s, time best of %d runs.\n\n", rep.startupCatalog, rep.startupRuns)
	w("| catalog | objects novagen / helm | time novagen / helm | novagen ÷ helm time |\n| --- | ---: | ---: | ---: |\n")
	sn, sh := rep.startupNovagen, rep.startupHelm
	w("| %s | %d / %d | %s / %s | %.2f× |\n", rep.startupCatalog, sn.objects, sh.objects, seconds(sn.wall), seconds(sh.wall),
		sn.wall.Seconds()/sh.wall.Seconds())
	w("\n`BenchmarkRender` (novagen in-process: load, generate, write; bench.txt has the raw output):\n\n")
	w("| services | objects | time/op | allocated/op | allocs/op |\n| ---: | ---: | ---: | ---: | ---: |\n")
	for _, r := range rep.rows {
		w("| %d | %.0f | %s | %s | %.0f |\n", r.services, r.bench.objects, duration(r.bench.nsPerOp),
			bytesIEC(r.bench.bPerOp), r.bench.allocsPerOp)
	}
	w("\nChart equivalence (%d services): %s.\n", rep.rows[0].services, rep.equivalence)
	w("\nTargets:\n\n")
	for _, line := range rep.targets() {
		w("- %s\n", line)
	}
	if s := rep.scaling(); s != "" {
		w("\n%s", s)
	}
	return b.String()
}

// targets says whether each of the scale issue's targets holds.
func (rep *report) targets() []string {
	var out []string
	for _, n := range []int{targetMedium, targetLarge} {
		r := find(rep.rows, n)
		if r == nil {
			out = append(out, fmt.Sprintf("objects/s at least %.0f× helm's at %d services: not measured", targetSpeedup, n))
			continue
		}
		out = append(out, fmt.Sprintf("objects/s at least %.0f× helm's at %d services: %.2f× (%s)", targetSpeedup, n, r.speedup(),
			verdict(r.speedup() >= targetSpeedup)))
	}
	if r := find(rep.rows, targetLarge); r != nil {
		peak := float64(r.novagen.peakRSSKiB) * 1024
		out = append(out, fmt.Sprintf("peak RSS under %s at %d services: %s (%s)", bytesIEC(peakRSSLimit), targetLarge,
			bytesIEC(peak), verdict(peak < peakRSSLimit)))
	} else {
		out = append(out, fmt.Sprintf("peak RSS under %s at %d services: not measured", bytesIEC(peakRSSLimit), targetLarge))
	}
	return out
}

func verdict(ok bool) string {
	if ok {
		return "met"
	}
	return "NOT MET"
}

// scaling compares the two largest sizes: n× the services may cost at
// most headroom·n× the time and memory.
func (rep *report) scaling() string {
	if len(rep.rows) < 2 {
		return ""
	}
	a, b := rep.rows[len(rep.rows)-2], rep.rows[len(rep.rows)-1]
	scale := float64(b.services) / float64(a.services)
	target := headroom * scale
	var s strings.Builder
	fmt.Fprintf(&s, "novagen, %d vs %d services (%.3g× the services; target: at most %.3g× the time and memory):\n\n",
		b.services, a.services, scale, target)
	for _, c := range []struct {
		what string
		a, b float64
	}{
		{"time (BenchmarkRender)", a.bench.nsPerOp, b.bench.nsPerOp},
		{"allocated bytes", a.bench.bPerOp, b.bench.bPerOp},
		{"peak RSS", float64(a.novagen.peakRSSKiB), float64(b.novagen.peakRSSKiB)},
	} {
		ratio := c.b / c.a
		v := "ok"
		if ratio > target {
			v = "OVER"
		}
		fmt.Fprintf(&s, "- %s ratio: %.2f× (%s)\n", c.what, ratio, v)
	}
	return s.String()
}

func seconds(d time.Duration) string { return duration(float64(d.Nanoseconds())) }

func duration(ns float64) string {
	switch {
	case ns >= 1e9:
		return fmt.Sprintf("%.2f s", ns/1e9)
	case ns >= 1e6:
		return fmt.Sprintf("%.0f ms", ns/1e6)
	default:
		return fmt.Sprintf("%.0f µs", ns/1e3)
	}
}

func rate(perSecond float64) string { return fmt.Sprintf("%.0f", perSecond) }

func kib(k int64) string { return bytesIEC(float64(k) * 1024) }

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
