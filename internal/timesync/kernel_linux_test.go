package timesync

import (
	"errors"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

func TestKernelClock(t *testing.T) {
	if k := Kernel(); !k.Known || k.MaxError < 0 {
		t.Errorf("adjtimex on Linux: %+v", k)
	}
	tests := []struct {
		state          int
		status, maxErr int64
		synced         bool
	}{
		{unix.TIME_OK, unix.STA_PLL, 25_000, true},
		{unix.TIME_ERROR, unix.STA_UNSYNC, 16_000_000, false}, // as in a container on an unsynchronised host
		{unix.TIME_OK, unix.STA_UNSYNC, 500, false},
		{unix.TIME_OK, unix.STA_PLL, 16_000_000, false},
		{unix.TIME_ERROR, 0, 500, false},
	}
	for _, tt := range tests {
		k := kernelClock(tt.state, tt.status, tt.maxErr)
		if k.Synchronised != tt.synced || !k.Known || k.MaxError != time.Duration(tt.maxErr)*time.Microsecond {
			t.Errorf("%+v: %+v", tt, k)
		}
		if err := k.Err(); (err == nil) != tt.synced || (err != nil && !errors.Is(err, ErrUnsynchronised)) {
			t.Errorf("%+v: %v", tt, err)
		}
	}
	if err := kernelClock(unix.TIME_ERROR, unix.STA_UNSYNC, 16_000_000).Err(); err == nil || err.Error() != "system clock not synchronised (error up to 16s)" {
		t.Errorf("warning %v", err)
	}
	if err := (KernelClock{}).Err(); err != nil {
		t.Errorf("unknown: %v", err)
	}
}
