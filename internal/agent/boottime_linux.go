package agent

import (
	"time"

	"golang.org/x/sys/unix"
)

// suspendCountingClock returns a monotonic clock that counts the time the
// machine was suspended: CLOCK_BOOTTIME, the time since boot (what
// /proc/uptime shows). Go's own monotonic clock is CLOCK_MONOTONIC, which
// stops during a suspend.
func suspendCountingClock() func() time.Duration {
	var ts unix.Timespec
	if unix.ClockGettime(unix.CLOCK_BOOTTIME, &ts) != nil {
		return nil // before Linux 2.6.39
	}
	return func() time.Duration {
		var ts unix.Timespec
		unix.ClockGettime(unix.CLOCK_BOOTTIME, &ts)
		return time.Duration(ts.Nano())
	}
}
