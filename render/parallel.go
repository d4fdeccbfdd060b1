package render

import (
	"runtime"
	"sync"
)

// maxWorkers bounds the goroutines of inOrder.
const maxWorkers = 4

// inOrder runs job(0) ... job(n-1) on up to GOMAXPROCS goroutines (at most
// maxWorkers, with at most twice as many results waiting) and hands each
// result to done in order of i, on the calling goroutine. It stops at the
// first error, in that order, as a loop would.
func inOrder[T any](n int, job func(i int) (T, error), done func(T) error) error {
	workers := min(runtime.GOMAXPROCS(0), maxWorkers, n)
	if workers < 2 {
		for i := range n {
			v, err := job(i)
			if err == nil {
				err = done(v)
			}
			if err != nil {
				return err
			}
		}
		return nil
	}
	type result struct {
		v   T
		err error
	}
	results := make([]chan result, n)
	for i := range results {
		results[i] = make(chan result, 1)
	}
	slots := make(chan struct{}, 2*workers) // results being made or waiting
	indices := make(chan int)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for i := range indices {
				v, err := job(i)
				results[i] <- result{v, err}
			}
		})
	}
	go func() {
		defer close(indices)
		for i := range n {
			select {
			case slots <- struct{}{}:
			case <-stop:
				return
			}
			select {
			case indices <- i:
			case <-stop:
				return
			}
		}
	}()
	var err error
	for i := range n {
		r := <-results[i]
		<-slots
		if err = r.err; err == nil {
			err = done(r.v)
		}
		if err != nil {
			break
		}
	}
	close(stop)
	wg.Wait()
	return err
}

// batches is how many batches of size make n.
func batches(n, size int) int { return (n + size - 1) / size }

// batch is the range of batch b of size in [0, n).
func batch(b, size, n int) (int, int) { return b * size, min((b+1)*size, n) }
