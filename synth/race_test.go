//go:build race

package synth

// raceEnabled: the race detector makes the largest catalog take minutes
// and many GB to load.
const raceEnabled = true
