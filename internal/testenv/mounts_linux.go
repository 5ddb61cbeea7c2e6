package testenv

import (
	"errors"
	"fmt"
	"os"
	"syscall"
	"testing"
)

// File systems that refuse writes, for the tests of what vmfa does when it
// can't write: real mounts, which refuse root too (chmod does not, and the
// tests run as root in CI). Making them needs CAP_SYS_ADMIN; where it is
// missing the test skips, and fails under CI.

// ReadOnly makes dir read-only until the test ends: a read-only bind mount
// of dir on itself, which every process sees, root's included.
func ReadOnly(t testing.TB, dir string) {
	t.Helper()
	mount(t, dir, dir, "", syscall.MS_BIND, "")
	if err := syscall.Mount("", dir, "", syscall.MS_REMOUNT|syscall.MS_BIND|syscall.MS_RDONLY, ""); err != nil {
		Skip(t, "can't make %s read-only: %v", dir, err)
	}
}

// SmallFileSystem mounts at dir, which must exist and be empty, a tmpfs of
// size bytes, 0700, until the test ends: one that the test can fill.
func SmallFileSystem(t testing.TB, dir string, size int) {
	t.Helper()
	mount(t, "tmpfs", dir, "tmpfs", 0, fmt.Sprintf("size=%d,mode=0700,uid=%d,gid=%d", size, os.Getuid(), os.Getgid()))
}

// Fill writes to path until the file system refuses for want of space.
func Fill(t testing.TB, path string) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	block := make([]byte, 4096)
	for {
		if _, err := f.Write(block); err != nil {
			if !errors.Is(err, syscall.ENOSPC) {
				t.Fatalf("filling %s: %v", path, err)
			}
			return
		}
	}
}

// mount mounts source at target, and unmounts it when the test ends.
func mount(t testing.TB, source, target, fstype string, flags uintptr, data string) {
	t.Helper()
	if err := syscall.Mount(source, target, fstype, flags, data); err != nil {
		Skip(t, "can't mount on %s (as uid %d): %v", target, os.Getuid(), err)
	}
	t.Cleanup(func() {
		if err := syscall.Unmount(target, syscall.MNT_DETACH); err != nil {
			t.Errorf("unmounting %s: %v", target, err)
		}
	})
}
