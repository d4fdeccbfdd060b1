package load

import (
	"os"
	"testing"
)

func BenchmarkParseStaging(b *testing.B) {
	data, err := os.ReadFile("../../services.yaml")
	if err != nil {
		b.Fatal(err)
	}
	// Its contracts name proto files: parse it where it lives.
	root, err := os.OpenRoot("../..")
	if err != nil {
		b.Fatal(err)
	}
	defer root.Close()
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := ParseIn(root, "services.yaml", data, ""); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkAliasBomb: a few hundred bytes of nested aliases (9 levels of
// 9) fail at the alias budget instead of expanding to 387 million nodes.
func BenchmarkAliasBomb(b *testing.B) {
	data, err := os.ReadFile("testdata/errors/alias-bomb.yaml")
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := Parse("alias-bomb.yaml", data); err == nil {
			b.Fatal("the alias bomb loaded")
		}
	}
}
