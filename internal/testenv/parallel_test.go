package testenv

import (
	"fmt"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// TestTurn: no more tests than there are turns hold one at once, the
// others wait for a turn to end; a subtest that asks for a turn while its
// parent holds one fails at once, where it would wait forever.
func TestTurn(t *testing.T) {
	saved := turns
	turns = make(chan struct{}, 1) // fewer than go test's own limit, 2 or more
	t.Cleanup(func() { turns = saved })

	var holding, most atomic.Int32
	t.Run("tests", func(t *testing.T) {
		for i := range 4 {
			t.Run(strconv.Itoa(i), func(t *testing.T) {
				t.Parallel()
				Turn(t)
				n := holding.Add(1)
				for m := most.Load(); n > m && !most.CompareAndSwap(m, n); m = most.Load() {
				}
				time.Sleep(20 * time.Millisecond)
				holding.Add(-1)
			})
		}
	})
	if most.Load() != 1 {
		t.Errorf("%d tests held a turn at once, with 1 turn", most.Load())
	}

	t.Run("parent", func(t *testing.T) {
		Turn(t)
		sub := &fatalRecorder{TB: t, name: t.Name() + "/sub"}
		done := make(chan struct{})
		go func() {
			defer close(done)
			Turn(sub)
		}()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			t.Fatal("a subtest of a test that holds the only turn waits for it")
		}
		if !strings.Contains(sub.fatal, "TestTurn/parent holds a turn its subtest TestTurn/parent/sub would wait for") {
			t.Errorf("the subtest failed with %q", sub.fatal)
		}
	})
}

// fatalRecorder is a test named name whose Fatalf ends the goroutine, as
// testing's does, and keeps the message.
type fatalRecorder struct {
	testing.TB
	name, fatal string
}

func (r *fatalRecorder) Name() string { return r.name }
func (r *fatalRecorder) Helper()      {}
func (r *fatalRecorder) Fatalf(format string, args ...any) {
	r.fatal = fmt.Sprintf(format, args...)
	runtime.Goexit()
}
