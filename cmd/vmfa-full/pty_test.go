package main

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/creack/pty"
)

// terminal is vmfa running on a pseudo-terminal of its own, as its
// controlling terminal: what the user sees and types, prompts included.
type terminal struct {
	t      *testing.T
	cmd    *exec.Cmd
	tty    *os.File // the controlling side, ptmx
	mu     sync.Mutex
	screen bytes.Buffer // everything written to the terminal
	seen   int          // how much of screen expect has consumed
	done   chan struct{}
	stdout bytes.Buffer // stdout, when it is not the terminal
}

// onTerminal starts vmfa with a vault in dir on a new pseudo-terminal. With
// pipeStdout, stdout goes to a pipe (read with Stdout) rather than the
// terminal; stdin and stderr are always the terminal, unless stdin is given.
func onTerminal(t *testing.T, dir string, env []string, pipeStdout bool, stdin *string, args ...string) *terminal {
	t.Helper()
	cmd := exec.Command(vmfaBin, args...)
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "HOME=" + dir, "VMFA_DIR=" + filepath.Join(dir, "vault"),
		"VMFA_WORK_FACTOR=10", "TERM=xterm", runtimeEnv(t, dir)}, env...)
	term := &terminal{t: t, cmd: cmd, done: make(chan struct{})}
	if pipeStdout {
		cmd.Stdout = &term.stdout
	}
	if stdin != nil {
		cmd.Stdin = strings.NewReader(*stdin)
	}
	f, err := pty.StartWithSize(cmd, &pty.Winsize{Rows: 24, Cols: 100})
	if err != nil {
		t.Fatalf("starting vmfa on a pseudo-terminal: %v", err)
	}
	term.tty = f
	go func() {
		defer close(term.done)
		buf := make([]byte, 4096)
		for {
			n, err := f.Read(buf)
			term.mu.Lock()
			term.screen.Write(buf[:n])
			term.mu.Unlock()
			if err != nil {
				return
			}
		}
	}()
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
			cmd.Wait()
		}
		f.Close()
	})
	return term
}

// expect waits until want appears on the terminal after what the previous
// expect matched, and consumes up to it.
func (term *terminal) expect(want string) {
	term.t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		term.mu.Lock()
		rest := term.screen.String()[term.seen:]
		if i := strings.Index(rest, want); i >= 0 {
			term.seen += i + len(want)
			term.mu.Unlock()
			return
		}
		term.mu.Unlock()
		if time.Now().After(deadline) {
			term.t.Fatalf("the terminal never showed %q; it shows %q", want, rest)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// typ types s, as keys: "\r" is Enter.
func (term *terminal) typ(s string) {
	term.t.Helper()
	if _, err := term.tty.WriteString(s); err != nil {
		term.t.Fatal(err)
	}
}

// wait waits for vmfa to exit and returns its exit code and all it wrote
// to the terminal.
func (term *terminal) wait() (int, string) {
	term.t.Helper()
	exited := make(chan error, 1)
	go func() { exited <- term.cmd.Wait() }()
	var err error
	select {
	case err = <-exited:
	case <-time.After(30 * time.Second):
		term.cmd.Process.Kill()
		<-exited
		term.t.Fatalf("vmfa did not exit; the terminal shows %q", term.String())
	}
	// The reader ends with EIO once the last writer is gone.
	select {
	case <-term.done:
	case <-time.After(2 * time.Second):
	}
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		return exit.ExitCode(), term.String()
	} else if err != nil {
		term.t.Fatal(err)
	}
	return 0, term.String()
}

// String returns everything written to the terminal so far.
func (term *terminal) String() string {
	term.mu.Lock()
	defer term.mu.Unlock()
	return term.screen.String()
}
