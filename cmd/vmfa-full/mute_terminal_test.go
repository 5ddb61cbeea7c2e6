package main

import (
	"strings"
	"testing"
	"time"

	"github.com/vmfa/vmfa/internal/testenv"
)

// backgroundQuery is the question termenv, Bubble Tea's init and the
// interface ask the terminal: its background colour (OSC 11).
const backgroundQuery = "\x1b]11;?"

// TestMuteTerminalCommandsAskNothing: on a terminal that answers no query
// (a pty with no emulator behind it, some SSH set-ups), a command is not
// kept waiting: it never asks. Bubble Tea v1 asked, in its package's init,
// and every command waited termenv's 5 s for the answer.
func TestMuteTerminalCommandsAskNothing(t *testing.T) {
	parallel(t)
	dir := t.TempDir()
	vaultOf(t, dir, awsURI)
	for _, args := range [][]string{{"--help"}, {"list"}, {"code", "aws"}, {"code", "nomatch"}} {
		cmd := testenv.Command(t, vmfaBin, dir, []string{"TERM=xterm-256color", pw, "VMFA_AGENT=off"}, args...)
		start := time.Now()
		term := testenv.StartMuteTerminal(t, cmd, false)
		_, screen := term.Wait()
		took := time.Since(start)
		if strings.Contains(screen, backgroundQuery) {
			t.Errorf("vmfa %s asked the terminal for its background: %q", strings.Join(args, " "), screen)
		}
		if took > 3*time.Second {
			t.Errorf("vmfa %s took %v on a mute terminal", strings.Join(args, " "), took)
		}
	}
}

// TestMuteTerminalInterfaceOpens: the interface asks for the background,
// for its colours, but waits at most backgroundWait (1 s) for an answer
// that is not coming, not termenv's 5 s (twice, with Bubble Tea's init).
func TestMuteTerminalInterfaceOpens(t *testing.T) {
	parallel(t)
	dir := t.TempDir()
	vaultOf(t, dir, awsURI)
	env := []string{"TERM=xterm-256color", pw, "VMFA_AGENT=off"}

	start := time.Now()
	mute := testenv.StartMuteTerminal(t, testenv.Command(t, vmfaBin, dir, env), false)
	mute.Expect("alice@123456789012")
	took := time.Since(start)
	t.Logf("the list showed after %v on a mute terminal", took.Round(time.Millisecond))
	if took > 3*time.Second {
		t.Fatalf("the list showed after %v on a mute terminal", took)
	}
	if n := strings.Count(mute.String(), backgroundQuery); n != 1 {
		t.Fatalf("the interface asked for the background %d times, want once", n)
	}
	mute.Type("\x03")
	mute.Wait()

	// A terminal that answers is asked once, and the list is in colour.
	answering := testenv.StartTerminal(t, testenv.Command(t, vmfaBin, dir, env), false)
	answering.Expect("alice@123456789012")
	screen := answering.String()
	if n := strings.Count(screen, backgroundQuery); n != 1 {
		t.Fatalf("the interface asked for the background %d times, want once", n)
	}
	if !strings.Contains(screen, "\x1b[38;") {
		t.Fatalf("no colour on a terminal that answers: %q", screen)
	}
	answering.Type("\x03")
	answering.Wait()
}
