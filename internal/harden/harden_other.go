//go:build !unix

package harden

// noCoreDumps has no equivalent here: Windows writes crash dumps only where
// Windows Error Reporting is set up to (LocalDumps).
func noCoreDumps() error { return nil }

func lockMemory() string { return "" }
