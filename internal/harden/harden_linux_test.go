package harden

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/vmfa/vmfa/internal/testenv"
)

// TestMain lets the tests re-execute the test binary as a process to harden
// and crash.
func TestMain(m *testing.M) {
	if mode := os.Getenv("HARDEN_TEST_CHILD"); mode != "" {
		os.Exit(child(mode))
	}
	os.Exit(m.Run())
}

// child raises its core limit as far as it may, as a user with "ulimit -c
// unlimited" would have it, hardens itself unless mode is "control", reports
// its state on stdout and waits to be killed.
func child(mode string) int {
	var lim unix.Rlimit
	unix.Getrlimit(unix.RLIMIT_CORE, &lim)
	lim.Cur = lim.Max
	if err := unix.Setrlimit(unix.RLIMIT_CORE, &lim); err != nil {
		fmt.Println("error:", err)
		return 1
	}
	if mode != "control" {
		for _, n := range Process() {
			fmt.Println("note:", n)
		}
	}
	unix.Getrlimit(unix.RLIMIT_CORE, &lim)
	dumpable, _ := unix.PrctlRetInt(unix.PR_GET_DUMPABLE, 0, 0, 0, 0)
	// A secret on the heap, for the core to hold.
	secret := []byte(strings.Repeat("AGE-SECRET-KEY-1TESTTESTTEST", 2))
	fmt.Printf("core=%d dumpable=%d locked=%s rss=%s\n", lim.Cur, dumpable, statusField("VmLck"), statusField("VmRSS"))
	fmt.Println("ready")
	time.Sleep(time.Minute)
	fmt.Println(len(secret))
	return 0
}

// statusField returns a field of /proc/self/status, such as "VmLck".
func statusField(name string) string {
	b, _ := os.ReadFile("/proc/self/status")
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, name+":"); ok {
			return strings.Join(strings.Fields(v), "")
		}
	}
	return ""
}

type crash struct {
	state    string // what the child reported
	notes    []string
	coreDump bool // the kernel says it dumped core
	cores    []string
}

// crashChild starts a child in mode, sends it sig once it is ready, and
// reports what it said and whether it left a core.
func crashChild(t *testing.T, mode string, sig syscall.Signal) crash {
	t.Helper()
	dir := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	// GOTRACEBACK=crash makes the Go runtime abort, and so dump core, on
	// SIGQUIT, as a user debugging a hang would set it.
	cmd.Env = append(os.Environ(), "HARDEN_TEST_CHILD="+mode, "GOTRACEBACK=crash")
	cmd.Dir = dir
	cmd.Stderr = nil
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var c crash
	sc := bufio.NewScanner(stdout)
	for sc.Scan() && sc.Text() != "ready" {
		line := sc.Text()
		if n, ok := strings.CutPrefix(line, "note: "); ok {
			c.notes = append(c.notes, n)
		} else {
			c.state = line
		}
	}
	cmd.Process.Signal(sig)
	cmd.Wait()
	ws := cmd.ProcessState.Sys().(syscall.WaitStatus)
	if !ws.Signaled() {
		t.Fatalf("%s child was not killed by %v: %v (%s)", mode, sig, cmd.ProcessState, c.state)
	}
	c.coreDump = ws.CoreDump()
	c.cores, _ = filepath.Glob(filepath.Join(dir, "core*"))
	return c
}

// TestNoCoreDump crashes a hardened process with SIGQUIT and SIGABRT and
// finds no core dump, where the same process unhardened leaves one.
func TestNoCoreDump(t *testing.T) {
	control := crashChild(t, "control", syscall.SIGABRT)
	if !control.coreDump {
		pattern, _ := os.ReadFile("/proc/sys/kernel/core_pattern")
		testenv.Skip(t, "this machine dumps no core even unhardened (%s, core_pattern %q), so the test proves nothing", control.state, strings.TrimSpace(string(pattern)))
	}
	t.Logf("unhardened: %s, core dumped (%v)", control.state, control.cores)
	for _, sig := range []syscall.Signal{syscall.SIGQUIT, syscall.SIGABRT} {
		c := crashChild(t, "harden", sig)
		if !strings.HasPrefix(c.state, "core=0 dumpable=0 ") {
			t.Errorf("hardened child reports %q; want core=0 dumpable=0", c.state)
		}
		if c.coreDump || len(c.cores) > 0 {
			t.Errorf("hardened child dumped core on %v: %v", sig, c.cores)
		}
		t.Logf("hardened, %v: %s, notes %q", sig, c.state, c.notes)
	}
}

// TestMemoryLocked: where the process may lock all its memory (root, or an
// unlimited memlock limit), it does, so secrets never reach swap.
func TestMemoryLocked(t *testing.T) {
	c := crashChild(t, "harden", syscall.SIGKILL)
	var lim unix.Rlimit
	unix.Getrlimit(unix.RLIMIT_MEMLOCK, &lim)
	locked := strings.TrimSuffix(strings.Fields(strings.SplitN(c.state, "locked=", 2)[1])[0], "kB")
	kb, err := strconv.Atoi(locked)
	if err != nil {
		t.Fatalf("child state %q", c.state)
	}
	if canLockAll(lim) && kb == 0 {
		t.Errorf("the child may lock its memory but has %d kB locked", kb)
	}
	if !canLockAll(lim) && kb != 0 {
		t.Errorf("the child may not lock all its memory, yet has %d kB locked", kb)
	}
	t.Logf("memlock limit %d, %d kB locked, notes %q", lim.Cur, kb, c.notes)
}

// TestSwapNote: memory that can't be locked is worth a note only when there
// is a swap device on disk for it to reach.
func TestSwapNote(t *testing.T) {
	small := unix.Rlimit{Cur: 8 << 20, Max: 8 << 20}
	for _, tc := range []struct {
		swaps string
		note  bool
	}{
		{"Filename\tType\tSize\tUsed\tPriority\n", false},
		{"Filename\tType\tSize\tUsed\tPriority\n/dev/zram0 partition 4194300 0 100\n", false},
		{"Filename\tType\tSize\tUsed\tPriority\n/swap.img file 2097148 0 -2\n", true},
		{"Filename\tType\tSize\tUsed\tPriority\n/dev/zram0 partition 4194300 0 100\n/dev/sda2 partition 1000 0 -2\n", true},
	} {
		note := swapNote(small, strings.NewReader(tc.swaps))
		if (note != "") != tc.note {
			t.Errorf("swaps %q: note %q", tc.swaps, note)
		}
		if note != "" && (!strings.Contains(note, "8 MiB") || !strings.Contains(note, "ulimit -l") || strings.Contains(note, "\n")) {
			t.Errorf("note %q: want one line with the limit and the fix", note)
		}
	}
}
