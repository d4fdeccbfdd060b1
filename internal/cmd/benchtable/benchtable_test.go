package main

import (
	"strings"
	"testing"
)

func TestDocCounter(t *testing.T) {
	for _, tc := range []struct {
		name   string
		stream string
		docs   int
	}{
		{"empty", "", 0},
		{"novagen", "a: 1\n---\nb: 2\n---\nc: |\n  ---\n  # not a comment\n", 3},
		{"helm", "---\n# Source: x.yaml\na: 1\n---\n# Source: y.yaml\nb: 2\n", 2},
		{"comment-only and blank documents", "---\n# Source: empty.yaml\n---\n\n---\nkind: A\n", 1},
		{"no final newline", "a: 1\n---\nb: 2", 2},
		{"indented first line", "---\n  - a\n", 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// Every split of the stream into two writes counts the same.
			for cut := range len(tc.stream) + 1 {
				var c docCounter
				for _, part := range []string{tc.stream[:cut], tc.stream[cut:]} {
					if n, err := c.Write([]byte(part)); n != len(part) || err != nil {
						t.Fatalf("Write: %d, %v", n, err)
					}
				}
				if docs, bytes := c.count(); docs != tc.docs || bytes != int64(len(tc.stream)) {
					t.Fatalf("split at %d: %d documents in %d bytes, want %d in %d", cut, docs, bytes, tc.docs, len(tc.stream))
				}
			}
		})
	}
}

func TestCompareOutputs(t *testing.T) {
	novagen := "kind: A\nmetadata: {name: a, namespace: n}\nspec: {x: 1, y: [1, 2]}\n---\nkind: B\nmetadata: {name: b}\n"
	for _, tc := range []struct {
		name, chart string
		want        string
	}{
		{"equal but written otherwise", "---\n# Source: t.yaml\nkind: A\nmetadata:\n  namespace: n\n  name: a\nspec:\n  y:\n  - 1\n  - 2\n  x: 1\n",
			"1 of 1 chart objects equal to novagen's of the same kind and name"},
		{"a different value", "kind: A\nmetadata: {name: a, namespace: n}\nspec: {x: 1, y: [1, 3]}\n",
			`0 of 1 chart objects equal to novagen's of the same kind and name; first difference: A n/a: .spec.y[1]: novagen 2, chart 3`},
		{"a quoted number is a string", "kind: A\nmetadata: {name: a, namespace: n}\nspec: {x: \"1\", y: [1, 2]}\n",
			`first difference: A n/a: .spec.x: novagen 1, chart "1"`},
		{"an object novagen has not", "kind: C\nmetadata: {name: c}\n", "C <nil>/c is not in novagen's output"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e, err := compareOutputs([]byte(novagen), []byte(tc.chart))
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(e.String(), tc.want) {
				t.Errorf("got %q, want it to contain %q", e, tc.want)
			}
		})
	}
}

func TestPerSize(t *testing.T) {
	for _, tc := range []struct {
		in   string
		n    int
		want string
	}{
		{"3x", 3, "3x 3x 3x"},
		{"3x,3x,1x", 3, "3x 3x 1x"},
		{"3x,1x", 3, "error"},
		{"3x,,1x", 3, "error"},
	} {
		got, err := perSize(tc.in, tc.n)
		s := strings.Join(got, " ")
		if err != nil {
			s = "error"
		}
		if s != tc.want {
			t.Errorf("perSize(%q, %d) = %q, want %q", tc.in, tc.n, s, tc.want)
		}
	}
}

func TestReplaceSection(t *testing.T) {
	text := "# Title\n\nintro\n\n" + docBegin + "\nold figures\n" + docEnd + "\n\nafter\n"
	got, err := replaceSection(text, docBegin+"\nnew\n"+docEnd)
	if err != nil {
		t.Fatal(err)
	}
	if want := "# Title\n\nintro\n\n" + docBegin + "\nnew\n" + docEnd + "\n\nafter\n"; got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	if _, err := replaceSection("no markers", "x"); err == nil {
		t.Error("a file without the markers: no error")
	}
}
