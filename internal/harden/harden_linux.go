package harden

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// undumpable stops the kernel from dumping the process, even to a crash
// handler that ignores RLIMIT_CORE, and other processes from attaching.
func undumpable() error {
	return unix.Prctl(unix.PR_SET_DUMPABLE, 0, 0, 0, 0)
}

// lockMemory locks all memory if the process may, or returns a note if it
// may not and there is swap on disk.
func lockMemory() string {
	var lim unix.Rlimit
	if err := unix.Getrlimit(unix.RLIMIT_MEMLOCK, &lim); err != nil {
		return ""
	}
	if canLockAll(lim) {
		// MCL_ONFAULT locks pages as they are touched, rather than
		// faulting in all the address space Go reserves; kernels before
		// 4.4 don't know it.
		err := unix.Mlockall(unix.MCL_CURRENT | unix.MCL_FUTURE | unix.MCL_ONFAULT)
		if errors.Is(err, unix.EINVAL) {
			err = unix.Mlockall(unix.MCL_CURRENT | unix.MCL_FUTURE)
		}
		if err == nil {
			return ""
		}
	}
	f, err := os.Open("/proc/swaps")
	if err != nil {
		return ""
	}
	defer f.Close()
	return swapNote(lim, f)
}

// canLockAll reports whether the process may lock memory without limit.
func canLockAll(lim unix.Rlimit) bool {
	return lim.Cur == unix.RLIM_INFINITY || hasCapability(unix.CAP_IPC_LOCK)
}

// hasCapability reports whether capability c is in the process's effective
// set, from /proc/self/status.
func hasCapability(c int) bool {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return false
	}
	for line := range bytes.Lines(b) {
		if v, ok := bytes.CutPrefix(line, []byte("CapEff:")); ok {
			caps, err := strconv.ParseUint(string(bytes.TrimSpace(v)), 16, 64)
			return err == nil && caps&(1<<c) != 0
		}
	}
	return false
}

// swapNote returns the note for memory that is not locked, given the
// memlock limit and the contents of /proc/swaps: none if no swap is on, or
// only zram, which compresses pages in memory and never writes them out.
func swapNote(lim unix.Rlimit, swaps io.Reader) string {
	sc := bufio.NewScanner(swaps)
	sc.Scan() // the header
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) > 0 && !strings.HasPrefix(f[0], "/dev/zram") {
			return fmt.Sprintf("memory is not locked (memlock limit %s) and swap is on, so secrets could be paged out to disk: raise the limit ('ulimit -l unlimited', LimitMEMLOCK=infinity) or encrypt swap",
				kib(lim.Cur))
		}
	}
	return ""
}

func kib(n uint64) string {
	switch {
	case n == unix.RLIM_INFINITY:
		return "unlimited"
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	}
	return fmt.Sprintf("%d KiB", n>>10)
}
