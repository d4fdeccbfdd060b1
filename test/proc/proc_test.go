package proc

import (
	"context"
	"errors"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

func start(t *testing.T, script string) *Process {
	t.Helper()
	p, err := Start("sh", filepath.Join(t.TempDir(), "sh.log"), []string{"PATH=" + os.Getenv("PATH")}, "/bin/sh", "-c", script)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = p.Stop(time.Second) })
	return p
}

func TestStopEndsTheWholeGroup(t *testing.T) {
	for _, tc := range []struct{ name, script string }{
		{"forked children", "sleep 60 & sleep 60 & wait"},
		{"SIGTERM ignored, so SIGKILL", `trap "" TERM; while :; do sleep 0.1; done`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := start(t, tc.script)
			time.Sleep(200 * time.Millisecond) // let the children start
			if err := p.Stop(300 * time.Millisecond); err != nil {
				t.Fatal(err)
			}
			if err := syscall.Kill(-p.cmd.Process.Pid, 0); !errors.Is(err, syscall.ESRCH) {
				t.Fatalf("process group still there after Stop: %v", err)
			}
		})
	}
}

func TestWaitFor(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	free, err := FreePort()
	if err != nil {
		t.Fatal(err)
	}
	never := func() error { return errors.New("not yet") }
	for _, tc := range []struct {
		name, script string
		check        func() error
		want         string // in the error; "" for success
	}{
		{"ready", "sleep 60", Dialable("tcp", l.Addr().String()), ""},
		{"never ready", "sleep 60", Dialable("tcp", "127.0.0.1:"+strconv.Itoa(free)), "sh not ready after"},
		{"exits first", "echo boom; exit 3", never, "sh exited unexpectedly: exit status 3"},
		{"exits 0 first", "true", never, "sh exited unexpectedly with status 0"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := start(t, tc.script)
			err := p.WaitFor(context.Background(), time.Second, tc.check)
			switch {
			case tc.want == "" && err != nil:
				t.Fatal(err)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
				t.Fatalf("error %v, want one containing %q", err, tc.want)
			}
		})
	}
}

func TestTailKeepsTheLastLines(t *testing.T) {
	p := start(t, "for i in 1 2 3 4 5; do echo line$i; done")
	<-p.done
	got := p.Tail(2)
	if !strings.HasSuffix(got, "line4\nline5\n") || strings.Contains(got, "line3") {
		t.Fatalf("Tail(2) = %q", got)
	}
}
