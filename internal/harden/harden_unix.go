//go:build unix

package harden

import "golang.org/x/sys/unix"

// noCoreDumps sets the core limit to 0, hard limit too, and makes the
// process undumpable where there is a way.
func noCoreDumps() error {
	if err := unix.Setrlimit(unix.RLIMIT_CORE, &unix.Rlimit{Cur: 0, Max: 0}); err != nil {
		return err
	}
	return undumpable()
}
