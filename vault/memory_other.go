//go:build !linux

package vault

// probeMemory can't tell outside Linux: there is no /proc to learn what
// the process has mapped, and macOS does not enforce RLIMIT_AS.
func probeMemory() (uint64, string) { return ^uint64(0), "" }
