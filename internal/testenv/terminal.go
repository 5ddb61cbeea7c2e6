package testenv

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/creack/pty"
)

// Terminal is a program running on a pseudo-terminal of its own, as its
// controlling terminal: what a user sees on it, prompts included, and what
// they type. Like a terminal, it answers the queries of the background
// colour (OSC 11) and of the cursor's position (DSR) at once.
type Terminal struct {
	Cmd *exec.Cmd

	t      testing.TB
	tty    *os.File // the controlling side, ptmx
	mu     sync.Mutex
	screen bytes.Buffer // everything written to the terminal
	seen   int          // how much of screen Expect has consumed
	done   chan struct{}
	stdout syncBuffer // stdout, when it is not the terminal
	mute   bool       // answers no query (StartMuteTerminal)
}

// terminalQueries are the queries a terminal answers, with its answers: a
// black background, the cursor at the top left. They are answered in the
// order asked, which termenv relies on: the cursor's answer tells it that
// the colour's is not coming.
var terminalQueries = [][2]string{
	{"\x1b]11;?", "\x1b]11;rgb:0000/0000/0000\x1b\\"},
	{"\x1b[6n", "\x1b[1;1R"},
}

// StartTerminal starts cmd on a new pseudo-terminal of 24 rows of 100
// columns, in a session of its own. Its standard input and error are the
// terminal unless cmd sets them; so is its standard output, unless
// pipeStdout: then it goes to a pipe, read with Stdout. A terminal that
// can't be made skips the test (fails it in CI). The program is killed,
// if it still runs, when the test ends.
func StartTerminal(t testing.TB, cmd *exec.Cmd, pipeStdout bool) *Terminal {
	t.Helper()
	return startTerminal(t, cmd, pipeStdout, false)
}

// StartMuteTerminal is StartTerminal for a terminal that answers no query,
// as a pty with no terminal emulator behind it, or some SSH set-ups.
func StartMuteTerminal(t testing.TB, cmd *exec.Cmd, pipeStdout bool) *Terminal {
	t.Helper()
	return startTerminal(t, cmd, pipeStdout, true)
}

func startTerminal(t testing.TB, cmd *exec.Cmd, pipeStdout, mute bool) *Terminal {
	t.Helper()
	term := &Terminal{Cmd: cmd, t: t, done: make(chan struct{}), mute: mute}
	if pipeStdout {
		cmd.Stdout = &term.stdout
	}
	f, err := pty.StartWithSize(cmd, &pty.Winsize{Rows: 24, Cols: 100})
	if errors.Is(err, pty.ErrUnsupported) {
		Skip(t, "no pseudo-terminal here: %v", err)
	} else if err != nil {
		t.Fatalf("starting %s on a pseudo-terminal: %v", cmd.Path, err)
	}
	term.tty = f
	go term.read()
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
			cmd.Wait()
		}
		f.Close()
	})
	return term
}

// read keeps what the program writes to the terminal, answering its
// queries, until the terminal is gone.
func (term *Terminal) read() {
	defer close(term.done)
	answered := make([]int, len(terminalQueries))
	buf := make([]byte, 4096)
	for {
		n, err := term.tty.Read(buf)
		term.mu.Lock()
		term.screen.Write(buf[:n])
		for i, qa := range terminalQueries {
			if k := bytes.Count(term.screen.Bytes(), []byte(qa[0])); !term.mute && k > answered[i] {
				term.tty.WriteString(qa[1])
				answered[i] = k
			}
		}
		term.mu.Unlock()
		if err != nil {
			return
		}
	}
}

// Expect waits until want appears on the terminal after what the previous
// Expect matched, and consumes up to it.
func (term *Terminal) Expect(want string) {
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

// Type types s, as keys: "\r" is Enter.
func (term *Terminal) Type(s string) {
	term.t.Helper()
	if _, err := term.tty.WriteString(s); err != nil {
		term.t.Fatal(err)
	}
}

// Resize makes the terminal rows by cols, as a user resizing its window:
// the program gets SIGWINCH.
func (term *Terminal) Resize(rows, cols int) {
	term.t.Helper()
	if err := pty.Setsize(term.tty, &pty.Winsize{Rows: uint16(rows), Cols: uint16(cols)}); err != nil {
		term.t.Fatal(err)
	}
}

// Wait waits for the program to exit, for up to 30 s, and returns its exit
// code and all it wrote to the terminal.
func (term *Terminal) Wait() (int, string) {
	term.t.Helper()
	exited := make(chan error, 1)
	go func() { exited <- term.Cmd.Wait() }()
	var err error
	select {
	case err = <-exited:
	case <-time.After(30 * time.Second):
		term.Cmd.Process.Kill()
		<-exited
		term.t.Fatalf("%s did not exit; the terminal shows %q", term.Cmd.Path, term.String())
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

// Ended reports whether the terminal is gone: the program, and whatever it
// left running on the terminal, ended.
func (term *Terminal) Ended() bool {
	select {
	case <-term.done:
		return true
	default:
		return false
	}
}

// String returns everything written to the terminal so far.
func (term *Terminal) String() string {
	term.mu.Lock()
	defer term.mu.Unlock()
	return term.screen.String()
}

// Stdout returns what the program has written to its standard output so
// far, when StartTerminal piped it.
func (term *Terminal) Stdout() string { return term.stdout.String() }

// ExpectStdout waits until the piped standard output holds want, and
// returns it. What a program wrote to stdout before it wrote to the
// terminal may reach the test after: they are read apart.
func (term *Terminal) ExpectStdout(want string) string {
	term.t.Helper()
	for deadline := time.Now().Add(15 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		out := term.Stdout()
		if strings.Contains(out, want) {
			return out
		}
		if time.Now().After(deadline) {
			term.t.Fatalf("stdout never held %q; it holds %q", want, out)
		}
	}
}

// syncBuffer is a bytes.Buffer that a program's output can be copied into
// while a test reads it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
