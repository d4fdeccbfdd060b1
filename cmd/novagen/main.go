// Command novagen turns the Nova service catalog (services.yaml) into the
// Kubernetes manifests of the whole environment. Run `novagen --help`.
package main

import (
	"os"

	"github.com/novagen/novagen/cli"
)

func main() {
	os.Exit(cli.Main(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}
