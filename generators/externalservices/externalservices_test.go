package externalservices

import (
	"testing"

	"github.com/novagen/novagen/internal/generatortest"
)

// TestGolden: a DNS host gets an ExternalName Service, an IPv4 and an
// IPv6 host a selector-less Service and its EndpointSlice.
func TestGolden(t *testing.T) { generatortest.GeneratorCases(t, Generate) }
