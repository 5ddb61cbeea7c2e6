package tui

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vmfa/vmfa/internal/testenv"
	"github.com/vmfa/vmfa/vault"
)

// xclipOut returns what the X11 clipboard of display holds.
func xclipOut(t *testing.T, display string) string {
	t.Helper()
	// An owner that dies mid-transfer leaves xclip -o waiting forever.
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	out, _ := exec.CommandContext(ctx, "xclip", "-display", display, "-selection", "clipboard", "-o").Output()
	return string(out)
}

// waitCopiesCleared waits until the vault's record of copies not cleared
// yet is empty: the interface has dealt with what it found there.
func waitCopiesCleared(t *testing.T, vdir string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		b, err := os.ReadFile(filepath.Join(vdir, "copies.json"))
		if err == nil && strings.TrimSpace(string(b)) == "[]" {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("copies.json still holds %q (%v)", b, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestTmuxCrashLeftoverCleared: the interface killed (SIGKILL) with a code on
// a real X11 clipboard (Xvfb and xclip) leaves it there; the next interface
// to open the vault clears it, but not a text the user copied since.
func TestTmuxCrashLeftoverCleared(t *testing.T) {
	if testing.Short() {
		t.Skip("short mode")
	}
	testenv.Tools(t, "tmux", "go")
	display := testenv.Xvfb(t)
	dir := t.TempDir()
	bin := strings.Join(buildTUI(t, dir), " ")
	vdir := e2eVault(t, dir)
	// Local, not over SSH: the code goes to the X11 clipboard with xclip.
	env := []string{"VMFA_PASSPHRASE=pw", "DISPLAY=" + display, "WAYLAND_DISPLAY=", "SSH_TTY=", "SSH_CONNECTION="}
	// vmfa runs under a shell, as it does for a user: its death does not
	// hang up the terminal, which would end xclip, the clipboard's owner.
	s := newTmux(t, vdir, env, "sh")
	start := func() {
		t.Helper()
		// The killed one left the terminal raw: C-j is a newline there.
		s.run("send-keys", "-t", "e2e", "stty sane; clear; "+bin, "C-j")
		s.waitScreen("3 accounts")
	}

	// vmfaPID is the pid of the shell's one child, vmfa.
	vmfaPID := func() string {
		t.Helper()
		shell := strings.TrimSpace(s.run("display", "-p", "-t", "e2e", "#{pane_pid}"))
		out, err := exec.Command("ps", "-o", "pid=", "--ppid", shell).Output()
		pid := strings.TrimSpace(string(out))
		if err != nil || pid == "" || strings.ContainsAny(pid, " \n") {
			t.Fatalf("the shell's children: %q, %v", out, err)
		}
		return pid
	}
	waitGone := func(pid string) {
		t.Helper()
		for deadline := time.Now().Add(5 * time.Second); exec.Command("kill", "-0", pid).Run() == nil; time.Sleep(50 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("vmfa (pid %s) still runs after 5 s", pid)
			}
		}
	}

	copyAndKill := func() string {
		t.Helper()
		start()
		s.run("send-keys", "-t", "e2e", "-l", "prot")
		s.waitScreen("1 of 3 match")
		s.run("send-keys", "-t", "e2e", "Enter")
		s.waitScreen("copied")
		code := xclipOut(t, display)
		if len(code) != 6 {
			t.Fatalf("the clipboard holds %q after a copy", code)
		}
		pid := vmfaPID()
		if out, err := exec.Command("kill", "-KILL", pid).CombinedOutput(); err != nil {
			t.Fatalf("kill -KILL %s: %v %s", pid, err, out)
		}
		waitGone(pid)
		if got := xclipOut(t, display); got != code {
			t.Fatalf("the clipboard holds %q after the kill, want the code %s still", got, code)
		}
		return code
	}

	code := copyAndKill()
	start()
	waitCopiesCleared(t, vdir)
	if got := xclipOut(t, display); got == code {
		t.Fatalf("the next start left the code %s on the clipboard", code)
	}

	// The user copies something else after the crash: it stays.
	pid := vmfaPID()
	s.run("send-keys", "-t", "e2e", "C-c")
	waitGone(pid)
	copyAndKill()
	testenv.PutClipboard(t, display, "", strings.NewReader("my notes"))
	start()
	waitCopiesCleared(t, vdir)
	if got := xclipOut(t, display); got != "my notes" {
		t.Fatalf("the next start replaced the user's clipboard with %q", got)
	}
}

// TestLeftoversRule: at unlock, a recorded copy is cleared only when the
// process that was to clear it is gone, and only if it went by a route that
// can be read back (not OSC 52, which would overwrite the user's clipboard
// blind); either way a dead process's record is forgotten.
func TestLeftoversRule(t *testing.T) {
	s := newVault(t, demo...)
	v, err := s.Unlock(testPass)
	if err != nil {
		t.Fatal(err)
	}
	d, err := v.Load()
	if err != nil {
		t.Fatal(err)
	}
	gone := exec.Command("true")
	if err := gone.Run(); err != nil {
		t.Fatal(err)
	}
	e := d.Accounts[0]
	code, _ := e.Code(t0)
	clip := &fakeClipboard{}
	leftover := func(route string, pid int) (msg any, records int) {
		t.Helper()
		rec := vault.CopyOf(e, t0)
		rec.Route, rec.At, rec.PID = route, t0, pid
		if err := s.RecordCopy(rec); err != nil {
			t.Fatal(err)
		}
		clip.Copy(code)
		msg = clearLeftoversCmd(clip, v, d)()
		copies, _ := s.Copies()
		return msg, len(copies)
	}
	if msg, n := leftover("native", os.Getpid()); clip.Content() != code || n != 1 || msg != nil {
		t.Fatalf("a running process's copy: clipboard %q, %d records, %v", clip.Content(), n, msg)
	}
	s.ForgetCopy(mustCopies(t, s)[0])
	if msg, n := leftover("osc52", gone.Process.Pid); clip.Content() != code || n != 0 || msg != nil {
		t.Fatalf("an OSC 52 copy: clipboard %q, %d records, %v", clip.Content(), n, msg)
	}
	if msg, n := leftover("native", gone.Process.Pid); clip.Content() != "" || n != 0 || msg == nil {
		t.Fatalf("a dead process's copy: clipboard %q, %d records, %v", clip.Content(), n, msg)
	}
}

func mustCopies(t *testing.T, s *vault.Store) []vault.Copy {
	t.Helper()
	copies, err := s.Copies()
	if err != nil || len(copies) == 0 {
		t.Fatalf("Copies: %v, %v", copies, err)
	}
	return copies
}
