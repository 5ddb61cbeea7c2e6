package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/vmfa/vmfa/internal/clipboard"
	"github.com/vmfa/vmfa/internal/testenv"
)

// clearers returns the pids of the processes clearing a code that 'vmfa
// code --copy' copied for the test with its home in dir: vmfa-full
// clipboard-clearer, with HOME=dir. Tests run in parallel: another test's
// clearers are not this one's.
func clearers(t *testing.T, dir string) []int {
	t.Helper()
	var pids []int
	procs, _ := filepath.Glob("/proc/[0-9]*")
	for _, p := range procs {
		pid, _ := strconv.Atoi(filepath.Base(p))
		if isClearer(pid, dir) {
			pids = append(pids, pid)
		}
	}
	return pids
}

// isClearer reports whether the process pid is one of clearers(t, dir).
func isClearer(pid int, dir string) bool {
	p := "/proc/" + strconv.Itoa(pid)
	argv, err := os.ReadFile(filepath.Join(p, "cmdline"))
	if err != nil || !bytes.HasPrefix(argv, []byte(fullBin()+"\x00clipboard-clearer")) {
		return false
	}
	environ, err := os.ReadFile(filepath.Join(p, "environ"))
	return err == nil && bytes.Contains(append([]byte("\x00"), environ...), []byte("\x00HOME="+dir+"\x00"))
}

// clearersGone waits up to timeout until no clearers(t, dir) run, and
// reports whether none do. It watches those it found, and looks through
// /proc again (hundreds of processes on a busy machine) only once they
// have ended.
func clearersGone(t *testing.T, dir string, timeout time.Duration) bool {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		pids := clearers(t, dir)
		if len(pids) == 0 {
			return true
		}
		for _, pid := range pids {
			for isClearer(pid, dir) {
				if time.Now().After(deadline) {
					return false
				}
				time.Sleep(50 * time.Millisecond)
			}
		}
	}
}

// waitClipboard waits up to timeout for the clipboard of display to hold
// want, and returns what it holds.
func waitClipboard(t *testing.T, display, want string, timeout time.Duration) string {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		got := clipboardHolds(t, display, want)
		if got == want || time.Now().After(deadline) {
			return got
		}
	}
}

// TestCodeCopy: 'vmfa code --copy' puts the code on a real X11 clipboard
// (Xvfb and xclip), prints no code, returns at once, and a process of its
// own, which holds the code in neither its arguments nor its environment,
// clears it later, if the clipboard still holds it. Through the front end,
// with the agent unlocked, too: --copy is vmfa-full's.
func TestCodeCopy(t *testing.T) {
	// Not parallel: it checks times vmfa takes or measures, which the other
	// tests' load would skew. Two displays, so that the clears of the two
	// copies are waited for at once.
	display, other := testenv.Xvfb(t), testenv.Xvfb(t)
	dir := t.TempDir()
	base := agentEnv(t, dir)
	env := with(base, "DISPLAY="+display)
	vaultOf(t, dir, awsURI)

	copyCode := func(env []string, display, clearAfter string) string {
		t.Helper()
		start := time.Now()
		r := vmfa(t, dir, "", env, "code", "aws", "--copy", "--clear-after", clearAfter)
		took := time.Since(start)
		expect(t, r, 0, "", "Copied the code of Amazon Web Services:alice@123456789012; it leaves the clipboard in")
		if r.stdout != "" {
			t.Fatalf("code --copy printed %q", r.stdout)
		}
		if took > 2*time.Second {
			t.Fatalf("code --copy took %v: it waited for the clear", took)
		}
		t.Logf("code --copy returned in %v", took)
		cur, next := testenv.OathTOTP(t, awsSecret, start)
		got := clipboardHolds(t, display, cur)
		if got != cur && got != next {
			t.Fatalf("the clipboard holds %q, want the code %s", got, cur)
		}
		return got
	}

	code := copyCode(with(env, pw), display, "2s")
	pids := clearers(t, dir)
	if len(pids) != 1 {
		t.Fatalf("%d clearing processes: %v", len(pids), pids)
	}
	for _, f := range []string{"cmdline", "environ"} {
		b, err := os.ReadFile("/proc/" + strconv.Itoa(pids[0]) + "/" + f)
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(b, []byte(code)) || bytes.Contains(b, []byte("correct horse")) {
			t.Fatalf("the clearer's %s holds the code or the passphrase: %q", f, b)
		}
	}

	// The user copies something else meanwhile: it stays. Through the
	// front end and the agent this time.
	env = with(base, "DISPLAY="+other)
	expect(t, vmfa(t, dir, "", with(env, pw), "unlock"), 0, "", "Unlocked")
	copyCode(env, other, "2s")
	putText(t, other, "my notes")

	if got := waitClipboard(t, display, "", 6*time.Second); got != "" {
		t.Fatalf("the clipboard still holds %q after the clear time", got)
	}
	if !clearersGone(t, dir, 6*time.Second) {
		t.Fatal("the clearer still runs 6 s after a 2 s clear time")
	}
	if got := clipboardHolds(t, other, "my notes"); got != "my notes" {
		t.Fatalf("the clear replaced the user's clipboard with %q", got)
	}
}

// TestCodeCopyUsage: --copy copies one code; the clear time is only ever
// shortened; no route to a clipboard is a failure, and no code is printed.
func TestCodeCopyUsage(t *testing.T) {
	parallel(t)
	dir := t.TempDir()
	vaultOf(t, dir, awsURI)
	for _, args := range [][]string{{"--json"}, {"--next"}, {"--clear-after", "30s"}, {"--clear-after", "0s"}} {
		r := vmfa(t, dir, "", []string{pw}, append([]string{"code", "aws", "--copy"}, args...)...)
		if r.code != 2 || r.stdout != "" {
			t.Errorf("code --copy %v: exit %d, stdout %q, stderr %q; want a usage error", args, r.code, r.stdout, r.stderr)
		}
	}
	expect(t, vmfa(t, dir, "", []string{pw}, "code", "aws", "--clear-after", "5s"), 2, "", "--clear-after goes with --copy")
	// No display, no terminal, no tmux: nowhere to copy to.
	r := vmfaDetached(t, dir, []string{pw}, "code", "aws", "--copy")
	expect(t, r, 1, "", "no way to reach a clipboard")
	if r.stdout != "" || strings.Contains(r.stderr, "Copied") {
		t.Fatalf("stdout %q, stderr %q", r.stdout, r.stderr)
	}
}

// TestCodeCopyInTmux: code --copy in a pane of a private tmux server, over
// SSH: the code goes to tmux's paste buffers; its clearer, once the command
// has returned, deletes its buffer and leaves the one the user copied since.
func TestCodeCopyInTmux(t *testing.T) {
	parallel(t)
	testenv.Tool(t, "tmux")
	dir := t.TempDir()
	vaultOf(t, dir, awsURI)
	socket := fmt.Sprintf("vmfa-copy-%d-%d", os.Getpid(), time.Now().UnixNano())
	tmux := func(args ...string) (string, error) {
		out, err := exec.Command("tmux", append([]string{"-L", socket}, args...)...).CombinedOutput()
		return string(out), err
	}
	rc := filepath.Join(dir, "rc")
	script := fmt.Sprintf(`env -i %s TMUX="$TMUX" SSH_TTY=/dev/pts/99 TERM=xterm %q code aws --copy --clear-after 3s; echo $? >%q; sleep 60`,
		testenv.ShellEnv(testenv.Env(t, dir, pw)), vmfaBin, rc)
	// The code of the window the command began in, or of the next if it
	// crossed into it.
	cur, next := testenv.OathTOTP(t, awsSecret, time.Now())
	if o, err := tmux("-f", "/dev/null", "new-session", "-d", "-s", "t", "-x", "100", "-y", "30", script); err != nil {
		testenv.Skip(t, "tmux new-session: %v %s", err, o)
	}
	t.Cleanup(func() { tmux("kill-server") }) // our own server, by its socket
	buffers := func() []string {
		names, _ := tmux("list-buffers", "-F", "#{buffer_name}")
		var contents []string
		for _, name := range strings.Fields(names) {
			b, _ := tmux("show-buffer", "-b", name)
			contents = append(contents, b)
		}
		return contents
	}
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if b, _ := os.ReadFile(rc); strings.TrimSpace(string(b)) != "" {
			if strings.TrimSpace(string(b)) != "0" {
				pane, _ := tmux("capture-pane", "-p", "-t", "t")
				t.Fatalf("exit %s; the pane shows:\n%s", b, pane)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("code --copy did not return")
		}
	}
	if b := buffers(); len(b) != 1 || b[0] != cur && b[0] != next {
		t.Fatalf("tmux's buffers %q, want the code %s", b, cur)
	}
	if pane, _ := tmux("capture-pane", "-p", "-t", "t"); strings.Contains(pane, cur) || strings.Contains(pane, next) {
		t.Fatalf("the code is on the screen:\n%s", pane)
	}
	if _, err := tmux("set-buffer", "my notes"); err != nil {
		t.Fatal(err)
	}
	if !clearersGone(t, dir, 8*time.Second) {
		t.Fatal("the clearer still runs 8 s after a 3 s clear time")
	}
	if b := buffers(); len(b) != 1 || b[0] != "my notes" {
		t.Fatalf("tmux's buffers %q after the clear, want the user's alone", b)
	}
}

// TestCodeCopyOSC52: over SSH outside tmux, code --copy sends the code to
// the terminal as an OSC 52 sequence, and its clearer, with no terminal of
// its own, clears it later through the one the command ran on, once the
// command has returned to the shell.
func TestCodeCopyOSC52(t *testing.T) {
	parallel(t)
	dir := t.TempDir()
	vaultOf(t, dir, awsURI)
	// A shell leads the terminal's session, as for a user: vmfa's exit
	// does not hang the terminal up.
	cmd := exec.Command("sh", "-c", vmfaBin+" code aws --copy --clear-after 2s; echo exit $?; sleep 10")
	cmd.Env = testenv.Env(t, dir, pw, "SSH_TTY=/dev/pts/99", "TERM=xterm")
	start := time.Now()
	term := testenv.StartTerminal(t, cmd, false)
	cleared := string(clipboard.OSC52(""))
	for deadline := time.Now().Add(10 * time.Second); !strings.Contains(term.String(), cleared); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("no OSC 52 clear 10 s after a 2 s clear time; the terminal got %q", term.String())
		}
	}
	sent := term.String()
	took := time.Since(start)
	cur, next := testenv.OathTOTP(t, awsSecret, start)
	copied := strings.Index(sent, string(clipboard.OSC52(cur)))
	if copied < 0 {
		copied = strings.Index(sent, string(clipboard.OSC52(next)))
	}
	exited := strings.Index(sent, "exit 0")
	if copied < 0 || exited < copied || strings.Index(sent, cleared) < exited || took < 2*time.Second {
		t.Fatalf("after %v the terminal got %q: want the code's OSC 52, the command's exit, then the clear", took, sent)
	}
}
