package dbinit

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/novagen/novagen/internal/generatortest"
)

func TestGolden(t *testing.T) { generatortest.GeneratorCases(t, Generate) }

// The scripts' file names sort in the order they must run: the Job and
// docker-entrypoint-initdb.d both run *.sql in name order.
func TestScriptOrder(t *testing.T) {
	assert.Less(t, ScriptDatabases, ScriptRoles)
	assert.Less(t, ScriptRoles, ScriptExtensions)
}
