//go:build unix

package vault

import (
	"bufio"
	"bytes"
	"errors"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// runHelper is the body of a helper process started by helperCmd. It reports
// on stdout, one line per event, and returns the exit code.
func runHelper(name string) int {
	dir := os.Getenv("VMFA_TEST_DIR")
	fail := func(err error) int {
		fmt.Println("error:", err)
		return 1
	}
	if name == "fulldisk" {
		// Writes past RLIMIT_FSIZE fail with EFBIG, as on a full disk,
		// once SIGXFSZ no longer kills the process.
		signal.Ignore(syscall.SIGXFSZ)
		limit, _ := strconv.ParseUint(os.Getenv("VMFA_TEST_FSIZE"), 10, 64)
		if err := syscall.Setrlimit(syscall.RLIMIT_FSIZE, &syscall.Rlimit{Cur: limit, Max: limit}); err != nil {
			return fail(err)
		}
	}
	if name == "merger" {
		return runMerger(dir, os.Getenv("VMFA_TEST_OTHER"))
	}
	if name == "create" {
		fmt.Println("ready")
		if _, err := Open(dir).Create(testPassphrase, testWorkFactor); err != nil {
			return fail(err)
		}
		fmt.Println("created")
		return 0
	}
	v, err := Open(dir).Unlock(testPassphrase)
	if err != nil {
		return fail(err)
	}
	first, _ := strconv.Atoi(os.Getenv("VMFA_TEST_FIRST"))
	count, _ := strconv.Atoi(os.Getenv("VMFA_TEST_COUNT"))
	fmt.Println("ready")
	for i := first; count == 0 || i < first+count; i++ {
		d, err := v.Update(func(d *Data) error {
			a := testAccount("Helper", "acct"+strconv.Itoa(i), uint64(i))
			e, err := d.Add(a, time.Now())
			if name == "fulldisk" {
				d.Accounts[d.Index(e.ID)].Note = strings.Repeat("n", maxNoteLen)
			}
			return err
		})
		if err != nil {
			return fail(err)
		}
		// The save is on disk when this line is written.
		fmt.Println(len(d.Accounts))
	}
	return 0
}

// helperCmd returns a command that runs this test binary as helper name on
// the vault in dir, adding accounts first, first+1, … (count of them, or
// until killed if count is 0).
func helperCmd(t *testing.T, name, dir string, first, count int, env ...string) *exec.Cmd {
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(),
		"VMFA_TEST_HELPER="+name,
		"VMFA_TEST_DIR="+dir,
		"VMFA_TEST_FIRST="+strconv.Itoa(first),
		"VMFA_TEST_COUNT="+strconv.Itoa(count))
	cmd.Env = append(cmd.Env, env...)
	cmd.Stderr = os.Stderr
	return cmd
}

// startHelper starts cmd, a helper (helperCmd), and returns the lines of
// its output once it has said "ready"; the channel is closed when it ends.
func startHelper(t *testing.T, cmd *exec.Cmd, it int) <-chan string {
	t.Helper()
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	lines := make(chan string)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	if l := <-lines; l != "ready" {
		t.Fatalf("iteration %d: the helper said %q", it, l)
	}
	return lines
}

func TestConcurrentProcesses(t *testing.T) {
	s, _ := newTestVault(t)
	const each = 50
	var cmds []*exec.Cmd
	var outs []*bytes.Buffer
	for w := range 2 {
		cmd := helperCmd(t, "writer", s.Dir(), w*each, each)
		out := new(bytes.Buffer)
		cmd.Stdout = out
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		cmds, outs = append(cmds, cmd), append(outs, out)
	}
	for i, cmd := range cmds {
		if err := cmd.Wait(); err != nil {
			t.Fatalf("writer %d: %v\n%s", i, err, outs[i])
		}
	}
	v, err := s.Unlock(testPassphrase)
	if err != nil {
		t.Fatal(err)
	}
	checkAllAdded(t, mustLoad(t, v), 2*each)
}

// TestKill kills a writer at random moments and checks, after each kill, that
// vault.age holds either the last state the writer reported saved or the one
// it was saving, and that killed writers' temporary files don't pile up.
//
// It kills at least -vault.kills writers, and more (up to ten times as many)
// until every state of killStates has been reached: a test that never killed a
// writer mid-save would prove nothing.
func TestKill(t *testing.T) {
	least := *kills
	if testing.Short() {
		least = min(least, 10)
	}
	s, v := newTestVault(t)
	path := filepath.Join(s.Dir(), vaultFile)
	next, onDisk := 0, 0
	reached := map[string]int{}
	missing := func() []string {
		var m []string
		for _, st := range killStates {
			if reached[st] == 0 {
				m = append(m, st)
			}
		}
		return m
	}
	start := time.Now()
	it := 0
	for ; it < least || len(missing()) > 0 && it < 10*least; it++ {
		before := temps(t, s.Dir())
		cmd := helperCmd(t, "writer", s.Dir(), next, 0)
		lines := startHelper(t, cmd, it)
		time.Sleep(time.Duration(rand.N(40000)) * time.Microsecond)
		cmd.Process.Kill()
		saved := onDisk // the last count the writer reported saved
		for l := range lines {
			n, err := strconv.Atoi(l)
			if err != nil {
				t.Fatalf("iteration %d: writer said %q", it, l)
			}
			saved = n
		}
		cmd.Wait()

		d, err := v.Load()
		if err != nil {
			t.Fatalf("iteration %d: after a kill, Load: %v", it, err)
		}
		n := len(d.Accounts)
		if n < saved || n > saved+1 {
			t.Fatalf("iteration %d: vault.age holds %d accounts; the writer had saved %d", it, n, saved)
		}
		if n < onDisk {
			t.Fatalf("iteration %d: vault went back from %d to %d accounts", it, onDisk, n)
		}
		if bak, err := os.ReadFile(path + bakSuffix); err == nil {
			if _, err := v.decryptData(bak, nil); err != nil {
				t.Fatalf("iteration %d: vault.age.bak: %v", it, err)
			}
		}
		tmp := temps(t, s.Dir())
		// One save leaves at most a vault and a backup temporary file,
		// and every save cleans up the previous ones.
		if len(tmp) > 2 {
			t.Fatalf("iteration %d: temporary files pile up: %v", it, tmp)
		}
		reached[killState(t, s.Dir(), v, n, saved, before, tmp)]++
		onDisk = n
		next += n + 1 // skip whatever a killed writer was adding
	}
	addAccounts(t, v, next, 1)
	if tmp := temps(t, s.Dir()); len(tmp) > 0 {
		t.Errorf("temporary files survive a save: %v", tmp)
	}
	t.Logf("%d kills in %v, %d accounts saved; the writer was killed: %v",
		it, time.Since(start).Round(time.Millisecond), onDisk, reached)
	if m := missing(); len(m) > 0 {
		t.Errorf("in %d kills, none came at these moments of a save: %s", it, strings.Join(m, "; "))
	}
}

// killStates are the moments of a save that TestKill must kill a writer at.
var killStates = []string{
	"while writing the temporary file",
	"with the temporary file complete, before the rename",
	"after the rename, before reporting the save",
}

// killState tells at which moment of a save a writer was killed: n is what
// vault.age holds, saved what the writer had reported, before and after the
// temporary files in dir before it started and after it was killed.
func killState(t *testing.T, dir string, v *Vault, n, saved int, before, after []string) string {
	if n > saved {
		return killStates[2]
	}
	for _, name := range after {
		if slices.Contains(before, name) || !strings.HasPrefix(name, "."+vaultFile+tmpMark) {
			continue
		}
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if d, err := v.decryptData(b, nil); err == nil && len(d.Accounts) == saved+1 {
			return killStates[1]
		}
		return killStates[0]
	}
	return "between saves"
}

var kills = flag.Int("vault.kills", 40, "how many writers TestKill kills")

// TestKillCreate kills Create at random moments: whatever is left must be
// either no vault, which Create can then make, or a vault that opens. The
// moments are drawn from the time an uninterrupted Create takes here, and it
// kills until each of createStates has been reached (at least 20 times in
// all, at most 200).
func TestKillCreate(t *testing.T) {
	// createHelper starts a creator in a new directory and returns it once
	// it is about to call Create, with the rest of its output.
	createHelper := func(it int) (string, *exec.Cmd, *bufio.Reader) {
		dir := filepath.Join(t.TempDir(), "vmfa")
		cmd := helperCmd(t, "create", dir, 0, 0)
		stdout, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		r := bufio.NewReader(stdout)
		if l, _ := r.ReadString('\n'); l != "ready\n" {
			t.Fatalf("iteration %d: creator said %q", it, l)
		}
		return dir, cmd, r
	}
	_, cmd, r := createHelper(-1)
	begin := time.Now()
	if l, _ := r.ReadString('\n'); l != "created\n" {
		t.Fatalf("creator said %q", l)
	}
	took := time.Since(begin)
	cmd.Wait()

	reached := map[string]int{}
	missing := func() []string {
		var m []string
		for _, st := range createStates {
			if reached[st] == 0 {
				m = append(m, st)
			}
		}
		return m
	}
	it := 0
	for ; it < 20 || len(missing()) > 0 && it < 200; it++ {
		dir, cmd, _ := createHelper(it)
		time.Sleep(rand.N(took + took/4))
		cmd.Process.Kill()
		cmd.Wait()

		s := Open(dir)
		ok, err := s.Exists()
		if err != nil {
			t.Fatal(err)
		}
		if !ok {
			reached[createStates[0]]++
			if _, err := s.Create(testPassphrase, testWorkFactor); err != nil {
				t.Fatalf("iteration %d: Create after a killed Create: %v", it, err)
			}
			continue
		}
		v, err := s.Unlock(testPassphrase)
		if err != nil {
			t.Fatalf("iteration %d: Unlock after a killed Create: %v", it, err)
		}
		if _, err := os.Stat(filepath.Join(dir, vaultFile)); err != nil {
			reached[createStates[1]]++
		} else {
			reached["after both files were written"]++
		}
		addAccounts(t, v, 0, 1)
	}
	t.Logf("%d kills, an uninterrupted Create taking %v; Create was killed: %v", it, took.Round(time.Microsecond), reached)
	if m := missing(); len(m) > 0 {
		t.Errorf("in %d kills, none came at these moments of Create: %s", it, strings.Join(m, "; "))
	}
}

// createStates are the moments of Create that TestKillCreate must kill it at.
var createStates = []string{
	"before identity.age was written",
	"after identity.age, before vault.age",
}

// TestFullDisk saves in a process whose writes fail past a size limit, as
// they do on a full disk, and checks that the old vault survives intact.
func TestFullDisk(t *testing.T) {
	s, v := newTestVault(t)
	addAccounts(t, v, 0, 5)
	path := filepath.Join(s.Dir(), vaultFile)
	before := mustRead(t, path)
	bak := mustRead(t, path+bakSuffix)

	// The new vault.age, with a 4 KiB note, can't fit under this limit.
	limit := len(before) + 512
	cmd := helperCmd(t, "fulldisk", s.Dir(), 100, 1, "VMFA_TEST_FSIZE="+strconv.Itoa(limit))
	out, err := cmd.Output()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 1 {
		t.Fatalf("writer with a full disk: %v\n%s", err, out)
	}
	msg := string(out)
	if !strings.Contains(msg, "ready\n") || !strings.Contains(msg, "file too large") || !strings.Contains(msg, "unchanged") {
		t.Errorf("writer with a full disk said %q", msg)
	}
	if !bytes.Equal(mustRead(t, path), before) || !bytes.Equal(mustRead(t, path+bakSuffix), bak) {
		t.Error("a failed save changed vault.age or its backup")
	}
	if tmp := temps(t, s.Dir()); len(tmp) > 0 {
		t.Errorf("a failed save left temporary files: %v", tmp)
	}
	if d := mustLoad(t, v); len(d.Accounts) != 5 {
		t.Errorf("vault holds %d accounts, want 5", len(d.Accounts))
	}
	// Once there is room again, saving works.
	cmd = helperCmd(t, "fulldisk", s.Dir(), 100, 1, "VMFA_TEST_FSIZE="+strconv.Itoa(1<<30))
	if out, err := cmd.Output(); err != nil {
		t.Fatalf("writer with room: %v\n%s", err, out)
	}
}
