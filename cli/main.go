package cli

import (
	"math"
	"os"
	"runtime"
	"runtime/debug"

	"github.com/novagen/novagen/generators"
)

// Main is a novagen program: every command and the KRM function (novagen
// fn), with reg's generators and transformers, on the process's
// arguments, standard streams and exit status. A program that adds a
// generator is one line:
//
//	func main() { cli.Main(generators.Default().With(mygen.Generator)) }
func Main(reg *generators.Registry) {
	collectLate()
	os.Exit(Run(reg, os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// startupHeap is how much novagen may allocate before its first garbage
// collection. A render of a catalog of tens of services allocates less in
// all: for such a short process, collecting again and again while the heap
// grows from nothing costs about a third of its time. From the first
// collection on, larger catalogs get Go's usual collector, so their peak
// memory does not change.
const startupHeap = 64 << 20

// collectLate switches the collector off until the process uses
// startupHeap (a memory limit then starts the first collection), and back
// to Go's defaults (GOGC=100, no limit) once that collection is done.
// GOGC or GOMEMLIMIT in the environment leave the collector as they say.
func collectLate() {
	if os.Getenv("GOGC") != "" || os.Getenv("GOMEMLIMIT") != "" {
		return
	}
	debug.SetGCPercent(-1)
	debug.SetMemoryLimit(startupHeap)
	// Unreachable at once, so the first collection frees it and then runs
	// the cleanup (64 bytes: not in the tiny allocator, whose objects may
	// never be cleaned up).
	runtime.AddCleanup(new([64]byte), func(struct{}) {
		debug.SetGCPercent(100)
		debug.SetMemoryLimit(math.MaxInt64)
	}, struct{}{})
}
