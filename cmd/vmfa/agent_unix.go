//go:build unix

package main

import (
	"os"
	"path/filepath"
	"syscall"
	"time"
	"unicode/utf8"

	"github.com/vmfa/vmfa/internal/agent/wire"
	"github.com/vmfa/vmfa/internal/codeprint"
	"github.com/vmfa/vmfa/internal/dirs"
	"github.com/vmfa/vmfa/internal/harden"
	"github.com/vmfa/vmfa/internal/term"
)

// codeFromAgent prints the code args ask for, if they are a command line
// the front end answers and the agent is unlocked and answers it. It
// reports whether it printed: when not, nothing was written and vmfa-full
// takes over, which also says what went wrong, if anything did.
func codeFromAgent(args []string) (printed bool) {
	l, ok := parseCodeLine(args)
	if !ok || wire.Off() {
		return false
	}
	dir := l.dir
	if dir == "" {
		var err error
		if dir, err = dirs.Vault(); err != nil {
			return false
		}
	}
	socket, err := wire.SocketPath(dir)
	if err != nil {
		return false
	}
	// The clock correction of this environment's settings, which may not
	// be the agent's; one that can't be found, vmfa-full says so.
	settingsDir, err := dirs.Settings()
	if err == nil {
		settingsDir, err = filepath.Abs(settingsDir)
	}
	if err != nil || !utf8.ValidString(settingsDir) { // JSON would change it
		return false
	}
	// A code is a secret for its window: no core dump, no swap.
	notes := harden.Process()
	req := wire.Request{Op: wire.OpCode, Code: &wire.CodeRequest{
		Query: l.query, Fresh: l.fresh, Next: l.next || l.asJSON, Settings: settingsDir,
	}}
	resp, err := wire.Do(socket, req)
	if err != nil || resp.Code != "" || resp.Codes == nil {
		return false
	}
	c := *resp.Codes
	if term.IsTerminal(os.Stderr) {
		for _, note := range notes {
			os.Stderr.WriteString("vmfa: note: " + note + "\n")
		}
	}
	for _, note := range c.Notes {
		say(note)
	}
	// A fresh code's window the computer slept through is asked for again.
	for c.Wait > 0 && !codeprint.WaitFresh(c.Wait, time.Duration(c.Period)*time.Second, os.Stderr) {
		resp, err := wire.Do(socket, req)
		if err != nil || resp.Code != "" || resp.Codes == nil {
			return false
		}
		c = *resp.Codes
	}
	if err := codeprint.Print(os.Stdout, c, l.asJSON, l.next); err != nil {
		say(err.Error())
		os.Exit(1)
	}
	return true
}

// runFull replaces this process with vmfa-full, with args and env; it
// returns only if that fails.
func runFull(path string, args, env []string) error {
	return syscall.Exec(path, args, env)
}
