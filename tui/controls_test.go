package tui

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/vmfa/vmfa/vault"
)

// Text from outside reaches the interface with its terminal controls
// written out: a label in a row, the status line, a screen's error.

// hostile sets the terminal's title, clears it, and holds C1 CSI and OSC
// as a character and as a byte.
const hostile = "\x1b]0;PWNED\a\x1b[2J\u009b2J\x9d"

// shown is hostile as the interface must show it.
const shown = `\x1b]0;PWNED\x07\x1b[2J\u009b2J\x9d`

// checkNoRawControls fails if the frame holds what hostile does raw (the
// frame's own colours are ESC [ … m, which it may), or does not show want.
func checkNoRawControls(t *testing.T, what, v, want string) {
	t.Helper()
	for i, r := range v {
		switch {
		case r == utf8.RuneError && !strings.HasPrefix(v[i:], "\ufffd"):
			t.Errorf("%s: byte %#x raw in the frame", what, v[i])
		case r == '\a' || r == 0x7f || 0x80 <= r && r <= 0x9f:
			t.Errorf("%s: %U raw in the frame", what, r)
		case r == 0x1b && !strings.HasPrefix(v[i:], "\x1b["):
			t.Errorf("%s: ESC %q raw in the frame", what, v[i:min(len(v), i+4)])
		}
	}
	if strings.Contains(v, "\x1b[2J") || strings.Contains(v, "PWNED\a") {
		t.Errorf("%s: the hostile sequence is in the frame raw", what)
	}
	if !strings.Contains(v, want) {
		t.Errorf("%s: the frame does not show %q:\n%s", what, want, v)
	}
}

func TestInterfaceControlsEscaped(t *testing.T) {
	s := newVault(t, demo...)
	m := unlocked(t, s, &fakeClock{t: t0}, &fakeClipboard{}, 120, 24)

	// A label as no vault holds it (they are checked when read), shown
	// the same way all the same.
	accounts := append([]vault.Entry{}, m.accounts...)
	accounts[0].Issuer, accounts[0].Name = hostile, "bob"+hostile
	m.setAccounts(accounts)
	checkNoRawControls(t, "row", m.View(), `\x1b]0;PWNED`)

	m = send(m, toastMsg{text: "copying failed: " + hostile, isErr: true})
	checkNoRawControls(t, "status line", m.View(), "copying failed: "+shown)
	m = send(m, copiedMsg{err: errors.New("x" + hostile)})
	checkNoRawControls(t, "status line, copy failed", m.View(), "copying failed: x"+shown)

	m.setAccounts(m.accounts[1:])
	m = addImage(m, "/nonexistent.png")
	m = send(m, decodedMsg{err: fmt.Errorf("%s: not a regular file", hostile)})
	checkNoRawControls(t, "add screen", m.View(), shown+": not a regular file")
	// The parts of an export still missing, said of images named on the disk.
	m = send(m, decodedMsg{source: "p" + hostile, texts: []string{exportURI(0, 2, 9, gitlab)}})
	checkNoRawControls(t, "add screen, an export's missing parts", m.View(), "p"+shown+": Google Authenticator export is incomplete")
}

// TestCompletionControlsEscaped: the file names Tab lists on the add
// screen come from the disk, where a download may be named to set the
// terminal's title or clear it.
func TestCompletionControlsEscaped(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"a" + hostile + ".png", "ab.png"} {
		if err := os.WriteFile(filepath.Join(dir, name), nil, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	s := newVault(t, demo...)
	m := unlocked(t, s, &fakeClock{t: t0}, &fakeClipboard{}, 120, 24)
	m = send(m, special(tea.KeyCtrlA))
	m = send(m, keys("i"))
	m = send(m, keys(dir+"/a"))
	m = send(m, special(tea.KeyTab))
	checkNoRawControls(t, "completion", m.View(), "a"+shown+".png")
}
