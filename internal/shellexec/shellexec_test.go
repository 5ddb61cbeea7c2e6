package shellexec

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// Look gives the status a shell exits with for a command it can't run, and
// says why, naming it.
func TestLook(t *testing.T) {
	bin := t.TempDir()
	write := func(name, text string, mode os.FileMode) string {
		p := filepath.Join(bin, name)
		if err := os.WriteFile(p, []byte(text), mode); err != nil {
			t.Fatal(err)
		}
		return p
	}
	notExec := write("notexec", "#!/bin/sh\n", 0o600)
	runs := write("runs", "#!/bin/sh\n", 0o700)
	t.Setenv("PATH", bin)
	if p, err := Look("runs"); p != runs || err != nil {
		t.Errorf("Look(runs) = %q, %v", p, err)
	}
	for _, c := range []struct {
		name   string
		status int
		want   string
	}{
		{"nosuch", StatusNotFound, "nosuch: command not found"},
		{filepath.Join(bin, "nosuch"), StatusNotFound, filepath.Join(bin, "nosuch") + ": no such file"},
		{"notexec", StatusCannotRun, "notexec: " + notExec + " is not executable"},
		{notExec, StatusCannotRun, notExec + ": not executable ('chmod +x " + notExec + "' makes it so)"},
		{bin, StatusCannotRun, bin + ": is a directory, not a command"},
	} {
		_, err := Look(c.name)
		var nr *NotRunError
		if !errors.As(err, &nr) || nr.ExitStatus() != c.status || err.Error() != c.want {
			t.Errorf("Look(%q) = %v; want status %d and %q", c.name, err, c.status, c.want)
		}
	}
}

// Run gives the command's own status, 128+N for signal N, and a
// *NotRunError for a command the system would not start.
func TestRun(t *testing.T) {
	sh, err := Look("sh")
	if err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	for script, want := range map[string]int{
		"echo $X":       0,
		"exit 3":        3,
		"kill -TERM $$": 128 + int(syscall.SIGTERM),
	} {
		out.Reset()
		status, err := Run(Command{Name: "sh", Path: sh, Args: []string{"-c", script}, Env: []string{"X=set"}, Stdout: &out})
		if status != want || err != nil {
			t.Errorf("%s: status %d (%v), want %d", script, status, err, want)
		}
		if script == "echo $X" && out.String() != "set\n" {
			t.Errorf("the child wrote %q to its stdout, want its environment's X", out.String())
		}
	}
	badInterp := filepath.Join(t.TempDir(), "badinterp")
	if err := os.WriteFile(badInterp, []byte("#!/nonexistent/interp\n"), 0o700); err != nil {
		t.Fatal(err)
	}
	status, err := Run(Command{Name: "badinterp", Path: badInterp})
	var nr *NotRunError
	if status != StatusNotFound || !errors.As(err, &nr) || nr.Status != StatusNotFound ||
		err.Error() != "badinterp: cannot run it: it, or the interpreter its #! line names, is not found" {
		t.Errorf("a missing interpreter: status %d, %v", status, err)
	}
}
