// Package term asks questions on the controlling terminal, which is where
// prompts belong even when stdin and stdout are pipes (vmfa code … | …).
package term

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"golang.org/x/term"
)

// ErrNoTTY says that a question could not be asked; callers add what to do
// instead.
var ErrNoTTY = errors.New("no terminal to ask on")

// Open opens the controlling terminal, or returns ErrNoTTY.
func Open() (*os.File, error) {
	f, err := os.OpenFile("/dev/tty", os.O_RDWR, 0)
	if err != nil {
		return nil, ErrNoTTY
	}
	return f, nil
}

// Available reports whether there is a controlling terminal to ask on.
func Available() bool {
	f, err := Open()
	if err != nil {
		return false
	}
	f.Close()
	return true
}

// IsTerminal reports whether f is a terminal, for output that differs on
// one (countdowns, spinners).
func IsTerminal(f *os.File) bool {
	return term.IsTerminal(int(f.Fd()))
}

// StatusLine is a line of progress redrawn in place on a terminal: a
// countdown, a spinner. Off a terminal, Show and Clear write nothing: "\r"
// and escape sequences would only clutter a log or a pipe.
type StatusLine struct {
	w    io.Writer
	Live bool // w is a terminal
}

// NewStatusLine is the status line of w.
func NewStatusLine(w io.Writer) StatusLine {
	f, ok := w.(*os.File)
	return StatusLine{w, ok && IsTerminal(f)}
}

// Show draws text in place of the line shown before.
func (l StatusLine) Show(text string) {
	if l.Live {
		fmt.Fprint(l.w, "\r"+text)
	}
}

// Clear erases the line, leaving the cursor at its start.
func (l StatusLine) Clear() {
	if l.Live {
		fmt.Fprint(l.w, "\r\033[K")
	}
}

// ReadSecret asks on the terminal without echo.
func ReadSecret(prompt string) (string, error) {
	t, err := Open()
	if err != nil {
		return "", err
	}
	defer t.Close()
	fmt.Fprint(t, prompt)
	b, err := term.ReadPassword(int(t.Fd()))
	fmt.Fprintln(t)
	if err != nil {
		return "", fmt.Errorf("reading from the terminal: %v", err)
	}
	return string(b), nil
}

// ReadLine asks on the terminal with echo, for what is not secret.
func ReadLine(prompt string) (string, error) {
	t, err := Open()
	if err != nil {
		return "", err
	}
	defer t.Close()
	fmt.Fprint(t, prompt)
	line, err := bufio.NewReader(t).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", err
	}
	return strings.TrimSpace(line), nil
}

// Confirm asks a yes/no question whose answer is no unless the user types
// y or yes.
func Confirm(prompt string) (bool, error) {
	answer, err := ReadLine(prompt + " [y/N] ")
	if err != nil {
		return false, err
	}
	a := strings.ToLower(answer)
	return a == "y" || a == "yes", nil
}
