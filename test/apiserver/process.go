package apiserver

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"time"
)

// process is a child (etcd or kube-apiserver) whose stdout and stderr go to
// one log file, so the log reads in order and can be tailed on failure.
type process struct {
	name    string
	cmd     *exec.Cmd
	logPath string
	done    chan struct{} // closed once Wait returned
	waitErr error         // valid after done is closed
}

func startProcess(name, logPath string, env []string, bin string, args ...string) (*process, error) {
	logFile, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(bin, args...)
	cmd.Env = env
	cmd.Stdout = logFile
	cmd.Stderr = logFile
	cmd.SysProcAttr = &syscall.SysProcAttr{
		// Own process group: stop() signals the whole group, so nothing the
		// child forks can outlive the test.
		Setpgid: true,
		// Backstop when the test binary dies without running cleanup
		// (go test -timeout panic, SIGKILL, Ctrl-C): the kernel kills the
		// child instead of leaving etcd/kube-apiserver running.
		Pdeathsig: syscall.SIGKILL,
	}
	if err := cmd.Start(); err != nil {
		logFile.Close()
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	p := &process{name: name, cmd: cmd, logPath: logPath, done: make(chan struct{})}
	go func() {
		p.waitErr = cmd.Wait()
		logFile.Close()
		close(p.done)
	}()
	return p, nil
}

// exited reports whether the process has already terminated, with its error.
func (p *process) exited() (bool, error) {
	select {
	case <-p.done:
		if p.waitErr == nil {
			return true, fmt.Errorf("%s exited unexpectedly with status 0", p.name)
		}
		return true, fmt.Errorf("%s exited unexpectedly: %w", p.name, p.waitErr)
	default:
		return false, nil
	}
}

// stop terminates the process group gracefully, escalates to SIGKILL after
// grace, and then verifies that no member of the group is left over.
func (p *process) stop(grace time.Duration) error {
	pgid := p.cmd.Process.Pid // == pgid because of Setpgid
	_ = syscall.Kill(-pgid, syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(grace):
		_ = syscall.Kill(-pgid, syscall.SIGKILL)
		<-p.done
	}
	// The leader is reaped, but forked members of its group could survive it.
	// Signal 0 probes the group without affecting it.
	deadline := time.Now().Add(5 * time.Second)
	for {
		err := syscall.Kill(-pgid, 0)
		if errors.Is(err, syscall.ESRCH) {
			return nil
		}
		if time.Now().After(deadline) {
			_ = syscall.Kill(-pgid, syscall.SIGKILL)
			return fmt.Errorf("%s: processes left over in group %d after stop", p.name, pgid)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// tail returns the last n lines of the process log, for failure messages.
func (p *process) tail(n int) string {
	f, err := os.Open(p.logPath)
	if err != nil {
		return fmt.Sprintf("(cannot read %s: %v)", p.logPath, err)
	}
	defer f.Close()
	var lines []string
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	for sc.Scan() {
		lines = append(lines, sc.Text())
		if len(lines) > n {
			lines = lines[1:]
		}
	}
	return fmt.Sprintf("--- last %d lines of %s ---\n%s\n", len(lines), p.logPath, strings.Join(lines, "\n"))
}
