package secrets

import (
	"testing"

	"github.com/novagen/novagen/internal/generatortest"
)

// TestScale: the partitions add up to the whole render, and no object
// grows past 256 KiB at 10 000 services.
func TestScale(t *testing.T) { generatortest.ScaleCases(t, Generate) }
