package render_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/novagen/novagen/internal/testtool"
)

// TestRenderImportsNoGeneratorOrCatalog: the YAML writer sits below the
// generators and the catalog (it prints kobj.Object), so changing a
// generator or the catalog's loader never rebuilds it and its closure
// holds no protobuf or JSON Schema library.
func TestRenderImportsNoGeneratorOrCatalog(t *testing.T) {
	const module = "github.com/novagen/novagen/"
	deps := testtool.Deps(t, module+"render")[module+"render"]
	assert.Contains(t, deps, module+"kobj", "go list -deps lists render's closure")
	for _, d := range deps {
		for _, banned := range []string{"generators", "schema", "catalog", "contracts"} {
			if d == module+banned || strings.HasPrefix(d, module+banned+"/") {
				t.Errorf("render depends on %s", d)
			}
		}
	}
}
