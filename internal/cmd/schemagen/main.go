// Command schemagen writes the catalog's JSON Schema from its Go types
// (internal/schemagen); make generate runs it.
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/novagen/novagen/internal/schemagen"
)

func main() {
	out := flag.String("o", "catalog/load/services.schema.json", "the file to write")
	flag.Parse()
	b, err := schemagen.Generate()
	if err == nil {
		err = os.WriteFile(*out, b, 0o644)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "schemagen:", err)
		os.Exit(1)
	}
}
