//go:build race

package cli

// raceFactor scales time limits under the race detector.
const raceFactor = 10
