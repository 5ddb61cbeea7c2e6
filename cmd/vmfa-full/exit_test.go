package main

import (
	"bytes"
	"testing"

	"github.com/vmfa/vmfa/internal/passphrase"
)

// Only main exits: a command returns its error, which exitStatus turns
// into the exit status and a message on the command's own stderr, so that
// vmfa runs in process here. A command that could not be run ends vmfa as
// it ends a shell, even when its name reads like cobra's "unknown command".
func TestExitStatus(t *testing.T) {
	for _, c := range []struct {
		args   []string
		status int
		stderr string
	}{
		{[]string{"aws", "env", "--profile", "base", "--shell", "csh"}, exitUsage,
			"vmfa: --shell \"csh\": use sh or fish\nRun 'vmfa aws env --help' for usage.\n"},
		{[]string{"aws", "exec", "--profile", "base", "--", "no-such-command-vmfa"}, 127,
			"vmfa: no-such-command-vmfa: command not found\n"},
		{[]string{"aws", "exec", "--profile", "base", "--", "unknown command"}, 127,
			"vmfa: unknown command: command not found\n"},
		{[]string{"nosuch"}, exitUsage, "vmfa: unknown command \"nosuch\" for \"vmfa\"\nRun 'vmfa --help' for usage.\n"},
	} {
		t.Setenv("PATH", t.TempDir())
		root := newRoot(&passphrase.Env{})
		var stdout, stderr bytes.Buffer
		root.SetOut(&stdout)
		root.SetErr(&stderr)
		root.SetArgs(c.args)
		cmd, err := root.ExecuteC()
		if status := exitStatus(root, cmd, err); status != c.status || stderr.String() != c.stderr || stdout.Len() != 0 {
			t.Errorf("vmfa %q: exit %d, stdout %q, stderr %q; want %d and %q", c.args, status, stdout.String(), stderr.String(), c.status, c.stderr)
		}
	}
	// A command run in vmfa's place: its status, and nothing said.
	root := newRoot(&passphrase.Env{})
	var stderr bytes.Buffer
	root.SetErr(&stderr)
	if status := exitStatus(root, root, exitWith(3, nil)); status != 3 || stderr.Len() != 0 {
		t.Errorf("a command that exited 3: vmfa exits %d, saying %q", status, stderr.String())
	}
	if err := exitWith(0, nil); err != nil {
		t.Errorf("a command that exited 0: %v", err)
	}
}
