package vault

import (
	"bufio"
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// unlimited is where a limit stops meaning anything: RLIM_INFINITY differs
// between systems, and cgroup v1 reports "no limit" as 2^63 rounded down to
// a page.
const unlimited = 1 << 62

// probeMemory finds the tightest of the address-space limit (less what the
// process has mapped already: Go reserves address space up front), the
// memory the kernel reports available, and a cgroup's memory limit (less
// what the cgroup uses).
func probeMemory() (avail uint64, what string) { return probeMemoryIn("/") }

// probeMemoryIn is probeMemory reading /proc and /sys under root, which tests
// fill with files of their own; the address-space limit is the process's.
func probeMemoryIn(root string) (avail uint64, what string) {
	avail = ^uint64(0)
	consider := func(n uint64, why string) {
		if n < avail {
			avail, what = n, why
		}
	}
	var lim unix.Rlimit
	if unix.Getrlimit(unix.RLIMIT_AS, &lim) == nil && lim.Cur < unlimited {
		used := procKiB(filepath.Join(root, "proc/self/status"), "VmSize:") << 10
		consider(lim.Cur-min(used, lim.Cur), "the address-space limit (ulimit -v)")
	}
	if n := procKiB(filepath.Join(root, "proc/meminfo"), "MemAvailable:"); n > 0 {
		consider(n<<10, "the memory available")
	}
	if max, cur, ok := cgroupMemory(root); ok {
		consider(max-min(cur, max), "the memory limit of this cgroup (container)")
	}
	return avail, what
}

// procKiB reads the "NAME: N kB" line of a /proc file, or returns 0.
func procKiB(path, name string) uint64 {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0
	}
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), name); ok {
			n, _ := strconv.ParseUint(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return n
		}
	}
	return 0
}

// cgroupMemory returns the memory limit of the process's cgroup and what it
// uses, from cgroup v2 or v1; ok is false without a limit.
func cgroupMemory(root string) (max, cur uint64, ok bool) {
	b, err := os.ReadFile(filepath.Join(root, "proc/self/cgroup"))
	if err != nil {
		return 0, 0, false
	}
	read := func(path string) uint64 {
		b, _ := os.ReadFile(path)
		n, err := strconv.ParseUint(strings.TrimSpace(string(b)), 10, 64)
		if err != nil {
			return 0 // also "max", cgroup v2's no limit
		}
		return n
	}
	for line := range strings.SplitSeq(strings.TrimSpace(string(b)), "\n") {
		f := strings.SplitN(line, ":", 3)
		if len(f) != 3 {
			continue
		}
		switch {
		case f[0] == "0" && f[1] == "":
			dir := filepath.Join(root, "sys/fs/cgroup", f[2])
			max, cur = read(filepath.Join(dir, "memory.max")), read(filepath.Join(dir, "memory.current"))
		case strings.Contains(","+f[1]+",", ",memory,"):
			dir := filepath.Join(root, "sys/fs/cgroup/memory", f[2])
			max, cur = read(filepath.Join(dir, "memory.limit_in_bytes")), read(filepath.Join(dir, "memory.usage_in_bytes"))
		default:
			continue
		}
		if max > 0 && max < unlimited {
			return max, cur, true
		}
	}
	return 0, 0, false
}
