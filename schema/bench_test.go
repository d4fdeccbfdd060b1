package schema

import (
	"os"
	"testing"
)

func BenchmarkParseStaging(b *testing.B) {
	data, err := os.ReadFile("../services.yaml")
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := Parse("services.yaml", data); err != nil {
			b.Fatal(err)
		}
	}
}
