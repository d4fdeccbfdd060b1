package ingress

import (
	"testing"

	"github.com/novagen/novagen/internal/generatortest"
)

// TestGolden: an Ingress per exposed service (TLS with a Certificate, and
// without), and HTTPRoutes on a Gateway (TLS on and off).
func TestGolden(t *testing.T) { generatortest.GeneratorCases(t, Generate) }
