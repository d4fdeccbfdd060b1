//go:build !race

package pipeline

// raceEnabled: the race detector slows rendering about tenfold.
const raceEnabled = false
