// Command novagen is novagen with one more generator, team-quota
// (quota.go): every command and the KRM function of novagen's own
// binary, built from this module. See README.md.
package main

import (
	"github.com/novagen/novagen/cli"
	"github.com/novagen/novagen/generators"
)

func main() { cli.Main(generators.Default().With(teamQuota)) }
