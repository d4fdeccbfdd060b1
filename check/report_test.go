package check

import (
	"bytes"
	"strings"
	"testing"
	"unicode"
)

func TestWrite(t *testing.T) {
	results := []Result{
		{Name: "resources", Title: "requests", Unit: "containers", Checked: 3},
		{Name: "probes", Title: "probes", Unit: "containers", Checked: 2, Findings: []Finding{
			{Fail, "Deployment/a", "spec.template.spec.containers[a].livenessProbe", "missing"},
		}},
		{Name: "service-selectors", Title: "selectors", Unit: "Services", Checked: 1, Findings: []Finding{
			{Warn, "Service/b", "spec.selector", "selects no pod: x=a|b"},
		}},
	}
	cases := []struct {
		name   string
		format Format
		colour bool
		want   []string
		not    []string
	}{
		{"text", Text, false, []string{
			"CHECK              STATUS   FAIL   WARN  CHECKED\n",
			"resources          PASS        0      0  3 containers: requests\n",
			"probes             FAIL        1      0  2 containers: probes\n",
			"FAIL probes: Deployment/a spec.template.spec.containers[a].livenessProbe: missing\n",
			"WARN service-selectors: Service/b spec.selector: selects no pod: x=a|b\n",
			"3 checks, 1 FAIL, 1 WARN, 1 PASS\n",
		}, []string{"\033["}},
		{"text in colour", Text, true, []string{"\033[31mFAIL\033[0m  ", "\033[32mPASS\033[0m  ", "\033[33mWARN\033[0m service-selectors"}, nil},
		{"markdown", Markdown, false, []string{
			"**novagen check**: 3 checks, 1 FAIL, 1 WARN, 1 PASS\n",
			"| `probes` | ❌ FAIL | 1 | 0 | 2 containers: probes |\n",
			"| ⚠️ WARN | `service-selectors` | `Service/b` | `spec.selector` | selects no pod: x=a\\|b |\n",
		}, []string{"\033["}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var b bytes.Buffer
			if err := Write(&b, results, tc.format, tc.colour); err != nil {
				t.Fatal(err)
			}
			for _, w := range tc.want {
				if !strings.Contains(b.String(), w) {
					t.Errorf("want %q in:\n%s", w, b.String())
				}
			}
			for _, w := range tc.not {
				if strings.Contains(b.String(), w) {
					t.Errorf("%q must not be in:\n%s", w, b.String())
				}
			}
		})
	}
	if _, err := ParseFormat("html"); err == nil || !strings.Contains(err.Error(), "expected text or markdown") {
		t.Errorf("ParseFormat(html) = %v", err)
	}
}

// TestWriteEscapes: names, fields and messages from the input reach a
// terminal without their control characters and a Markdown table
// without breaking its row, cells or code spans; ordinary text is
// written as it is.
func TestWriteEscapes(t *testing.T) {
	cases := []struct {
		name                   string
		object, field, message string
		text                   string // the finding's line
		markdown               []string
	}{
		{"ordinary", "Service/a", "spec.selector", `selects no pod: "x"`,
			`FAIL probes: Service/a spec.selector: selects no pod: "x"`,
			[]string{"`Service/a`", "`spec.selector`", `selects no pod: "x"`}},
		{"ESC", "Pod/\x1b[31mred", "spec", "is \x1b[0m",
			`FAIL probes: Pod/\x1b[31mred spec: is \x1b[0m`,
			[]string{"`Pod/\\x1b[31mred`", "`spec`", `is \\x1b\[0m`}},
		{"newlines and tabs", "Pod/a\nb", "env[A\tB]", "one\r\ntwo",
			`FAIL probes: Pod/a\nb env[A\tB]: one\r\ntwo`,
			[]string{"`Pod/a\\nb`", "`env[A\\tB]`", `one\\r\\ntwo`}},
		{"a bidi override", "Pod/a\u202eb", "spec", "x\u200by",
			`FAIL probes: Pod/a\u202eb spec: x\u200by`,
			[]string{"`Pod/a\\u202eb`", `x\\u200by`}},
		{"pipes and backticks", "Pod/a|b`c", "spec.`x`", "a|b `c` <img src=x> [l](u) *e*",
			"FAIL probes: Pod/a|b`c spec.`x`: a|b `c` <img src=x> [l](u) *e*",
			[]string{"``Pod/a\\|b`c``", "`` spec.`x` ``", "a\\|b \\`c\\` \\<img src=x> \\[l\\](u) \\*e\\*"}},
		{"backslashes", `Pod/a\`, `x\|`, `a\|b`,
			`FAIL probes: Pod/a\ x\|: a\|b`,
			[]string{"`Pod/a\\`", "`x\\\\|`", `a\\\|b`}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			results := []Result{{Name: "probes", Findings: []Finding{{Fail, tc.object, tc.field, tc.message}}}}
			text := write(t, results, Text)
			if !strings.Contains(text, tc.text+"\n") {
				t.Errorf("want the line %q in:\n%s", tc.text, text)
			}
			md := write(t, results, Markdown)
			row := md[strings.LastIndex(md, "\n| ❌ FAIL")+1:]
			if n := strings.Count(strings.TrimSuffix(row, "\n"), "\n"); n != 0 {
				t.Fatalf("the finding is %d lines:\n%s", n+1, row)
			}
			if cells := tableCells(row); len(cells) != 5 {
				t.Errorf("the finding has %d cells, want 5: %q", len(cells), cells)
			}
			for _, w := range tc.markdown {
				if !strings.Contains(row, w) {
					t.Errorf("want %s in the row:\n%s", w, row)
				}
			}
			for _, out := range []string{text, md} {
				if strings.ContainsFunc(out, func(r rune) bool { return r != '\n' && !unicode.IsGraphic(r) }) {
					t.Errorf("a control character in:\n%q", out)
				}
			}
		})
	}
}

func write(t *testing.T, results []Result, f Format) string {
	t.Helper()
	var b bytes.Buffer
	if err := Write(&b, results, f, false); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// tableCells splits a table row at its unescaped pipes, as GitHub does:
// a pipe after a backslash is part of the cell, in a code span too.
func tableCells(row string) []string {
	row = strings.TrimSpace(row)
	var cells []string
	start := 1
	for i := 1; i < len(row); i++ {
		if row[i] == '|' && row[i-1] != '\\' {
			cells = append(cells, row[start:i])
			start = i + 1
		}
	}
	return cells
}

// TestWriteJSON: the documented JSON shape, exactly; strings as they are
// (JSON escapes them), arrays empty rather than null.
func TestWriteJSON(t *testing.T) {
	results := []Result{
		{Name: "resources", Title: "requests", Unit: "containers", Checked: 3},
		{Name: "probes", Title: "probes", Unit: "containers", Checked: 2, Findings: []Finding{
			{Fail, "Deployment/a", "spec.template.spec.containers[a].livenessProbe", "missing\x1b[31m"},
			{Warn, "Service/b", "spec.selector", `selects no pod: "x" <none>`},
		}},
	}
	const want = `{
  "checks": [
    {
      "name": "resources",
      "status": "PASS",
      "checked": 3,
      "unit": "containers",
      "findings": []
    },
    {
      "name": "probes",
      "status": "FAIL",
      "checked": 2,
      "unit": "containers",
      "findings": [
        {
          "severity": "FAIL",
          "object": "Deployment/a",
          "field": "spec.template.spec.containers[a].livenessProbe",
          "message": "missing\u001b[31m"
        },
        {
          "severity": "WARN",
          "object": "Service/b",
          "field": "spec.selector",
          "message": "selects no pod: \"x\" <none>"
        }
      ]
    }
  ],
  "failed": true
}
`
	var b bytes.Buffer
	if err := Write(&b, results, JSON, true); err != nil {
		t.Fatal(err)
	}
	if b.String() != want {
		t.Errorf("got:\n%s\nwant:\n%s", b.String(), want)
	}
	b.Reset()
	if err := Write(&b, results[:1], JSON, false); err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(b.String(), "\"failed\": false\n}\n") {
		t.Errorf("a PASS report is not failed:\n%s", b.String())
	}
}

// TestParseFormats: check's report has JSON, diff's formats do not.
func TestParseFormats(t *testing.T) {
	cases := []struct {
		parse   func(string) (Format, error)
		in      string
		want    Format
		wantErr string
	}{
		{ParseFormat, "markdown", Markdown, ""},
		{ParseFormat, "json", "", `--format "json": expected text or markdown`},
		{ParseReportFormat, "json", JSON, ""},
		{ParseReportFormat, "text", Text, ""},
		{ParseReportFormat, "html", "", `--format "html": expected text, markdown or json`},
	}
	for _, tc := range cases {
		got, err := tc.parse(tc.in)
		if got != tc.want || (err == nil) != (tc.wantErr == "") || (err != nil && err.Error() != tc.wantErr) {
			t.Errorf("parse(%q) = %q, %v; want %q, %q", tc.in, got, err, tc.want, tc.wantErr)
		}
	}
}
