package clipboard

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/creack/pty"

	"github.com/vmfa/vmfa/internal/testenv"
)

// tmuxServer is a private tmux server (tmux -L) with one session and a
// client attached to it from a pseudo-terminal, which plays the outer
// terminal: it records every byte tmux writes to it.
type tmuxServer struct {
	t      *testing.T
	socket string // -L name
	env    string // $TMUX for a process inside the session
	mu     sync.Mutex
	outer  bytes.Buffer
}

func startTmux(t *testing.T) *tmuxServer {
	t.Helper()
	testenv.Tool(t, "tmux")
	s := &tmuxServer{t: t, socket: fmt.Sprintf("vmfa-clip-%d-%d", os.Getpid(), time.Now().UnixNano())}
	if out, err := s.run("", "-f", "/dev/null", "new-session", "-d", "-s", "s", "-x", "80", "-y", "24", "sleep 600"); err != nil {
		testenv.Skip(t, "tmux new-session: %v %s", err, out)
	}
	t.Cleanup(func() { s.run("", "kill-server") }) // our own server, by its socket
	attach := exec.Command("tmux", "-L", s.socket, "attach", "-t", "s")
	attach.Env = append(os.Environ(), "TERM=xterm-256color", "TMUX=")
	f, err := pty.StartWithSize(attach, &pty.Winsize{Rows: 24, Cols: 80})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close(); attach.Process.Kill(); attach.Wait() })
	go func() {
		buf := make([]byte, 4096)
		for {
			n, err := f.Read(buf)
			s.mu.Lock()
			s.outer.Write(buf[:n])
			s.mu.Unlock()
			if err != nil {
				return
			}
		}
	}()
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if out, _ := s.run("", "list-clients", "-F", "x"); strings.TrimSpace(out) == "x" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the tmux client did not attach")
		}
	}
	out, err := s.run("", "display", "-p", "#{socket_path},#{pid},0")
	if err != nil {
		t.Fatal(err)
	}
	s.env = strings.TrimSpace(out)
	return s
}

func (s *tmuxServer) run(stdin string, args ...string) (string, error) {
	cmd := exec.Command("tmux", append([]string{"-L", s.socket}, args...)...)
	cmd.Stdin = strings.NewReader(stdin)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// buffers returns the contents of tmux's paste buffers, newest first.
func (s *tmuxServer) buffers() []string {
	s.t.Helper()
	out, err := s.run("", "list-buffers", "-F", "#{buffer_name}")
	if err != nil && strings.TrimSpace(out) != "" {
		s.t.Fatalf("list-buffers: %v %s", err, out)
	}
	var contents []string
	for _, name := range strings.Fields(out) {
		b, _ := s.run("", "show-buffer", "-b", name)
		contents = append(contents, b)
	}
	return contents
}

// outerGot waits up to a second for the outer terminal to receive an OSC 52
// sequence setting text, and reports whether it did; it forgets what came
// before.
func (s *tmuxServer) outerGot(text string) bool {
	seq := []byte("]52;;" + base64.StdEncoding.EncodeToString([]byte(text)) + "\a")
	for deadline := time.Now().Add(time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		s.mu.Lock()
		found := bytes.Contains(s.outer.Bytes(), seq)
		if found {
			s.outer.Reset()
		}
		s.mu.Unlock()
		if found {
			return true
		}
	}
	return false
}

// TestTmuxRoute copies inside tmux over SSH, as on a remote machine: the code
// must land in tmux's paste buffer and reach the outer terminal, although
// tmux's default set-clipboard (external) stops OSC 52 sequences from
// programs; and clearing must take it out of both, leaving what the user
// copied since.
func TestTmuxRoute(t *testing.T) {
	s := startTmux(t)
	var tty bytes.Buffer
	c := &Clipboard{TTY: &tty, Getenv: env(map[string]string{"TMUX": s.env, "SSH_TTY": "/dev/pts/9", "PATH": os.Getenv("PATH")})}
	if out, _ := s.run("", "show-options", "-gv", "set-clipboard"); strings.TrimSpace(out) != "external" {
		t.Logf("set-clipboard is %q", strings.TrimSpace(out))
	}

	if err := c.Copy("123456"); err != nil {
		t.Fatal(err)
	}
	if got := s.buffers(); len(got) != 1 || got[0] != "123456" {
		t.Fatalf("tmux buffers %q after a copy", got)
	}
	if !s.outerGot("123456") {
		t.Fatal("the outer terminal was not sent the code")
	}
	if tty.Len() != 0 {
		t.Errorf("an OSC 52 sequence was written inside tmux, where it stops: %q", tty.String())
	}

	// Code 2 replaces code 1, as in enroll --copy.
	if err := c.Copy("654321"); err != nil {
		t.Fatal(err)
	}
	s.outerGot("654321")
	if cleared, err := c.ClearIf("123456"); err != nil || !cleared {
		t.Fatalf("ClearIf(code 1) = %v, %v", cleared, err)
	}
	if got := s.buffers(); len(got) != 1 || got[0] != "654321" {
		t.Fatalf("tmux buffers %q after clearing code 1", got)
	}
	if s.outerGot(" ") {
		t.Fatal("clearing code 1 overwrote code 2 in the outer terminal")
	}
	if cleared, err := c.ClearIf("654321"); err != nil || !cleared {
		t.Fatalf("ClearIf(code 2) = %v, %v", cleared, err)
	}
	if got := s.buffers(); len(got) != 0 {
		t.Fatalf("tmux buffers %q after clearing code 2", got)
	}
	if !s.outerGot(" ") {
		t.Fatal("the outer terminal's clipboard still holds code 2")
	}

	// The user copied something in tmux since: it stays, and so does the
	// outer clipboard, which holds it.
	if err := c.Copy("777777"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.run("", "set-buffer", "my notes"); err != nil {
		t.Fatal(err)
	}
	if cleared, err := c.ClearIf("777777"); err != nil || !cleared {
		t.Fatalf("ClearIf = %v, %v", cleared, err)
	}
	if got := s.buffers(); len(got) != 1 || got[0] != "my notes" {
		t.Fatalf("tmux buffers %q, want the user's alone", got)
	}
	if s.outerGot(" ") {
		t.Fatal("the outer clipboard was overwritten although the user copied since")
	}
}

// TestTmuxGone: inside tmux whose server cannot be reached, and with no
// clipboard tool, Copy fails instead of claiming a copy, and clearing fails
// too, each saying what tmux said.
func TestTmuxGone(t *testing.T) {
	testenv.Tool(t, "tmux")
	var tty bytes.Buffer
	c := &Clipboard{TTY: &tty, Getenv: env(map[string]string{"TMUX": "/nonexistent/socket,1,0", "SSH_TTY": "/dev/pts/9", "PATH": os.Getenv("PATH")})}
	// tmux's own words say why, not its exit status.
	if err := c.Copy("123456"); !strings.Contains(fmt.Sprint(err), "no way to reach a clipboard") || !strings.Contains(err.Error(), "tmux load-buffer: error connecting to /nonexistent/socket") {
		t.Fatalf("Copy = %v", err)
	}
	if _, err := c.ClearVia("123456", ViaTmux); !strings.Contains(fmt.Sprint(err), "tmux list-buffers: error connecting to /nonexistent/socket") {
		t.Fatalf("ClearVia = %v", err)
	}
}
