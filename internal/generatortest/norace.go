//go:build !race

package generatortest

// raceEnabled: built with the race detector, which makes the largest
// catalogs take minutes.
const raceEnabled = false
