// Package proc runs the servers a test harness needs (etcd, kube-apiserver,
// redis-server, argocd-repo-server...) as child processes: each with its
// output in a log file to tail on failure, in a process group of its own
// that Stop ends completely.
package proc

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"time"
)

// Process is a child whose stdout and stderr go to one log file, so the log
// reads in order and can be tailed on failure.
type Process struct {
	Name    string
	cmd     *exec.Cmd
	logPath string
	done    chan struct{} // closed once Wait returned
	waitErr error         // valid after done is closed
}

// Start runs bin with args and exactly env, logging to logPath.
func Start(name, logPath string, env []string, bin string, args ...string) (*Process, error) {
	logFile, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(bin, args...)
	cmd.Env = env
	cmd.Stdout = logFile
	cmd.Stderr = logFile
	cmd.SysProcAttr = &syscall.SysProcAttr{
		// Own process group: Stop signals the whole group, so nothing the
		// child forks can outlive the test.
		Setpgid: true,
		// Backstop when the test binary dies without running cleanup
		// (go test -timeout panic, SIGKILL, Ctrl-C): the kernel kills the
		// child instead of leaving it running.
		Pdeathsig: syscall.SIGKILL,
	}
	if err := cmd.Start(); err != nil {
		logFile.Close()
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	p := &Process{Name: name, cmd: cmd, logPath: logPath, done: make(chan struct{})}
	go func() {
		p.waitErr = cmd.Wait()
		logFile.Close()
		close(p.done)
	}()
	return p, nil
}

// Exited reports whether the process has already terminated, with its error.
func (p *Process) Exited() (bool, error) {
	select {
	case <-p.done:
		if p.waitErr == nil {
			return true, fmt.Errorf("%s exited unexpectedly with status 0", p.Name)
		}
		return true, fmt.Errorf("%s exited unexpectedly: %w", p.Name, p.waitErr)
	default:
		return false, nil
	}
}

// Stop terminates the process group gracefully, escalates to SIGKILL after
// grace, and then verifies that no member of the group is left over.
func (p *Process) Stop(grace time.Duration) error {
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
			return fmt.Errorf("%s: processes left over in group %d after stop", p.Name, pgid)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// Tail returns the last n lines of the process log, for failure messages.
func (p *Process) Tail(n int) string {
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

// WaitFor polls check until it succeeds, the process dies, or timeout; the
// last check error is part of the failure so a hang is diagnosable.
func (p *Process) WaitFor(ctx context.Context, timeout time.Duration, check func() error) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	start := time.Now()
	for {
		lastErr := check()
		if lastErr == nil {
			return nil
		}
		if dead, err := p.Exited(); dead {
			return err
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%s not ready after %s: last error: %v", p.Name, time.Since(start).Round(time.Second), lastErr)
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// FreePort asks the kernel for an unused loopback port. Another process
// could take it before the child binds it; at test scale that is rare and
// shows up as a clear "address already in use" in the log tail.
func FreePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// Dialable returns a check that something accepts connections at addr
// (network "tcp" with host:port, or "unix" with a socket path).
func Dialable(network, addr string) func() error {
	return func() error {
		c, err := net.DialTimeout(network, addr, time.Second)
		if err != nil {
			return err
		}
		return c.Close()
	}
}
