package check

import (
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/novagen/novagen/internal/guard"
	"github.com/novagen/novagen/internal/markdown"
)

// Format is how a report is written.
type Format string

const (
	Text     Format = "text"
	Markdown Format = "markdown"
	JSON     Format = "json" // check's report only: diff has no JSON shape
)

// ParseFormat accepts text or markdown (diff's formats).
func ParseFormat(s string) (Format, error) { return parseFormat(s, Text, Markdown) }

// ParseReportFormat accepts text, markdown or json (check's formats).
func ParseReportFormat(s string) (Format, error) { return parseFormat(s, Text, Markdown, JSON) }

func parseFormat(s string, allowed ...Format) (Format, error) {
	if f := Format(s); slices.Contains(allowed, f) {
		return f, nil
	}
	names := make([]string, len(allowed))
	for i, f := range allowed {
		names[i] = string(f)
	}
	last := len(names) - 1
	return "", fmt.Errorf("--format %q: expected %s or %s", s, strings.Join(names[:last], ", "), names[last])
}

// ANSI colours of the statuses, for a terminal.
var colours = map[Severity]string{Pass: "\033[32m", Warn: "\033[33m", Fail: "\033[31m"}

const reset = "\033[0m"

// Write writes the results as a table, one line per check with its
// counts, then every finding with its object and field. colour adds ANSI
// colours (for a terminal only).
func Write(w io.Writer, results []Result, f Format, colour bool) error {
	var b strings.Builder
	switch f {
	case JSON:
		if err := writeJSON(&b, results); err != nil {
			return err
		}
	case Markdown:
		writeMarkdown(&b, results)
	default:
		writeText(&b, results, colour)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func writeText(b *strings.Builder, results []Result, colour bool) {
	status := func(s Severity) string {
		if !colour {
			return s.String()
		}
		return colours[s] + s.String() + reset
	}
	width := len("CHECK")
	for _, r := range results {
		width = max(width, len(r.Name))
	}
	fmt.Fprintf(b, "%-*s  %-6s  %5s  %5s  %s\n", width, "CHECK", "STATUS", "FAIL", "WARN", "CHECKED")
	for _, r := range results {
		fmt.Fprintf(b, "%-*s  %s  %5d  %5d  %d %s: %s\n", width, r.Name, status(r.Status())+strings.Repeat(" ", 6-len(r.Status().String())),
			r.Count(Fail), r.Count(Warn), r.Checked, r.Unit, r.Title)
	}
	for _, r := range results {
		for _, f := range r.Findings {
			fmt.Fprintf(b, "%s %s: %s %s: %s\n", status(f.Severity), r.Name, escape(f.Object), escape(f.Field), escape(f.Message))
		}
	}
	fmt.Fprintln(b, summary(results))
}

func writeMarkdown(b *strings.Builder, results []Result) {
	icon := map[Severity]string{Pass: "✅", Warn: "⚠️", Fail: "❌"}
	fmt.Fprintf(b, "**novagen check**: %s\n\n", summary(results))
	b.WriteString("| check | status | fail | warn | checked |\n| --- | --- | ---: | ---: | --- |\n")
	for _, r := range results {
		fmt.Fprintf(b, "| `%s` | %s %s | %d | %d | %d %s: %s |\n", r.Name, icon[r.Status()], r.Status(), r.Count(Fail), r.Count(Warn), r.Checked, r.Unit, markdown.Cell(r.Title))
	}
	var findings []string
	for _, r := range results {
		for _, f := range r.Findings {
			findings = append(findings, fmt.Sprintf("| %s %s | `%s` | %s | %s | %s |", icon[f.Severity], f.Severity, r.Name,
				markdown.Code(escape(f.Object)), markdown.Code(escape(f.Field)), markdown.Cell(escape(f.Message))))
		}
	}
	if len(findings) > 0 {
		b.WriteString("\n| status | check | object | field | problem |\n| --- | --- | --- | --- | --- |\n")
		b.WriteString(strings.Join(findings, "\n") + "\n")
	}
}

// summary is the last line: how many checks failed, warned and passed.
func summary(results []Result) string {
	var n [3]int
	for _, r := range results {
		n[r.Status()]++
	}
	return fmt.Sprintf("%d checks, %d FAIL, %d WARN, %d PASS", len(results), n[Fail], n[Warn], n[Pass])
}

// escape is the guard's: what every novagen report and error escapes.
func escape(s string) string { return guard.Escape(s) }

// jsonReport is the JSON shape of a report (README, "novagen check"):
// stable names, statuses as in the text report, arrays never null.
type jsonReport struct {
	Checks []jsonCheck `json:"checks"`
	Failed bool        `json:"failed"`
}

type jsonCheck struct {
	Name     string        `json:"name"`
	Status   string        `json:"status"`
	Checked  int           `json:"checked"`
	Unit     string        `json:"unit"`
	Findings []jsonFinding `json:"findings"`
}

type jsonFinding struct {
	Severity string `json:"severity"`
	Object   string `json:"object"`
	Field    string `json:"field"`
	Message  string `json:"message"`
}

// writeJSON writes the report as one indented JSON object. Its strings
// are not escaped as the text's are: JSON's own escaping keeps them on
// their line.
func writeJSON(b *strings.Builder, results []Result) error {
	report := jsonReport{Checks: []jsonCheck{}, Failed: Failed(results)}
	for _, r := range results {
		c := jsonCheck{Name: r.Name, Status: r.Status().String(), Checked: r.Checked, Unit: r.Unit, Findings: []jsonFinding{}}
		for _, f := range r.Findings {
			c.Findings = append(c.Findings, jsonFinding{Severity: f.Severity.String(), Object: f.Object, Field: f.Field, Message: f.Message})
		}
		report.Checks = append(report.Checks, c)
	}
	// Names and messages as they are (<none>, not \u003cnone\u003e):
	// nothing reads this as HTML.
	enc := json.NewEncoder(b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(report)
}
