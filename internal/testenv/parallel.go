package testenv

import (
	"flag"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// Parallel lets n tests that call Turn run at once, n being -parallel's
// value when go test was given it: for a package whose tests mostly wait
// (on a TOTP window, a clipboard clear, another process), where go test's
// default of one per CPU leaves the CPUs idle. Without -parallel, go
// test's own limit is lifted, so that a test that calls t.Parallel and not
// Turn starts at once: one that waits for windows most of its time then
// waits beside the others' work, not after it (go test starts parallel
// tests in no order it promises). TestMain calls Parallel before m.Run.
func Parallel(n int) {
	flag.Parse()
	given := false
	flag.Visit(func(f *flag.Flag) { given = given || f.Name == "test.parallel" })
	if given {
		n, _ = strconv.Atoi(flag.Lookup("test.parallel").Value.String())
	} else {
		flag.Set("test.parallel", "1000")
	}
	turns = make(chan struct{}, max(n, 1))
}

var (
	turns chan struct{} // a token for each test that has its turn (Turn)
	// turnHolders names the tests that have a turn: a subtest that asks
	// for one while its parent holds one (until the subtests end) could
	// wait forever.
	turnHolders sync.Map
)

// Turn waits until fewer than Parallel's n tests have a turn, and gives t
// one until it ends. A parallel test calls it after t.Parallel; a test
// whose subtests call it must not. Without Parallel, it does nothing.
func Turn(t testing.TB) {
	t.Helper()
	if turns == nil {
		return
	}
	for parent := t.Name(); strings.Contains(parent, "/"); {
		parent = parent[:strings.LastIndex(parent, "/")]
		if _, ok := turnHolders.Load(parent); ok {
			t.Fatalf("testenv.Turn: %s holds a turn its subtest %s would wait for: %s should call t.Parallel alone", parent, t.Name(), parent)
		}
	}
	turns <- struct{}{}
	turnHolders.Store(t.Name(), true)
	t.Cleanup(func() {
		turnHolders.Delete(t.Name())
		<-turns
	})
}
