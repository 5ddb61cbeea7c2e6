package timesync

import (
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

// Warning is what the interface's header says when the kernel reports its
// clock unsynchronised, or "" when it does not (or can't be asked).
func (k KernelClock) Warning() string {
	if !k.Known || k.Synchronised {
		return ""
	}
	return fmt.Sprintf("system clock not synchronised (error up to %s): check codes with 'vmfa time'", k.MaxError.Round(time.Millisecond))
}
