package cli

import (
	"bytes"
	"strings"
	"testing"
)

// TestOutput: what goes in comes out, in order, across chunks.
func TestOutput(t *testing.T) {
	var o output
	var want bytes.Buffer
	for i := range 3000 {
		s := strings.Repeat(string(rune('a'+i%26)), i)
		o.Write([]byte(s))
		want.WriteString(s)
	}
	var got bytes.Buffer
	n, err := o.WriteTo(&got)
	if err != nil || n != int64(want.Len()) || !bytes.Equal(got.Bytes(), want.Bytes()) {
		t.Fatalf("wrote %d bytes (%v), want %d, equal %v", n, err, want.Len(), bytes.Equal(got.Bytes(), want.Bytes()))
	}
	if len(o.chunks) < 5 || cap(o.chunks[len(o.chunks)-1]) != maxChunk {
		t.Errorf("%d chunks, the last of %d bytes", len(o.chunks), cap(o.chunks[len(o.chunks)-1]))
	}
}
