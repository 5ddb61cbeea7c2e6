package tui

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/vmfa/vmfa/internal/testenv"
	"github.com/vmfa/vmfa/otp"
	"github.com/vmfa/vmfa/vault"
)

// tmuxSession drives a program in a detached tmux server of its own.
type tmuxSession struct {
	t      *testing.T
	socket string
}

func (s tmuxSession) run(args ...string) string {
	s.t.Helper()
	out, err := exec.Command("tmux", append([]string{"-L", s.socket, "-f", "/dev/null"}, args...)...).CombinedOutput()
	if err != nil {
		s.t.Fatalf("tmux %v: %v: %s", args, err, out)
	}
	return string(out)
}

func (s tmuxSession) screen() string { return s.run("capture-pane", "-p", "-t", "e2e") }

// waitScreen waits until the pane shows want, and returns the screen.
func (s tmuxSession) waitScreen(want string) string {
	s.t.Helper()
	return s.waitScreenWithin(want, 10*time.Second)
}

// waitScreenWithin is waitScreen, waiting up to d. A program that ended
// (the pane is dead) will show nothing more: that fails at once. A failure
// says what the pane's processes were doing, as well as the screen, since
// a blank screen alone says nothing.
func (s tmuxSession) waitScreenWithin(want string, d time.Duration) string {
	s.t.Helper()
	deadline := time.Now().Add(d)
	for {
		scr := s.screen()
		if strings.Contains(scr, want) {
			return scr
		}
		if dead := s.run("display", "-p", "-t", "e2e", "#{pane_dead}"); strings.TrimSpace(dead) == "1" {
			s.t.Fatalf("the screen never showed %q: %s:\n%s", want, s.paneState(), scr)
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("the screen never showed %q in %v: %s:\n%s", want, d, s.paneState(), scr)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// paneState says how the pane's program stands: ended, and how, or its
// processes (the pane's session: the program and its children) with their
// state, run and CPU times.
func (s tmuxSession) paneState() string {
	state := strings.Fields(s.run("display", "-p", "-t", "e2e", "#{pane_dead} #{pane_dead_status} #{pane_pid}"))
	if len(state) == 3 && state[0] == "1" {
		return "the program ended, exit status " + state[1]
	}
	if len(state) < 2 {
		return "the pane's state is unknown: " + strings.Join(state, " ")
	}
	pid := state[len(state)-1]
	out, _ := exec.Command("ps", "-o", "pid,stat,etime,time,args", "-s", pid).CombinedOutput()
	return "the pane's processes:\n" + string(out)
}

// buildTUI builds vmfa, whose bare command starts the TUI.
func buildTUI(t *testing.T, dir string) []string {
	t.Helper()
	bin, err := testenv.BuildVmfa(dir)
	if err != nil {
		t.Fatal(err)
	}
	return []string{bin}
}

// e2eSecrets are the accounts of the end-to-end tests. GitHub's name holds
// g…o…o, so "goo" matches it too, scattered: Google must still rank first.
const (
	ghSecret = "JBSWY3DPEHPK3PXP"
	ggSecret = "MFRGGZDFMZTWQ2LKNNWG23TPOBYXE43U"
	ptSecret = "NBSWY3DPO5XXE3DEEBVGK3DJNZTQ2LBA"
)

// e2eVault creates a vault with the end-to-end tests' accounts.
func e2eVault(t *testing.T, dir string) string {
	t.Helper()
	vdir := filepath.Join(dir, "vault")
	v, err := vault.Open(vdir).Create("pw", 10)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := v.Update(func(d *vault.Data) error {
		_, _, err := d.AddAll([]otp.Account{
			{Issuer: "GitHub", Name: "bob@outlook.com", Secret: ghSecret},
			{Issuer: "Google", Name: "alice@gmail.com", Secret: ggSecret},
			{Issuer: "Proton", Name: "alice@proton.me", Secret: ptSecret},
		}, time.Now(), false)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	return vdir
}

// newTmux starts a tmux server of the test's own, with a session e2e of
// 100×30 running command with the vault vdir (dir/vault: e2eVault) in the
// environment of testenv.Env, and stops it (by its socket) at the end. The
// clipboard goes through OSC 52 (SSH_TTY says the terminal is remote) into
// tmux's paste buffers.
func newTmux(t *testing.T, vdir string, env []string, command string) tmuxSession {
	t.Helper()
	return newTmuxSized(t, vdir, env, 100, 30, command)
}

// newTmuxSized is newTmux with a session of cols×rows from the start:
// resized once the program runs, the program might start at the old size.
// The server's options are set before the program starts, in one tmux
// command: a program that ends at once leaves its last words on the pane
// (remain-on-exit), where a test's failure shows them.
func newTmuxSized(t *testing.T, vdir string, env []string, cols, rows int, command string) tmuxSession {
	t.Helper()
	s := tmuxSession{t: t, socket: fmt.Sprintf("vmfa-e2e-%d-%d", os.Getpid(), time.Now().UnixNano())}
	args := []string{"start-server", ";", "set", "-g", "remain-on-exit", "on", ";", "set", "-g", "set-clipboard", "on", ";",
		"new-session", "-d", "-s", "e2e", "-x", fmt.Sprint(cols), "-y", fmt.Sprint(rows)}
	for _, e := range testenv.Env(t, filepath.Dir(vdir), append([]string{"SSH_TTY=/dev/pts/99", "TERM=xterm-256color"}, env...)...) {
		args = append(args, "-e", e)
	}
	t.Cleanup(func() { exec.Command("tmux", "-L", s.socket, "kill-server").Run() })
	s.run(append(args, command)...)
	return s
}

// buffer returns tmux's newest paste buffer, or "" when there is none.
func (s tmuxSession) buffer() string {
	out, err := exec.Command("tmux", "-L", s.socket, "show-buffer").Output()
	if err != nil {
		return ""
	}
	return string(out)
}

// TestTmuxEndToEnd runs the TUI in a real terminal (tmux): unlock, read
// the code off the screen and check it against oathtool, type a query that
// starts with a letter once bound to quit, copy the top-ranked match through
// OSC 52 into tmux's buffer, quit and find the shell restored.
func TestTmuxEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("short mode")
	}
	testenv.Tools(t, "tmux", "oathtool", "go")
	dir := t.TempDir()
	bin := buildTUI(t, dir)
	s := newTmux(t, e2eVault(t, dir), nil, "sh")
	s.run("send-keys", "-t", "e2e", "echo BEFORE-VMFA", "Enter")
	s.waitScreen("BEFORE-VMFA\n")
	s.run("send-keys", "-t", "e2e", strings.Join(bin, " "), "Enter")

	// Unlock: a wrong passphrase is refused, the right one opens the list.
	s.waitScreen("Unlock your vault")
	s.run("send-keys", "-t", "e2e", "-l", "wrong")
	s.run("send-keys", "-t", "e2e", "Enter")
	s.waitScreen("Wrong passphrase")
	s.run("send-keys", "-t", "e2e", "-l", "pw")
	s.run("send-keys", "-t", "e2e", "Enter")

	// The list: the code on screen is oathtool's for the same secret.
	scr := s.waitScreen("3 accounts")
	for attempt := 0; ; attempt++ {
		shown := codeOnScreen(t, scr, "GitHub")
		if shown == oathNow(t, ghSecret) {
			break
		}
		if attempt == 3 {
			t.Fatalf("GitHub shows %s, oathtool says %s:\n%s", shown, oathNow(t, ghSecret), scr)
		}
		time.Sleep(300 * time.Millisecond) // a window may have just rolled
		scr = s.screen()
	}

	// q, once the quit key, is a query now: nothing matches, and vmfa runs
	// on. Esc clears it.
	s.run("send-keys", "-t", "e2e", "-l", "qu")
	scr = s.waitScreen("0 of 3 match")
	if !strings.Contains(scr, "› qu") {
		t.Fatalf("q did not go to the filter:\n%s", scr)
	}
	s.run("send-keys", "-t", "e2e", "Escape")
	s.waitScreen("3 accounts")

	// goo + Enter copies Google's code (GitHub matches too, scattered):
	// the OSC 52 sequence lands in tmux's buffer, and the status line
	// names the account.
	s.run("send-keys", "-t", "e2e", "-l", "goo")
	scr = s.waitScreen("2 of 3 match")
	shown := codeOnScreen(t, scr, "Google")
	s.run("send-keys", "-t", "e2e", "Enter")
	s.waitScreen("✓ Google alice@gmail.com copied")
	if buf := s.buffer(); buf != shown && buf != oathNow(t, ggSecret) {
		t.Fatalf("tmux buffer holds %q, want the Google code %s", buf, shown)
	}

	// Quit: the alternate screen is left and the shell is back.
	s.run("send-keys", "-t", "e2e", "C-c")
	scr = s.waitScreen("BEFORE-VMFA")
	if strings.Contains(scr, "accounts") || strings.Contains(scr, "Google") {
		t.Fatalf("the TUI is still on screen after quitting:\n%s", scr)
	}
	if !regexp.MustCompile(`BEFORE-VMFA\n[#$] `).MatchString(scr) {
		t.Fatalf("no shell prompt after quitting:\n%s", scr)
	}
	if buf := s.buffer(); buf == shown {
		t.Fatalf("quitting left the code in tmux's buffer")
	}
}

// TestTmuxSignalsClearClipboard: closing the terminal (SIGHUP), a kill
// (SIGTERM) or SIGQUIT clears the copied code from the clipboard, as
// quitting does; SIGQUIT dumps no goroutines (their stacks) on the way.
func TestTmuxSignalsClearClipboard(t *testing.T) {
	if testing.Short() {
		t.Skip("short mode")
	}
	testenv.Tools(t, "tmux", "go")
	dir := t.TempDir()
	bin := buildTUI(t, dir)
	vdir := e2eVault(t, dir)
	for _, sig := range []string{"HUP", "TERM", "QUIT"} {
		t.Run(sig, func(t *testing.T) {
			s := newTmux(t, vdir, []string{"VMFA_PASSPHRASE=pw"}, strings.Join(bin, " "))
			scr := s.waitScreen("3 accounts")
			s.run("send-keys", "-t", "e2e", "-l", "prot")
			scr = s.waitScreen("1 of 3 match")
			code := codeOnScreen(t, scr, "Proton")
			s.run("send-keys", "-t", "e2e", "Enter")
			s.waitScreen("copied")
			if buf, now := s.buffer(), oathNow(t, ptSecret); buf != code && buf != now {
				t.Fatalf("tmux buffer holds %q before the signal, want the Proton code %s", buf, code)
			}
			code = s.buffer()
			pid := strings.TrimSpace(s.run("display", "-p", "-t", "e2e", "#{pane_pid}"))
			if out, err := exec.Command("kill", "-"+sig, pid).CombinedOutput(); err != nil {
				t.Fatalf("kill -%s %s: %v %s", sig, pid, err, out)
			}
			deadline := time.Now().Add(5 * time.Second)
			for strings.TrimSpace(s.run("display", "-p", "-t", "e2e", "#{pane_dead}")) != "1" {
				if time.Now().After(deadline) {
					t.Fatalf("vmfa still runs 5 s after SIG%s", sig)
				}
				time.Sleep(50 * time.Millisecond)
			}
			if buf := s.buffer(); buf == code {
				t.Fatalf("SIG%s left the code %s in tmux's buffer", sig, code)
			}
			if scr := s.screen(); strings.Contains(scr, "goroutine") || strings.Contains(scr, "SIGQUIT") {
				t.Fatalf("SIG%s dumped the goroutines:\n%s", sig, scr)
			}
		})
	}
}

var codeRE = regexp.MustCompile(`(\d{3,4}) (\d{3,4})`)

// codeOnScreen returns the code on the row that names issuer, ungrouped.
func codeOnScreen(t *testing.T, scr, issuer string) string {
	t.Helper()
	for _, line := range strings.Split(scr, "\n") {
		if strings.Contains(line, issuer) {
			if m := codeRE.FindStringSubmatch(line); m != nil {
				return m[1] + m[2]
			}
		}
	}
	t.Fatalf("no code for %s on screen:\n%s", issuer, scr)
	return ""
}

// oathNow is oathtool's code of secret (code) at this instant.
func oathNow(t *testing.T, secret string) string {
	t.Helper()
	return code(t, otp.Account{Secret: secret}, time.Now(), false)
}
