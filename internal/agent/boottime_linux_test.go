package agent

import (
	"os"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestSystemClockCountsSuspend: on Linux the agent's monotonic clock is
// CLOCK_BOOTTIME, the time since boot suspends included, which is what
// /proc/uptime shows; Go's (CLOCK_MONOTONIC) leaves suspends out.
func TestSystemClockCountsSuspend(t *testing.T) {
	mono := SystemClock().Mono()
	b, err := os.ReadFile("/proc/uptime")
	if err != nil {
		t.Skip(err)
	}
	secs, err := strconv.ParseFloat(strings.Fields(string(b))[0], 64)
	if err != nil {
		t.Fatal(err)
	}
	uptime := time.Duration(secs * float64(time.Second))
	if d := (mono - uptime).Abs(); d > time.Second {
		t.Fatalf("Mono() = %v, /proc/uptime %v: not the time since boot", mono, uptime)
	}
}
