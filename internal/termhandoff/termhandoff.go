// Package termhandoff keeps vmfa-full's start from asking the terminal
// anything.
//
// Bubble Tea v1 asks the terminal for its background colour (OSC 11, then
// the cursor's position) while its package is initialized, before main, in
// every program that links it: vmfa-full, whatever the command. A terminal
// that answers neither (some SSH and serial set-ups, a pty with no emulator
// behind it) makes every command wait termenv's 5 s for nothing. termenv
// asks no terminal whose TERM is "dumb", and reads TERM only when it asks.
//
// So the front end execs vmfa-full with TERM=dumb and the real TERM in
// VMFA_HANDOFF_TERM (Handoff), and vmfa-full's main puts it back before it does
// anything else (Release): no child of vmfa-full (aws exec, git, a
// passphrase command) ever sees either change. The interface asks for the
// background itself, within a bound (package termbg). vmfa-full run
// directly, without the front end, asks as Bubble Tea does.
package termhandoff

import (
	"os"
	"strings"
)

// handoffVar carries TERM across the exec: "=VALUE" when TERM was set (to
// VALUE, maybe empty), "-" when it was not.
const handoffVar = "VMFA_HANDOFF_TERM"

// Handoff returns environ (KEY=VALUE pairs, as os.Environ gives them) as
// the front end hands it to vmfa-full: TERM=dumb, the real TERM kept for
// Release.
func Handoff(environ []string) []string {
	was := "-"
	env := make([]string, 0, len(environ)+2)
	for _, kv := range environ {
		switch {
		case strings.HasPrefix(kv, "TERM="):
			was = kv[len("TERM"):]
		case strings.HasPrefix(kv, handoffVar+"="):
		default:
			env = append(env, kv)
		}
	}
	return append(env, handoffVar+"="+was, "TERM=dumb")
}

// Release puts back the TERM that Handoff kept, if it kept one, and forgets
// it.
func Release() {
	was, held := os.LookupEnv(handoffVar)
	if !held {
		return
	}
	os.Unsetenv(handoffVar)
	switch {
	case was == "-":
		os.Unsetenv("TERM")
	case strings.HasPrefix(was, "="):
		os.Setenv("TERM", was[1:])
	}
}
