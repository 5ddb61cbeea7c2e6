package main

import (
	"strings"
	"testing"

	"github.com/vmfa/vmfa/internal/testenv"
)

// onTerminal starts vmfa with a vault in dir on a pseudo-terminal of its
// own, as its controlling terminal: what the user sees and types, prompts
// included. With pipeStdout, stdout goes to a pipe (read with Stdout)
// rather than the terminal; stdin and stderr are always the terminal,
// unless stdin is given.
func onTerminal(t *testing.T, dir string, env []string, pipeStdout bool, stdin *string, args ...string) *testenv.Terminal {
	t.Helper()
	cmd := testenv.Command(t, vmfaBin, dir, with([]string{"TERM=xterm"}, env...), args...)
	if stdin != nil {
		cmd.Stdin = strings.NewReader(*stdin)
	}
	return testenv.StartTerminal(t, cmd, pipeStdout)
}
