//go:build !linux

package testenv

import "testing"

// ReadOnly skips: only Linux's mounts are made here.
func ReadOnly(t testing.TB, dir string) { Skip(t, "read-only mounts are made on Linux only") }

// SmallFileSystem skips: only Linux's mounts are made here.
func SmallFileSystem(t testing.TB, dir string, size int) {
	Skip(t, "small file systems are mounted on Linux only")
}

// Fill is never reached where SmallFileSystem skips.
func Fill(t testing.TB, path string) { Skip(t, "no small file system to fill") }
