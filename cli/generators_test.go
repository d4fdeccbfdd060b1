package cli

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/novagen/novagen/generators"
)

// TestGeneratorsListsTheRegistry: novagen generators prints every
// generator and transformer of the registry, in its order, with its phase
// and description, as JSON and as text.
func TestGeneratorsListsTheRegistry(t *testing.T) {
	code, stdout, stderr := run("generators", "-o", "json")
	require.Equal(t, 0, code, stderr)
	var docs []generators.Doc
	require.NoError(t, json.Unmarshal([]byte(stdout), &docs))
	reg := generators.Default()
	gens, trs := reg.All(), reg.Transformers()
	require.Len(t, docs, len(gens)+len(trs))
	for i, g := range gens {
		assert.Equal(t, generators.Doc{Name: g.Name, Kind: "generator", Phase: g.Phase.String(), Description: g.Description, Package: docs[i].Package}, docs[i])
	}
	for i, tr := range trs {
		d := docs[len(gens)+i]
		assert.Equal(t, generators.Doc{Name: tr.Name, Kind: "transformer", Description: tr.Description, Package: d.Package}, d)
	}

	code, text, stderr := run("generators")
	require.Equal(t, 0, code, stderr)
	assert.Equal(t, docsText(docs), text)
	assert.Contains(t, text, gens[0].Name+" (generator, phase: "+gens[0].Phase.String()+")\n  ")
	assert.Contains(t, text, "\n"+trs[0].Name+" (transformer)\n  ")
}
