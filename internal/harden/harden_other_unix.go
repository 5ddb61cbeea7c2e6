//go:build unix && !linux

package harden

// undumpable has nothing to add to the core limit here.
func undumpable() error { return nil }

// lockMemory locks nothing here: macOS encrypts swap, and the BSDs' limits
// make locking all memory as unsafe for Go as on Linux.
func lockMemory() string { return "" }
