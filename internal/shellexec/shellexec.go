// Package shellexec runs a command in vmfa's place as a shell would, and
// says how it ended as shells do: the command's exit status, 128+N when
// signal N ended it, 127 when it is not found and 126 when it is found but
// cannot be run ('vmfa aws exec').
package shellexec

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/vmfa/vmfa/internal/shellquote"
	"github.com/vmfa/vmfa/otp"
)

// The exit statuses of a command that did not run, as shells and env(1)
// give them.
const (
	StatusCannotRun = 126 // found, but not executable
	StatusNotFound  = 127
)

// NotRunError is a command that could not be run: why, naming it, and the
// status a shell exits with for it (StatusNotFound or StatusCannotRun).
type NotRunError struct {
	Status int
	Err    error
}

func (e *NotRunError) Error() string { return e.Err.Error() }
func (e *NotRunError) Unwrap() error { return e.Err }

// ExitStatus is the status a shell exits with for the command.
func (e *NotRunError) ExitStatus() int { return e.Status }

func notRun(status int, format string, args ...any) *NotRunError {
	return &NotRunError{Status: status, Err: fmt.Errorf(format, args...)}
}

// Look finds the program name runs, as a shell would: in $PATH unless name
// holds a slash. When it can't, a *NotRunError says why.
func Look(name string) (path string, err error) {
	path, err = exec.LookPath(name)
	if err == nil {
		return path, nil
	}
	shown := otp.Shorten(name, 64)
	if strings.Contains(name, "/") {
		fi, serr := os.Stat(name)
		switch {
		case serr != nil:
			return "", notRun(StatusNotFound, "%s: no such file", shown)
		case fi.IsDir():
			return "", notRun(StatusCannotRun, "%s: is a directory, not a command", shown)
		}
		return "", notRun(StatusCannotRun, "%s: not executable ('chmod +x %s' makes it so)", shown, shellquote.Word(shown))
	}
	if errors.Is(err, exec.ErrDot) {
		return "", notRun(StatusNotFound, "%s: command not found, but for one in the current directory, which vmfa does not run from $PATH: ./%s runs it", shown, shown)
	}
	// A shell that finds a file of that name in $PATH, but no executable
	// one, says so rather than that there is none.
	for _, dir := range filepath.SplitList(os.Getenv("PATH")) {
		if dir == "" {
			continue
		}
		p := filepath.Join(dir, name)
		if fi, err := os.Stat(p); err == nil && fi.Mode().IsRegular() {
			return "", notRun(StatusCannotRun, "%s: %s is not executable", shown, otp.Shorten(p, 128))
		}
	}
	return "", notRun(StatusNotFound, "%s: command not found", shown)
}

// Command is a program to run in vmfa's place.
type Command struct {
	Name string   // as given, for messages
	Path string   // found for Name by Look
	Args []string // after the name
	Env  []string
	// The child's standard streams; an *os.File is handed over as it is.
	Stdin          io.Reader
	Stdout, Stderr io.Writer
}

// Run runs c and returns its exit status: 128+N when signal N ended it, as
// shells report. It returns a *NotRunError when c could not be started, or
// what went wrong waiting for it.
//
// A supervisor's SIGTERM or SIGHUP, sent to vmfa alone, is passed on.
// Ctrl-C is not: the terminal sends SIGINT to the child as well, and a
// second one would make tools such as Terraform abandon a graceful stop.
func Run(c Command) (status int, err error) {
	child := exec.Command(c.Path, c.Args...)
	child.Env = c.Env
	child.Stdin, child.Stdout, child.Stderr = c.Stdin, c.Stdout, c.Stderr
	// Caught, not ignored: an ignored signal stays ignored in the child.
	// Caught before the child starts: a SIGTERM in between would end vmfa
	// and leave the child running on its own.
	signals := make(chan os.Signal, 4)
	signal.Notify(signals, os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
	defer func() {
		signal.Stop(signals)
		close(signals)
	}()
	if err := child.Start(); err != nil {
		// The file can change after Look, or name an interpreter (#!) that
		// is missing, or be in no format the system runs.
		status, why := StatusCannotRun, err.Error()
		var errno syscall.Errno
		if errors.As(err, &errno) {
			why = errno.Error()
			if errno == syscall.ENOENT {
				status, why = StatusNotFound, "it, or the interpreter its #! line names, is not found"
			}
		}
		return status, notRun(status, "%s: cannot run it: %s", otp.Shorten(c.Name, 64), why)
	}
	go func() {
		for s := range signals {
			if s != os.Interrupt {
				child.Process.Signal(s)
			}
		}
	}()
	err = child.Wait()
	if err == nil {
		return 0, nil
	}
	var exit *exec.ExitError
	if !errors.As(err, &exit) {
		return 1, err
	}
	if ws, ok := exit.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		return 128 + int(ws.Signal()), nil
	}
	return exit.ExitCode(), nil
}
