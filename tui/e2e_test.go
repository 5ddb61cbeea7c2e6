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
	deadline := time.Now().Add(10 * time.Second)
	for {
		scr := s.screen()
		if strings.Contains(scr, want) {
			return scr
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("the screen never showed %q:\n%s", want, scr)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// buildTUI builds vmfa, whose bare command starts the TUI.
func buildTUI(t *testing.T, dir string) []string {
	t.Helper()
	bin := filepath.Join(dir, "vmfa")
	if out, err := exec.Command("go", "build", "-o", bin, "../cmd/vmfa").CombinedOutput(); err != nil {
		t.Fatalf("building vmfa: %v\n%s", err, out)
	}
	return []string{bin}
}

// TestTmuxEndToEnd runs the TUI in a real terminal (tmux): unlock, read
// the code off the screen and check it against oathtool, filter, copy
// through OSC 52 into tmux's buffer, quit and find the shell restored.
func TestTmuxEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("short mode")
	}
	testenv.Tools(t, "tmux", "oathtool", "go")
	dir := t.TempDir()
	bin := buildTUI(t, dir)

	const (
		ghSecret = "JBSWY3DPEHPK3PXP"
		ptSecret = "NBSWY3DPO5XXE3DEEBVGK3DJNZTQ2LBA"
	)
	vdir := filepath.Join(dir, "vault")
	v, err := vault.Open(vdir).Create("pw", 10)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := v.Update(func(d *vault.Data) error {
		for _, a := range []otp.Account{
			{Issuer: "GitHub", Name: "alice@example.com", Secret: ghSecret},
			{Issuer: "Proton", Name: "alice@proton.me", Secret: ptSecret},
		} {
			if err := a.Normalize(); err != nil {
				return err
			}
			if _, err := d.Add(a, time.Now()); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}

	s := tmuxSession{t: t, socket: fmt.Sprintf("vmfa-e2e-%d", os.Getpid())}
	s.run("new-session", "-d", "-s", "e2e", "-x", "100", "-y", "30",
		"-e", "VMFA_DIR="+vdir,
		"-e", "SSH_TTY=/dev/pts/99", "-e", "TERM=xterm-256color", "sh")
	t.Cleanup(func() { exec.Command("tmux", "-L", s.socket, "kill-server").Run() })
	s.run("set", "-g", "set-clipboard", "on")
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
	scr := s.waitScreen("2 accounts")
	for attempt := 0; ; attempt++ {
		shown := codeOnScreen(t, scr, "GitHub")
		if shown == oathtool(t, ghSecret, time.Now()) {
			break
		}
		if attempt == 3 {
			t.Fatalf("GitHub shows %s, oathtool says %s:\n%s", shown, oathtool(t, ghSecret, time.Now()), scr)
		}
		time.Sleep(300 * time.Millisecond) // a window may have just rolled
		scr = s.screen()
	}

	// Filter and copy: the OSC 52 sequence lands in tmux's buffer.
	s.run("send-keys", "-t", "e2e", "-l", "prot")
	scr = s.waitScreen("1 of 2 match")
	shown := codeOnScreen(t, scr, "Proton")
	s.run("send-keys", "-t", "e2e", "Enter")
	s.waitScreen("copied")
	buf := s.run("show-buffer")
	if buf != shown && buf != oathtool(t, ptSecret, time.Now()) {
		t.Fatalf("tmux buffer holds %q, want the Proton code %s", buf, shown)
	}

	// Quit: the alternate screen is left and the shell is back.
	s.run("send-keys", "-t", "e2e", "C-c")
	scr = s.waitScreen("BEFORE-VMFA")
	if strings.Contains(scr, "accounts") || strings.Contains(scr, "Proton") {
		t.Fatalf("the TUI is still on screen after quitting:\n%s", scr)
	}
	if !regexp.MustCompile(`BEFORE-VMFA\n[#$] `).MatchString(scr) {
		t.Fatalf("no shell prompt after quitting:\n%s", scr)
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

func oathtool(t *testing.T, secret string, at time.Time) string {
	t.Helper()
	out, err := exec.Command("oathtool", "--totp", "-b", "-N", at.UTC().Format("2006-01-02 15:04:05 UTC"), secret).Output()
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(out))
}
