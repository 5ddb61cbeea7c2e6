//go:build unix && !linux

package agent

import "time"

// suspendCountingClock returns nil: Go's monotonic clock is the agent's,
// and the wall clock counts a suspend (Server.expire).
func suspendCountingClock() func() time.Duration { return nil }
