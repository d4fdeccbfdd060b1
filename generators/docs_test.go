package generators

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestPackageOfFindsTheGenerator: the package packageOf names for each
// registered function is the one that declares the generator's name.
func TestPackageOfFindsTheGenerator(t *testing.T) {
	for _, d := range Docs(registry, transformers) {
		dir, ok := strings.CutPrefix(d.Package, module+"generators/")
		require.True(t, ok, "%s: package %q", d.Name, d.Package)
		_, _, literals := imports(t, dir)
		assert.Contains(t, literals, d.Name, "%s declares the name %s", d.Package, d.Name)
	}
	assert.Empty(t, packageOf(nil))
	assert.Empty(t, packageOf("not a function"))
	assert.Equal(t, module+"generators", packageOf(func() {}), "a closure: its enclosing package")
}

// TestMarkdown: one row per entry in the order given, names linked to
// this module's packages only, a '|' in a description escaped, and no
// transformer table without transformers.
func TestMarkdown(t *testing.T) {
	docs := []Doc{
		{Name: "a", Kind: "generator", Phase: "services", Description: "x | y", Package: modulePath + "/generators/a"},
		{Name: "b", Kind: "generator", Phase: "last", Description: "z", Package: "example.com/team/b"},
	}
	got := Markdown(docs)
	assert.Equal(t, "| generator | phase | emits |\n| --- | --- | --- |\n"+
		"| [`a`](generators/a) | services | x \\| y |\n"+
		"| `b` | last | z |\n", got)
	got = Markdown(append(docs, Doc{Name: "t", Kind: "transformer", Description: "w", Package: modulePath + "/generators/t"}))
	assert.True(t, strings.HasSuffix(got, "\n\n| transformer | does |\n| --- | --- |\n| [`t`](generators/t) | w |\n"), got)
}
