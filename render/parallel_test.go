package render

import (
	"errors"
	"fmt"
	"runtime"
	"sync/atomic"
	"testing"
	"time"
)

// TestInOrder: results arrive in order whatever order jobs finish in;
// the first error in that order is the one returned, after the results
// before it and none after.
func TestInOrder(t *testing.T) {
	if runtime.GOMAXPROCS(0) < 2 {
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(2))
	}
	slow := func(i int) { time.Sleep(time.Duration((i*7)%5) * time.Millisecond) }
	var got []int
	err := inOrder(50, func(i int) (int, error) { slow(i); return i, nil }, func(i int) error { got = append(got, i); return nil })
	if err != nil || len(got) != 50 {
		t.Fatalf("%v, %d results", err, len(got))
	}
	for i, v := range got {
		if v != i {
			t.Fatalf("result %d is %d: %v", i, v, got)
		}
	}

	got = nil
	var started atomic.Int32
	err = inOrder(1000, func(i int) (int, error) {
		started.Add(1)
		slow(i)
		if i == 13 || i == 17 {
			return 0, fmt.Errorf("job %d", i)
		}
		return i, nil
	}, func(i int) error { got = append(got, i); return nil })
	if err == nil || err.Error() != "job 13" || len(got) != 13 {
		t.Fatalf("error %v after %d results", err, len(got))
	}
	if n := started.Load(); n > 13+1+2*maxWorkers {
		t.Errorf("%d jobs started after the error", n)
	}

	stop := errors.New("done fails")
	got = nil
	err = inOrder(100, func(i int) (int, error) { return i, nil }, func(i int) error {
		if i == 5 {
			return stop
		}
		got = append(got, i)
		return nil
	})
	if err != stop || len(got) != 5 {
		t.Fatalf("error %v after %d results", err, len(got))
	}
}
