package verify

import (
	"fmt"
	"regexp"
	"sort"
	"strings"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
)

// reportContainer is the validation Job's container that prints every
// check's lines (generators/validation).
const reportContainer = "report"

// reportLine is one line of the validation report: `PASS|FAIL|WARN
// check: message`.
var reportLine = regexp.MustCompile(`^(PASS|FAIL|WARN) ([a-z][a-z0-9-]*): (.*)$`)

// ansi matches colour codes (a report printed under FORCE_COLOR).
var ansi = regexp.MustCompile("\x1b\\[[0-9;]*m")

// ParseReport maps a validation report's lines to verify's checks (its
// postgres, redis, kafka, clickhouse and grpc lines to theirs, the others
// to CheckValidation), prefixing each message with the Job's name; lines
// that are no check's (the title, the totals) are left out.
func ParseReport(job, log string) map[string][]Fact {
	out := map[string][]Fact{}
	for _, l := range strings.Split(log, "\n") {
		m := reportLine.FindStringSubmatch(strings.TrimSpace(ansi.ReplaceAllString(l, "")))
		if m == nil {
			continue
		}
		check, ok := validationChecks[m[2]]
		msg := m[3]
		if !ok {
			check, msg = CheckValidation, m[2]+": "+msg
		}
		out[check] = append(out[check], Fact{check, Status(m[1]), fmt.Sprintf("%s (validation Job %s)", msg, job)})
	}
	return out
}

// readValidation reads the render's validation Jobs: their state and,
// where the log is readable, their reports' lines, by verify check.
func (r *run) readValidation() map[string][]Fact {
	out := map[string][]Fact{}
	for _, vj := range r.e.ValidationJobs() {
		for check, facts := range r.validationJob(vj) {
			out[check] = append(out[check], facts...)
		}
	}
	return out
}

// validationJob is one validation Job's facts: its report's lines when
// its log is readable; otherwise what its state says, for each check it
// covers (complete: all passed; failed: FAIL, without knowing which).
func (r *run) validationJob(vj ValidationJob) map[string][]Fact {
	out := map[string][]Fact{}
	each := func(s Status, format string, args ...any) map[string][]Fact {
		for _, c := range append(vj.Checks, CheckValidation) {
			out[c] = append(out[c], Fact{c, s, fmt.Sprintf(format, args...)})
		}
		return out
	}
	job, err := r.getJob(vj.Name)
	if err != nil {
		return each(Fail, "validation Job %s (this render's) cannot be read: %v", vj.Name, err)
	}
	state, what := jobState(job)
	if state == Warn {
		return each(Warn, "validation Job %s has not finished: %s", vj.Name, what)
	}
	log, err := r.jobReport(job)
	if err == nil {
		if lines := ParseReport(vj.Name, log); len(lines) > 0 {
			if state == Fail && !hasFail(lines) {
				lines[CheckValidation] = append(lines[CheckValidation], Fact{CheckValidation, Fail, fmt.Sprintf("validation Job %s %s", vj.Name, what)})
			}
			return lines
		}
		err = fmt.Errorf("its report container's log has no check line")
	}
	if state == Pass {
		return each(Pass, "validation Job %s completed: its in-cluster checks passed (report unreadable: %v)", vj.Name, err)
	}
	return each(Fail, "validation Job %s %s; its report is unreadable (%v), so which check failed is not known", vj.Name, what, err)
}

func hasFail(lines map[string][]Fact) bool {
	for _, fs := range lines {
		for _, f := range fs {
			if f.Status == Fail {
				return true
			}
		}
	}
	return false
}

// jobReport reads the report container's log of the Job's newest pod.
func (r *run) jobReport(job *batchv1.Job) (string, error) {
	list, err := r.c.List(r.ctx, gvrPod, job.Namespace, batchv1.JobNameLabel+"="+job.Name)
	if err != nil {
		return "", err
	}
	if len(list) == 0 {
		return "", fmt.Errorf("the Job has no pod left")
	}
	sort.Slice(list, func(i, j int) bool {
		ti, tj := list[i].GetCreationTimestamp(), list[j].GetCreationTimestamp()
		return tj.Before(&ti)
	})
	pod, err := typed[corev1.Pod](&list[0])
	if err != nil {
		return "", err
	}
	return r.c.Logs(r.ctx, pod.Namespace, pod.Name, reportContainer, 0, 1000)
}
