package timesync

import (
	"errors"
	"fmt"
	"time"
)

// KernelClock is what the operating system says about its own clock.
type KernelClock struct {
	Known        bool          // false where the platform has no way to ask
	Synchronised bool          // the kernel believes an NTP daemon keeps the clock right
	MaxError     time.Duration // the kernel's bound on the clock's error
}

// unsyncedError is the maximum error at which the kernel (like ntpd) gives
// up on the clock and marks it unsynchronised.
const unsyncedError = 16 * time.Second

// ErrUnsynchronised is wrapped by KernelClock.Err when the kernel reports
// its clock unsynchronised.
var ErrUnsynchronised = errors.New("system clock not synchronised")

// Err is what the interface's header warns of when the kernel reports its
// clock unsynchronised (wrapping ErrUnsynchronised), or nil when it does
// not (or can't be asked).
func (k KernelClock) Err() error {
	if !k.Known || k.Synchronised {
		return nil
	}
	return fmt.Errorf("%w (error up to %s)", ErrUnsynchronised, k.MaxError.Round(time.Millisecond))
}
