package cli

import (
	"encoding/json"
	"io"
)

// output holds a command's output until it has succeeded. It grows by
// chunks, up to a MiB each, rather than by copying all it holds into an
// array twice the size: a render of thousands of services is hundreds of
// megabytes.
type output struct {
	chunks [][]byte
}

const maxChunk = 1 << 20

func (o *output) Write(p []byte) (int, error) {
	n := len(p)
	for len(p) > 0 {
		if len(o.chunks) == 0 || len(o.chunks[len(o.chunks)-1]) == cap(o.chunks[len(o.chunks)-1]) {
			size := 4 << 10
			if len(o.chunks) > 0 {
				size = min(2*cap(o.chunks[len(o.chunks)-1]), maxChunk)
			}
			o.chunks = append(o.chunks, make([]byte, 0, size))
		}
		last := &o.chunks[len(o.chunks)-1]
		k := min(cap(*last)-len(*last), len(p))
		*last = append(*last, p[:k]...)
		p = p[k:]
	}
	return n, nil
}

// WriteTo writes the output to w.
func (o *output) WriteTo(w io.Writer) (int64, error) {
	var n int64
	for _, c := range o.chunks {
		k, err := w.Write(c)
		n += int64(k)
		if err != nil {
			return n, err
		}
	}
	return n, nil
}

// writeJSON writes v as indented JSON and a newline, with <, > and & as
// they are (nothing reads it as HTML: <stdin>, wait-for-<dependency>).
func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
