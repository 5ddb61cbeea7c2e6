package testenv

import (
	"os"
	"os/exec"
	"runtime/debug"
	"syscall"
	"testing"
)

// RunMeasured is Run, and returns too the peak resident set size, in bytes,
// of the process cmd ran: its own, whatever the size of the test process.
//
// A child of a Go program starts in its parent's memory (vfork) and is
// charged, when it execs, the parent's peak size: a test process that once
// held a large image makes every program it starts later look as large.
// So the test process first gives its garbage back to the system and sets
// its own peak to its present size (clear_refs 5, Linux 4.0 on). That
// present size is still charged: a test that holds large buffers while
// another measures makes it look larger, so tests that do are not parallel.
func RunMeasured(t testing.TB, cmd *exec.Cmd, stdin string) (Result, int64) {
	t.Helper()
	debug.FreeOSMemory()
	if err := os.WriteFile("/proc/self/clear_refs", []byte("5"), 0); err != nil {
		Skip(t, "can't reset this process's peak memory, which its children would be charged: %v", err)
	}
	r := Run(t, cmd, stdin)
	return r, cmd.ProcessState.SysUsage().(*syscall.Rusage).Maxrss << 10
}
