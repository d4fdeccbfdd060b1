package main

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"time"
)

// The figures section of docs/performance.md lies between these lines;
// -doc rewrites it and leaves the rest of the file as it is.
const (
	docBegin = "<!-- benchtable: figures begin (written by `make bench-doc`; edit the text around them) -->"
	docEnd   = "<!-- benchtable: figures end -->"
)

// writeDoc replaces the figures section of the Markdown file at path with
// this run's tables, dated, with the commit and the machine.
func writeDoc(path string, rep *report) error {
	old, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	section := docBegin + "\n\n" + figuresHeader(time.Now(), commit(), machine()) + "\n" + rep.markdown() + "\n" + docEnd
	text, err := replaceSection(string(old), section)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return os.WriteFile(path, []byte(text), 0o644)
}

// replaceSection puts section where the begin and end lines are.
func replaceSection(text, section string) (string, error) {
	i := strings.Index(text, docBegin)
	j := strings.Index(text, docEnd)
	if i < 0 || j < i {
		return "", fmt.Errorf("no figures section (the lines %q and %q)", docBegin, docEnd)
	}
	return text[:i] + section + text[j+len(docEnd):], nil
}

func figuresHeader(now time.Time, commit string, machine []string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Figures of %s, commit %s, on:\n\n", now.UTC().Format("2006-01-02"), commit)
	for _, m := range machine {
		fmt.Fprintf(&b, "- %s\n", m)
	}
	return b.String()
}

// commit is the checked-out commit, with -dirty when the work tree has
// changes.
func commit() string {
	out, err := exec.Command("git", "rev-parse", "--short=12", "HEAD").Output()
	if err != nil {
		return "unknown"
	}
	c := strings.TrimSpace(string(out))
	if st, err := exec.Command("git", "status", "--porcelain", "--untracked-files=no").Output(); err == nil && len(bytes.TrimSpace(st)) > 0 {
		c += "-dirty"
	}
	return c
}

// machine describes what the figures ran on: processor, memory, kernel
// and the Go that built novagen (make bench builds benchtable and novagen
// with one go).
func machine() []string {
	cpu := firstField("/proc/cpuinfo", "model name")
	if cpu == "" {
		cpu = runtime.GOARCH
	}
	mem := "unknown memory"
	if kb, err := strconv.ParseInt(strings.TrimSuffix(firstField("/proc/meminfo", "MemTotal"), " kB"), 10, 64); err == nil {
		mem = bytesIEC(float64(kb)*1024) + " of memory"
	}
	kernel, _ := os.ReadFile("/proc/sys/kernel/osrelease")
	load, _ := os.ReadFile("/proc/loadavg")
	loadavg := strings.Join(strings.Fields(string(load))[:min(3, len(strings.Fields(string(load))))], " ")
	return []string{
		fmt.Sprintf("%d CPUs (nproc), %s", runtime.NumCPU(), cpu),
		mem,
		"Linux " + strings.TrimSpace(string(kernel)),
		"novagen built with " + runtime.Version(),
		"load average when the figures were written: " + loadavg + " (other work on the machine slows both tools)",
	}
}

// firstField is the value of the first "key : value" line of a /proc
// file with that key.
func firstField(path, key string) string {
	f, err := os.Open(path)
	if err != nil {
		return ""
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if ok && strings.TrimSpace(k) == key {
			return strings.TrimSpace(v)
		}
	}
	return ""
}
