// Command novagen turns the Nova service catalog (services.yaml) into the
// Kubernetes manifests of the whole environment. Run `novagen --help`.
package main

import (
	"github.com/novagen/novagen/cli"
	"github.com/novagen/novagen/generators"
)

func main() { cli.Main(generators.Default()) }
