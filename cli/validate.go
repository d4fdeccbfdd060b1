package cli

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/novagen/novagen/catalog/load"
	"github.com/novagen/novagen/internal/guard"
)

// validation is what validate found in a valid catalog.
type validation struct {
	services, databases, topics, targets int
	// environments are those checked besides the catalog as written
	// (none with -e: then only that one).
	environments []string
}

// validate loads the catalog of ref and, without -e, each of its
// environments.
func (a app) validate(c *cobra.Command, ref catalogRef) (validation, error) {
	cat, err := a.loadCatalog(c, ref)
	if err != nil {
		return validation{}, err
	}
	var envs []string
	if ref.env == "" {
		if err := load.CheckEnvironments(cat); err != nil {
			return validation{}, err
		}
		envs = cat.EnvironmentNames
	}
	s := cat.Spec
	return validation{len(s.Services), len(s.Databases), len(s.Topics), len(cat.Endpoints()), envs}, nil
}

func (a app) validateCmd() *cobra.Command {
	var path catalogRef
	var format string
	c := &cobra.Command{
		Use:   "validate",
		Short: "Check the catalog and report every problem as FILE:LINE:COL",
		Long: `Check the catalog and report every problem as FILE:LINE:COL: the catalog as
written and each of its environments, or only the one -e names.

--format json writes one JSON object on stdout, valid catalog or not
({"file", "ok", "problems": [{"file", "line", "column", "message"}],
"summary"}); an invalid catalog still exits 1, its problems also on stderr.`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			if format != "text" && format != "json" {
				return fmt.Errorf("--format %q: expected text or json", format)
			}
			v, err := a.validate(c, path)
			if format == "json" {
				return writeValidationJSON(c.OutOrStdout(), path, v, err)
			}
			if err != nil {
				return err
			}
			writeValidation(c.OutOrStdout(), path, v)
			return nil
		},
	}
	catalogFlag(c, &path)
	c.Flags().StringVarP(&format, "format", "o", "text", "text or json (one object on stdout, an invalid catalog's too)")
	return c
}

// writeValidation is the text report: one ok line.
func writeValidation(w io.Writer, ref catalogRef, v validation) {
	fmt.Fprintf(w, "%s: ok: %d services, %d databases, %d topics, %d dependency targets",
		guard.Escape(ref.path), v.services, v.databases, v.topics, v.targets)
	if ref.env != "" {
		fmt.Fprintf(w, " (environment %s)", guard.Escape(ref.env))
	} else if len(v.environments) > 0 {
		fmt.Fprintf(w, "; environments %s ok", strings.Join(v.environments, ", "))
	}
	fmt.Fprintln(w)
}

// validationReport is validate's JSON shape (README, "novagen validate").
// Arrays are never null; summary is there only when ok.
type validationReport struct {
	File        string             `json:"file"`
	Environment string             `json:"environment,omitempty"`
	OK          bool               `json:"ok"`
	Problems    []problem          `json:"problems"`
	Summary     *validationSummary `json:"summary,omitempty"`
}

// problem is one located error; line and column are 0 when unknown.
type problem struct {
	File    string `json:"file"`
	Line    int    `json:"line"`
	Column  int    `json:"column"`
	Message string `json:"message"`
}

type validationSummary struct {
	Services          int      `json:"services"`
	Databases         int      `json:"databases"`
	Topics            int      `json:"topics"`
	DependencyTargets int      `json:"dependencyTargets"`
	Environments      []string `json:"environments"`
}

// reported is a failure whose report is already in the output (Main
// prints it, then the failure's own lines on stderr).
type reported struct{ error }

func (r reported) Is(target error) bool { return target == errReported }
func (r reported) Unwrap() error        { return r.error }

// writeValidationJSON writes the report of a validation that ended in
// err (nil: valid), and returns what the command returns.
func writeValidationJSON(w io.Writer, ref catalogRef, v validation, err error) error {
	r := validationReport{File: displayName(ref.path), Environment: ref.env, OK: err == nil, Problems: problems(ref, err)}
	if err == nil {
		r.Summary = &validationSummary{v.services, v.databases, v.topics, v.targets, append([]string{}, v.environments...)}
	}
	if jerr := writeJSON(w, r); jerr != nil {
		return jerr
	}
	if err != nil {
		return reported{err}
	}
	return nil
}

// problems are err's located errors; an error without a place (none of
// the loader's today) is one problem of the catalog file.
func problems(ref catalogRef, err error) []problem {
	out := []problem{}
	if err == nil {
		return out
	}
	var errs load.Errors
	if !errors.As(err, &errs) {
		return append(out, problem{File: displayName(ref.path), Message: err.Error()})
	}
	for _, e := range errs {
		out = append(out, problem{e.Pos.File, e.Pos.Line, e.Pos.Column, e.Message})
	}
	return out
}

// displayName is the name errors give the catalog at path.
func displayName(path string) string {
	if path == "-" {
		return stdinName
	}
	return path
}
