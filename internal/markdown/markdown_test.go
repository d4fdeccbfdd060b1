package markdown

import "testing"

func TestCell(t *testing.T) {
	cases := []struct{ in, want string }{
		{"selects no pod: app=a", "selects no pod: app=a"},
		{"a|b", `a\|b`},
		{"one\ntwo\r\nthree\rfour", "one two three four"},
		{"`code` *em* _em_ [link](u) <b>", "\\`code\\` \\*em\\* \\_em\\_ \\[link\\](u) \\<b>"},
		{`a\|b`, `a\\\|b`}, // the input's backslash cannot escape the escape
	}
	for _, tc := range cases {
		if got := Cell(tc.in); got != tc.want {
			t.Errorf("Cell(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestCode(t *testing.T) {
	cases := []struct{ in, want string }{
		{"spec.selector", "`spec.selector`"},
		{"", ""},
		{"a|b", "`a\\|b`"},
		{`a\b`, "`a\\b`"}, // a backslash is literal in code
		{"a\nb", "`a b`"},
		{"a`b", "``a`b``"},
		{"a``b`c", "```a``b`c```"},
		{"`a", "`` `a ``"},
		{"a`", "`` a` ``"},
		{" a ", "`  a  `"},
		{" a", "` a`"},
	}
	for _, tc := range cases {
		if got := Code(tc.in); got != tc.want {
			t.Errorf("Code(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
