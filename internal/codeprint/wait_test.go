package codeprint

import (
	"io"
	"testing"
	"time"
)

// TestWaitFreshSleptThrough: a wait the computer sleeps through (the wall
// clock jumps, the monotonic clock a sleep runs on does not) reports that the
// fresh code's window has closed, at once, rather than waiting out the rest
// and printing a code no longer good; a wait that is not slept through
// reports the window open.
func TestWaitFreshSleptThrough(t *testing.T) {
	defer func(n func() time.Time, s func(time.Duration)) { wallNow, sleep = n, s }(wallNow, sleep)
	wall := time.Now().Round(0)
	wallNow = func() time.Time { return wall }
	slept := 0
	sleep = func(d time.Duration) {
		slept++
		wall = wall.Add(d)
		if slept == 1 {
			wall = wall.Add(10 * time.Minute) // a suspend
		}
	}
	if WaitFresh(5*time.Second, 30*time.Second, io.Discard) {
		t.Fatal("a wait slept through for 10 min reports a 30 s window still open")
	}
	if slept != 1 {
		t.Fatalf("slept %d times after the suspend, want 1: it waited out the rest", slept)
	}
	wall = time.Now().Round(0)
	sleep = func(d time.Duration) { wall = wall.Add(d); time.Sleep(d) }
	if !WaitFresh(20*time.Millisecond, 30*time.Second, io.Discard) {
		t.Fatal("a wait not slept through reports the window closed")
	}
}
