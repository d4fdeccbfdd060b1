package monitoring

import (
	"testing"

	"github.com/novagen/novagen/internal/generatortest"
)

func TestGolden(t *testing.T) { generatortest.GeneratorCases(t, Generate) }
