package vault

import (
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

// TestProbeMemory reads the limits from files laid out as in /proc and /sys:
// the tightest is the one named, and what is no limit (cgroup v2's "max",
// cgroup v1's 2^63, a kernel without MemAvailable) is not taken for one.
func TestProbeMemory(t *testing.T) {
	const MiB = 1 << 20
	meminfo := map[string]string{"proc/meminfo": "MemTotal:        1048576 kB\nMemFree:          102400 kB\nMemAvailable:     819200 kB\n"}
	// with is meminfo and files.
	with := func(files ...map[string]string) map[string]string {
		out := map[string]string{}
		for _, m := range append(files, meminfo) {
			for k, v := range m {
				out[k] = v
			}
		}
		return out
	}
	const (
		available = "the memory available"
		cgroup    = "the memory limit of this cgroup (container)"
		v2        = "sys/fs/cgroup/user.slice/vmfa.scope/"
		v1        = "sys/fs/cgroup/memory/docker/0123abcd/"
	)
	inV2 := map[string]string{"proc/self/cgroup": "0::/user.slice/vmfa.scope\n"}
	inV1 := map[string]string{"proc/self/cgroup": "not a cgroup line\n12:pids:/docker/0123abcd\n4:memory:/docker/0123abcd\n0::/\n"}
	for _, c := range []struct {
		name  string
		files map[string]string
		avail uint64
		what  string
	}{
		{"only the memory available", meminfo, 800 * MiB, available},
		{"a kernel without MemAvailable (before 3.14) tells nothing",
			map[string]string{"proc/meminfo": "MemTotal:        1048576 kB\nMemFree:          102400 kB\n"}, ^uint64(0), ""},
		{"cgroup v2: its limit less what it uses",
			with(inV2, map[string]string{v2 + "memory.max": "536870912\n", v2 + "memory.current": "134217728\n"}), 384 * MiB, cgroup},
		{"cgroup v2 using more than its limit leaves nothing",
			with(inV2, map[string]string{v2 + "memory.max": "536870912\n", v2 + "memory.current": "600000000\n"}), 0, cgroup},
		{"cgroup v2 without a limit",
			with(inV2, map[string]string{v2 + "memory.max": "max\n", v2 + "memory.current": "134217728\n"}), 800 * MiB, available},
		{"cgroup v2 without the memory controller", with(inV2, nil), 800 * MiB, available},
		{"cgroup v2 whose limit is looser than the memory available",
			with(inV2, map[string]string{v2 + "memory.max": "2147483648\n", v2 + "memory.current": "134217728\n"}), 800 * MiB, available},
		{"cgroup v1: its limit less what it uses",
			with(inV1, map[string]string{v1 + "memory.limit_in_bytes": "268435456\n", v1 + "memory.usage_in_bytes": "67108864\n"}), 192 * MiB, cgroup},
		{"cgroup v1 without a limit (2^63 rounded down to a page)",
			with(inV1, map[string]string{v1 + "memory.limit_in_bytes": "9223372036854771712\n", v1 + "memory.usage_in_bytes": "67108864\n"}), 800 * MiB, available},
		{"a limit of 2^62 bytes is as good as none",
			map[string]string{"proc/self/cgroup": inV2["proc/self/cgroup"], v2 + "memory.max": "4611686018427387904\n", v2 + "memory.current": "134217728\n"}, ^uint64(0), ""},
	} {
		root := t.TempDir()
		for name, text := range c.files {
			path := filepath.Join(root, name)
			if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
				t.Fatal(err)
			}
		}
		if avail, what := probeMemoryIn(root); avail != c.avail || what != c.what {
			t.Errorf("%s: %d MiB (%s), want %d MiB (%s)", c.name, avail/MiB, what, c.avail/MiB, c.what)
		}
	}
	// An address-space limit of 2^62 bytes is as good as none too. Only the
	// soft limit is lowered, and the hard one stays to raise it back.
	var lim unix.Rlimit
	if err := unix.Getrlimit(unix.RLIMIT_AS, &lim); err != nil {
		t.Fatal(err)
	}
	if lim.Max >= unlimited {
		defer unix.Setrlimit(unix.RLIMIT_AS, &lim)
		if err := unix.Setrlimit(unix.RLIMIT_AS, &unix.Rlimit{Cur: unlimited, Max: lim.Max}); err != nil {
			t.Fatal(err)
		}
		if avail, what := probeMemoryIn(t.TempDir()); avail != ^uint64(0) || what != "" {
			t.Errorf("ulimit -v of 2^62 bytes: %d MiB (%s), want no limit", avail/MiB, what)
		}
	}
}

// TestCreateUnderUlimit: under 'ulimit -v', creating a vault at a work
// factor that needs more than the limit leaves is refused in one line naming
// the limit and what it leaves, which is the limit less what is mapped
// already. The test lowers its own limit for the moment it takes.
func TestCreateUnderUlimit(t *testing.T) {
	const room = 256 << 20
	var old unix.Rlimit
	if err := unix.Getrlimit(unix.RLIMIT_AS, &old); err != nil {
		t.Fatal(err)
	}
	mapped := procKiB("/proc/self/status", "VmSize:") << 10
	if mapped == 0 || old.Cur < mapped+room {
		t.Fatalf("mapped %d bytes under a limit of %d: no room for this test", mapped, old.Cur)
	}
	if err := unix.Setrlimit(unix.RLIMIT_AS, &unix.Rlimit{Cur: mapped + room, Max: old.Max}); err != nil {
		t.Fatal(err)
	}
	_, err := Open(filepath.Join(t.TempDir(), "vmfa")).Create(testPassphrase, 19) // 512 MiB
	if err := unix.Setrlimit(unix.RLIMIT_AS, &old); err != nil {
		t.Fatal(err)
	}

	if !errors.Is(err, ErrNotEnoughMemory) || !strings.Contains(err.Error(), "(ulimit -v) leaves ") {
		t.Fatalf("Create at 19 with %d MiB of address space left: %v; want a refusal naming ulimit -v", room>>20, err)
	}
	m := regexp.MustCompile(`leaves (\d+) MiB`).FindStringSubmatch(err.Error())
	if m == nil {
		t.Fatalf("%q does not say how many MiB are left", err)
	}
	// What the process maps grows a little between the two readings.
	if left, _ := strconv.Atoi(m[1]); left > room>>20 || left < room>>21 {
		t.Errorf("%q: want about %d MiB left", err, room>>20)
	}
}
