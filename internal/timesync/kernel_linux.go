package timesync

import (
	"time"

	"golang.org/x/sys/unix"
)

// Kernel asks Linux, with adjtimex(2) in read-only mode (no privilege
// needed), whether it considers the system clock synchronised.
func Kernel() KernelClock {
	var tx unix.Timex // Modes 0: read, change nothing
	state, err := unix.Adjtimex(&tx)
	if err != nil {
		return KernelClock{} // e.g. a seccomp filter refused the call
	}
	return kernelClock(state, int64(tx.Status), int64(tx.Maxerror))
}

// kernelClock reads adjtimex's answer: the clock state, the status bits and
// the maximum error in microseconds.
func kernelClock(state int, status, maxErrorMicros int64) KernelClock {
	maxError := time.Duration(maxErrorMicros) * time.Microsecond
	synced := state != unix.TIME_ERROR && status&unix.STA_UNSYNC == 0 && maxError < unsyncedError
	return KernelClock{Known: true, Synchronised: synced, MaxError: maxError}
}
