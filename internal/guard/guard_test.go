package guard

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestRead(t *testing.T) {
	tests := []struct {
		name  string
		in    string
		limit int64
		want  string // error; "" reads in
	}{
		{"text within the cap", "a: 1\n\tb: 2\r\n", 64, ""},
		{"exactly the cap", strings.Repeat("x", 64), 64, ""},
		{"past the cap", strings.Repeat("x", 65), 64, "in: input is larger than 0 MiB, the most novagen reads"},
		{"NUL, located", "a: 1\nbb: \x00", 64, "in:2:5: control character U+0000: input must be text (UTF-8)"},
		{"ESC after UTF-8, located in characters", "é: \x1b", 64, "in:1:4: control character U+001B: input must be text (UTF-8)"},
		{"DEL", "\x7f", 64, "in:1:1: control character U+007F: input must be text (UTF-8)"},
		{"UTF-16", "\xff\xfea\x00", 64, "in:1:1: input is UTF-16: save it as UTF-8"},
		{"a control character past the first chunk", strings.Repeat("x", 300<<10) + "\x01", 1 << 20, "in:1:307201: control character U+0001: input must be text (UTF-8)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data, err := Read("in", "input", strings.NewReader(tt.in), tt.limit)
			if tt.want == "" {
				require.NoError(t, err)
				assert.Equal(t, tt.in, string(data))
				return
			}
			require.EqualError(t, err, tt.want)
			assert.Nil(t, data)
		})
	}
}

// TestReadStopsAtTheCap: an endless reader is read just past the cap.
func TestReadStopsAtTheCap(t *testing.T) {
	r := &countingReader{}
	_, err := Read("in", "input", r, 1<<20)
	require.EqualError(t, err, "in: input is larger than 1 MiB, the most novagen reads")
	assert.Less(t, r.n, int64(2<<20))
}

type countingReader struct{ n int64 }

func (c *countingReader) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = 'y'
	}
	c.n += int64(len(p))
	return len(p), nil
}

func TestReadFileKinds(t *testing.T) {
	dir := t.TempDir()
	regular := filepath.Join(dir, "a.yaml")
	require.NoError(t, os.WriteFile(regular, []byte("a: 1\n"), 0o644))
	fifo := filepath.Join(dir, "fifo")
	require.NoError(t, syscall.Mkfifo(fifo, 0o644))
	root, err := os.OpenRoot(dir)
	require.NoError(t, err)
	defer root.Close()
	require.NoError(t, os.Symlink("/etc/hostname", filepath.Join(dir, "out")))

	_, err = ReadFile(regular, "file", 64)
	assert.NoError(t, err)
	_, err = ReadFile(fifo, "file", 64)
	assert.EqualError(t, err, fifo+": cannot read file: it is a named pipe, not a regular file", "refused without waiting for a writer")
	_, err = ReadFile(dir, "file", 64)
	assert.EqualError(t, err, dir+": cannot read file: it is a directory")
	_, err = ReadFile(filepath.Join(dir, "absent"), "file", 64)
	assert.EqualError(t, err, filepath.Join(dir, "absent")+": cannot read file: no such file or directory")
	_, err = ReadIn(root, "out", "out as written", "file", 64)
	assert.ErrorIs(t, err, ErrOutside, "a symlink leading out")
	_, err = ReadIn(root, "../x", "../x", "file", 64)
	assert.ErrorIs(t, err, ErrOutside)
	_, err = ReadIn(root, "fifo", "the fifo", "file", 64)
	assert.EqualError(t, err, "the fifo: cannot read file: it is a named pipe, not a regular file")
	if _, err := os.Stat("/dev/zero"); err == nil {
		_, err = ReadArg("/dev/zero", "file", 64)
		assert.EqualError(t, err, "/dev/zero:1:1: control character U+0000: file must be text (UTF-8)", "a device named on a command line is read")
	}
}

func TestManifests(t *testing.T) {
	tests := []struct {
		name, in string
		objects  int
		want     string
	}{
		{"documents, lines of the file", "a: 1\n---\nb: 2\n---\n", 2, ""},
		{"a List is unwrapped", "apiVersion: v1\nkind: List\nitems:\n- {kind: A}\n- {kind: B}\n", 2, ""},
		{"aliases within the budget are expanded", "a: &a {x: 1}\nb: *a\n", 1, ""},
		{"an inline merge key is resolved", "a: {<<: {x: 1}, y: 2}\n", 1, ""},
		{"merge keys", "a: &a {x: 1}\nb: {<<: *a, y: 2}\nc: {<<: *a, y: 3}\n", 1, ""},
		{"a duplicate key in the second document", "a: 1\n---\nb: 1\nc: {d: 1, d: 2}\n", 0, "m:4:11: key \"d\" appears twice in one mapping (first at line 4)"},
		{"a long duplicate key is cut short", "? " + strings.Repeat("k", 100) + "\n: 1\n? " + strings.Repeat("k", 100) + "\n: 2\n", 0,
			"m:3:3: key \"" + strings.Repeat("k", 40) + "\"… appears twice in one mapping (first at line 1)"},
		{"nesting", "a: " + strings.Repeat("[", 1001) + strings.Repeat("]", 1001) + "\n", 0, "m:1:1002: values nest deeper than 1000 levels"},
		{"nesting through aliases", "a: &a " + strings.Repeat("[", 600) + strings.Repeat("]", 600) + "\nb: " + strings.Repeat("[", 500) + "*a" + strings.Repeat("]", 500) + "\n", 0,
			"m:2:504: values nest deeper than 1000 levels"},
		{"labels that are a list", "kind: Pod\nmetadata: {name: p, labels: [1]}\n", 0, "m:2:29: metadata.labels: expected a mapping, found a list"},
		{"a name that is a mapping", "kind: Pod\nmetadata:\n  name: {a: 1}\n", 0, "m:3:9: metadata.name: expected text, found a mapping"},
		{"metadata a list", "kind: [Pod]\nmetadata: [0]\n", 0, "m:1:7: kind: expected text, found a list\nm:2:11: metadata: expected a mapping, found a list"},
		{"annotations with a list value", "metadata: {annotations: {a: [1]}}\n", 0, "m:1:26: metadata.annotations: expected text keys and values"},
		{"null labels", "metadata: {labels: null, name: x}\n", 1, ""},
		{"a scalar document", "just text\n", 0, "m:1:1: expected an object (a mapping), found a scalar"},
		{"a List item that is not an object", "kind: List\nitems: [1]\n", 0, "m:2:9: expected an object (a mapping), found a scalar"},
		{"invalid YAML, located", "a: 1\nb: [\n", 0, "m:2:1: invalid YAML: did not find expected node content"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			nodes, err := Manifests("m", []byte(tt.in))
			if tt.want != "" {
				require.EqualError(t, err, tt.want)
				return
			}
			require.NoError(t, err)
			assert.Len(t, nodes, tt.objects)
			for _, n := range nodes {
				s, err := n.String()
				require.NoError(t, err)
				assert.NotContains(t, s, "*a", "aliases are expanded")
				assert.NotContains(t, s, "<<", "merge keys are resolved")
			}
		})
	}
}

// TestAliasBudget: what aliases add is bounded by what is written.
func TestAliasBudget(t *testing.T) {
	level := func(n int) string {
		var b bytes.Buffer
		b.WriteString("l0: &l0 [x, x, x, x, x, x, x, x, x, x]\n")
		for i := 1; i <= n; i++ {
			b.WriteString("l" + itoa(i) + ": &l" + itoa(i) + " [" + strings.Repeat("*l"+itoa(i-1)+", ", 9) + "*l" + itoa(i-1) + "]\n")
		}
		return b.String()
	}
	_, err := Manifests("m", []byte(level(2))) // adds 1 110 nodes
	assert.NoError(t, err)
	_, err = Manifests("m", []byte(level(9))) // would add billions
	assert.EqualError(t, err, "m:10:10: alias *l8 expands the input beyond its limit (YAML aliases may add at most as many nodes as the input has, and at least 10000): write the values out, or use fewer nested aliases")
}

func itoa(i int) string { return string(rune('0' + i)) }

func TestEscape(t *testing.T) {
	for in, want := range map[string]string{
		"plain text, é and 日本": "plain text, é and 日本",
		"\x1b[31mred\x1b[0m":   `\x1b[31mred\x1b[0m`,
		"line\nbreak\ttab":     `line\nbreak\ttab`,
		"bidi \u202egnp.exe":   `bidi \u202egnp.exe`,
		"C1 \u009b":            `C1 \u009b`,
		"not UTF-8 \xff":       `not UTF-8 \ufffd`,
	} {
		assert.Equal(t, want, Escape(in), "%q", in)
	}
	assert.Equal(t, "a\\x1b\nb", EscapeLines("a\x1b\nb"))
	assert.Equal(t, `f\x1b:1:2: m\a`, Error{Pos: Pos{File: "f\x1b", Line: 1, Column: 2}, Message: "m\a"}.Error())
}
