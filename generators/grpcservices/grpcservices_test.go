package grpcservices

import (
	"testing"

	"github.com/novagen/novagen/internal/golden"
)

func TestGolden(t *testing.T) { golden.GeneratorCases(t, Generate) }
