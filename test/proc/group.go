package proc

import (
	"errors"
	"path/filepath"
	"strings"
	"time"
)

// Group is the processes of one harness, started in order and stopped in
// the reverse order (a client before the server it talks to), each with
// its log in Dir.
type Group struct {
	Dir   string
	procs []*Process
}

// Start starts a member of the group, logging to Dir/name.log.
func (g *Group) Start(name string, env []string, bin string, args ...string) (*Process, error) {
	p, err := Start(name, filepath.Join(g.Dir, name+".log"), env, bin, args...)
	if err != nil {
		return nil, err
	}
	g.procs = append(g.procs, p)
	return p, nil
}

// Stop ends every member, last started first, and reports any whose
// process group outlived it.
func (g *Group) Stop(grace time.Duration) error {
	var errs []error
	for i := len(g.procs) - 1; i >= 0; i-- {
		errs = append(errs, g.procs[i].Stop(grace))
	}
	g.procs = nil
	return errors.Join(errs...)
}

// Exited names the first member that is no longer running, if any: a
// harness checks it while it waits, so a crashed server fails the test
// with its log instead of a timeout.
func (g *Group) Exited() error {
	for _, p := range g.procs {
		if dead, err := p.Exited(); dead {
			return errors.Join(err, errors.New(p.Tail(logTailLines)))
		}
	}
	return nil
}

// Logs tails every member's log, for a failure message.
func (g *Group) Logs() string {
	var b strings.Builder
	for _, p := range g.procs {
		b.WriteString(p.Tail(logTailLines))
	}
	return b.String()
}

// logTailLines is how much of a log a failure shows.
const logTailLines = 40
