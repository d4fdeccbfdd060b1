// Package verify checks a live environment against its catalog: the
// seed's validation script's 13 checks, each expecting exactly what the
// render of the catalog holds, read through the Kubernetes API (and, for
// what only a pod inside can reach, from the report of the render's
// validation Job). novagen verify is its command.
package verify

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/novagen/novagen/internal/guard"
)

// Status is a fact's verdict. Skip is a check whose component the
// catalog does not have: reported, never counted as a PASS.
type Status string

const (
	Pass Status = "PASS"
	Warn Status = "WARN"
	Fail Status = "FAIL"
	Skip Status = "SKIP"
)

// Fact is one line of the report.
type Fact struct {
	Check   string `json:"check"`
	Status  Status `json:"status"`
	Message string `json:"message"`
}

// Totals counts the facts by status.
type Totals struct {
	Checks  int `json:"checks"`
	Passed  int `json:"passed"`
	Failed  int `json:"failed"`
	Warned  int `json:"warnings"`
	Skipped int `json:"skipped"`
}

// Report is what verify found, in the checks' order.
type Report struct {
	Namespace string `json:"namespace"`
	Facts     []Fact `json:"checks"`
}

// Totals counts r's facts.
func (r Report) Totals() Totals {
	t := Totals{Checks: len(r.Facts)}
	for _, f := range r.Facts {
		switch f.Status {
		case Pass:
			t.Passed++
		case Fail:
			t.Failed++
		case Warn:
			t.Warned++
		case Skip:
			t.Skipped++
		}
	}
	return t
}

// Failed says whether any fact is a FAIL (verify exits 1).
func (r Report) Failed() bool { return r.Totals().Failed > 0 }

// ANSI colours of the statuses, for a terminal (as the validation Job's
// report colours them).
var colours = map[Status]string{Pass: "\033[32m", Warn: "\033[33m", Fail: "\033[31m", Skip: "\033[2m"}

const reset = "\033[0m"

// WriteText writes one line per fact, `STATUS check: message`, then the
// totals; colour adds ANSI colours (for a terminal only).
func WriteText(w io.Writer, r Report, colour bool) error {
	var b strings.Builder
	for _, f := range r.Facts {
		s := string(f.Status)
		if colour {
			s = colours[f.Status] + s + reset
		}
		// One line per fact: a message never breaks the format.
		fmt.Fprintf(&b, "%s %s: %s\n", s, f.Check, oneLine(f.Message))
	}
	t := r.Totals()
	fmt.Fprintf(&b, "%d checks: %d passed, %d failed, %d warnings, %d skipped\n", t.Checks, t.Passed, t.Failed, t.Warned, t.Skipped)
	_, err := io.WriteString(w, b.String())
	return err
}

// WriteJSON writes the report as one JSON object: namespace, checks[]
// (check, status, message) and totals; the schema is stable.
func WriteJSON(w io.Writer, r Report) error {
	if r.Facts == nil {
		r.Facts = []Fact{}
	}
	out := struct {
		Report
		Totals Totals `json:"totals"`
		Failed bool   `json:"failed"`
	}{r, r.Totals(), r.Failed()}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

// oneLine folds a message's line breaks and tabs (an object's condition
// message, a log line) into spaces, and escapes what else must not reach
// a terminal raw as every novagen report does (guard.Escape: control
// characters, bidirectional overrides, bytes that are not UTF-8).
func oneLine(s string) string { return guard.Escape(lineBreaks.Replace(s)) }

var lineBreaks = strings.NewReplacer("\r\n", " ", "\n", " ", "\r", " ", "\t", " ")
