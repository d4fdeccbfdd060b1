package namespace

import (
	"testing"

	"github.com/novagen/novagen/internal/generatortest"
)

// TestGolden: minimal renders the Namespace with the Pod Security labels
// and default-deny; made-elsewhere (createNamespace: false) only
// default-deny.
func TestGolden(t *testing.T) { generatortest.GeneratorCases(t, Generate) }
