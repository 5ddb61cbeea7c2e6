package tui

import (
	"errors"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/vmfa/vmfa/vault"
)

func paste(s string) tea.KeyMsg { return tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(s), Paste: true} }

const secretOfNewURI = "OBQXG43XN5ZGIMJSGM2DKNRXHA4TAMJS"

// A URI pasted on the add menu goes to the URI field and is added.
func TestPasteURIOnAddMenu(t *testing.T) {
	s := newVault(t, demo...)
	m := unlocked(t, s, &fakeClock{t: t0}, &fakeClipboard{}, 80, 24)
	m = send(m, keys("a"))
	m = send(m, paste(newURI))
	if m.screen != screenAdd || m.add.mode != addURI || m.add.uri.Value() != newURI {
		t.Fatalf("paste went to mode %d, URI field %q", m.add.mode, m.add.uri.Value())
	}
	m = send(m, special(tea.KeyEnter))
	if !strings.Contains(m.View(), "added Fastmail:alice@fastmail.com") || len(m.vault.Accounts) != 7 {
		t.Fatalf("URI not added:\n%s", m.View())
	}
}

// A URI pasted on the list opens the add screen in URI mode rather than
// becoming filter text.
func TestPasteURIOnList(t *testing.T) {
	for _, msg := range []tea.KeyMsg{paste(newURI), keys(newURI)} { // bracketed or not
		s := newVault(t, demo...)
		m := unlocked(t, s, &fakeClock{t: t0}, &fakeClipboard{}, 80, 24)
		m = send(m, msg)
		if m.screen != screenAdd || m.add.mode != addURI || m.add.uri.Value() != newURI {
			t.Fatalf("screen %d mode %d", m.screen, m.add.mode)
		}
		if m.list.filter.Value() != "" || m.list.filter.Focused() {
			t.Fatalf("the URI went into the filter: %q", m.list.filter.Value())
		}
	}
}

// A URI in the path field is added as a URI; a path that fails to open
// and looks like a URI is reported without echoing it.
func TestURIInPathFieldNeverEchoesSecret(t *testing.T) {
	s := newVault(t, demo...)
	m := unlocked(t, s, &fakeClock{t: t0}, &fakeClipboard{}, 80, 24)
	m = send(m, keys("a"))
	m = send(m, keys("i"))
	m = send(m, keys(newURI))
	m = send(m, special(tea.KeyEnter))
	if len(m.vault.Accounts) != 7 {
		t.Fatalf("URI in the path field not added: %q\n%s", m.add.err, m.View())
	}
	for _, p := range []string{"file://" + newURI, "./" + newURI} {
		msg := decodeFileCmd(p)().(decodedMsg)
		if msg.err == nil || strings.Contains(msg.err.Error(), secretOfNewURI) || !strings.Contains(msg.err.Error(), "otpauth URI") {
			t.Errorf("decodeFileCmd(%q) error %v", p, msg.err)
		}
	}
}

// Merged runes are separate keys: "jjj" moves down three rows; after a
// rune that is no binding, the rest is filter text, as typed one by one.
func TestMergedKeysAreSplit(t *testing.T) {
	s := newVault(t, demo...)
	m := unlocked(t, s, &fakeClock{t: t0}, &fakeClipboard{}, 80, 24)
	j := send(m, keys("jjj"))
	if j.list.cursor != 3 || j.list.filter.Focused() || j.list.filter.Value() != "" {
		t.Fatalf("jjj: cursor %d, filter %q", j.list.cursor, j.list.filter.Value())
	}
	x := send(m, keys("jgoo"))
	if !x.list.filter.Focused() || x.list.filter.Value() != "goo" {
		t.Fatalf("jgoo: filter %q, focused %v", x.list.filter.Value(), x.list.filter.Focused())
	}
	// As typed one at a time: "x" starts the filter, then j is text.
	y := send(m, keys("xj"))
	if y.list.filter.Value() != "xj" {
		t.Fatalf("xj: filter %q", y.list.filter.Value())
	}
	// A key that opens a screen passes the rest to it.
	a := send(m, keys("au"))
	if a.screen != screenAdd || a.add.mode != addURI {
		t.Fatalf("au: screen %d mode %d", a.screen, a.add.mode)
	}
	q := send(m, keys("jq"))
	if !q.quitting {
		t.Fatal("jq did not quit")
	}
}

// The clipboard clear is timed from the copy, read from the clock, and
// "clipboard cleared" is said only when the clipboard still held the code.
func TestClipboardClearTiming(t *testing.T) {
	s := newVault(t, demo...)
	clock := &fakeClock{t: t0}
	clip := &fakeClipboard{}
	m := unlocked(t, s, clock, clip, 80, 24)
	clock.Add(900 * time.Millisecond) // the copy comes 0.9 s after the tick
	m = send(m, keys("c"))
	want := code(t, demo[0], t0, false)
	if clip.Content() != want {
		t.Fatalf("clipboard %q", clip.Content())
	}
	if v := m.View(); !strings.Contains(v, "code copied — clears in 20 s") {
		t.Fatalf("no countdown:\n%s", v)
	}
	m = send(m, tickMsg(t0.Add(20*time.Second)))
	if clip.Content() != want || m.copied == "" {
		t.Fatal("cleared 19.1 s after the copy")
	}
	m = send(m, tickMsg(t0.Add(21*time.Second)))
	if clip.Content() != "" || !strings.Contains(m.View(), "clipboard cleared") {
		t.Fatalf("not cleared 20.1 s after the copy:\n%s", m.View())
	}

	// The user copies something else: it is left, and nothing is said.
	m = send(m, keys("c"))
	if err := clip.Copy("my notes"); err != nil {
		t.Fatal(err)
	}
	m = send(m, tickMsg(t0.Add(45*time.Second)))
	if clip.Content() != "my notes" {
		t.Fatal("the user's clipboard was cleared")
	}
	if v := m.View(); strings.Contains(v, "clipboard cleared") {
		t.Fatalf("claims a clear that did not happen:\n%s", v)
	}
}

// Help is per screen: ? on the list does not carry over, and ? in the
// enrollment view shows its own help.
func TestHelpPerScreen(t *testing.T) {
	s := newVault(t, demo...)
	m := unlocked(t, s, &fakeClock{t: t0}, &fakeClipboard{}, 80, 24)
	short := m.footerHeight()
	m = send(m, keys("?"))
	if m.footerHeight() <= short {
		t.Fatal("? shows no full help on the list")
	}
	m = send(m, keys("e"))
	if m.screen != screenEnroll || m.footerHeight() != short {
		t.Fatalf("the list's full help carried over to the enrollment view:\n%s", m.View())
	}
	m = send(m, keys("?"))
	v := m.View()
	if !strings.Contains(v, "consecutive") || m.footerHeight() <= short {
		t.Fatalf("? in the enrollment view shows nothing:\n%s", v)
	}
	// Even with the full help, both codes are shown whole.
	if !showsCode(m.c.st, v, code(t, demo[0], t0, false)) || !showsCode(m.c.st, v, code(t, demo[0], t0, true)) {
		t.Fatalf("codes not shown whole:\n%s", v)
	}
	m = send(m, special(tea.KeyEsc))
	if m.screen != screenList || m.fullHelp() {
		t.Fatal("the help stayed open on the list")
	}
	m = send(m, keys("e"))
	if m.fullHelp() {
		t.Fatal("the enrollment help stayed open")
	}
	m = send(m, keys("2"))
	if v := m.View(); !strings.Contains(v, "MFA code 2 copied — clears in 20 s") {
		t.Fatalf("the status does not say which code was copied:\n%s", v)
	}
}

// n on an HOTP account spends no counter value.
func TestNextOnHOTPSpendsNothing(t *testing.T) {
	s := newVault(t, demo...)
	clip := &fakeClipboard{}
	m := unlocked(t, s, &fakeClock{t: t0}, clip, 80, 24)
	for range 4 {
		m = send(m, keys("j"))
	}
	if e, _ := m.list.selected(); e.Issuer != "Hetzner" {
		t.Fatalf("selected %s", e.Label())
	}
	m = send(m, keys("n"))
	if len(clip.Copies()) != 0 || m.vault.Accounts[4].Counter != 7 {
		t.Fatalf("n copied %v, counter %d", clip.Copies(), m.vault.Accounts[4].Counter)
	}
	if v := m.View(); !strings.Contains(v, "HOTP codes have no next window") {
		t.Fatalf("no explanation:\n%s", v)
	}
	m = send(m, special(tea.KeyEnter))
	if got := clip.Copies(); len(got) != 1 || got[0] != code(t, demo[4], t0, false) || m.vault.Accounts[4].Counter != 8 {
		t.Fatalf("Enter copied %v, counter %d", got, m.vault.Accounts[4].Counter)
	}
}

// The code cache forgets a deleted account even when another was added
// meanwhile (as many entries as codes).
func TestCodeCachePrunesStaleIDs(t *testing.T) {
	s := newVault(t, demo[:2]...)
	v, err := s.Unlock(testPass)
	if err != nil {
		t.Fatal(err)
	}
	d, err := v.Load()
	if err != nil {
		t.Fatal(err)
	}
	// The cache follows the vault's data wherever the model takes a new copy.
	m := unlocked(t, s, &fakeClock{t: t0}, &fakeClipboard{}, 80, 24)
	c := m.codes
	gone := d.Accounts[0].ID
	replaced := append([]vault.Entry{}, d.Accounts...)
	replaced[0].ID = "new"
	m.setVault(vault.Data{Version: vault.Version, Accounts: replaced})
	if _, ok := c[gone]; ok || len(c) != 2 {
		t.Fatalf("stale code kept: %d codes", len(c))
	}
}

func TestAddScreenDetails(t *testing.T) {
	s := newVault(t, demo...)
	m := unlocked(t, s, &fakeClock{t: t0}, &fakeClipboard{}, 60, 15)
	m = send(m, keys("a"))
	m = send(m, keys("i"))
	long := "/tmp/" + strings.Repeat("very-long-directory-name/", 8) + "qr-end.png"
	m = send(m, keys(long))
	// The input scrolls: the end of a long path, where the cursor is, shows.
	if v := m.View(); !strings.Contains(v, "qr-end.png") {
		t.Fatalf("the end of a long path is cut off:\n%s", v)
	}
	// A stale completion error goes when the path changes.
	m = send(m, completionMsg{input: m.add.path.Value(), err: errors.New("no file matches")})
	if !strings.Contains(m.View(), "no file matches") {
		t.Fatal("completion error not shown")
	}
	m = send(m, special(tea.KeyBackspace))
	if strings.Contains(m.View(), "no file matches") {
		t.Fatal("the completion error stays after typing")
	}
	// A long error wraps rather than being cut.
	m.add.err = "the QR code could not be read: make sure the whole code is in the screenshot and sharp enough"
	if v := m.View(); !strings.Contains(v, "sharp enough") {
		t.Fatalf("the end of the error is cut:\n%s", v)
	}
	// Esc, then i: an empty path.
	m = send(m, special(tea.KeyEsc))
	m = send(m, keys("i"))
	if m.add.path.Value() != "" || m.add.err != "" {
		t.Fatalf("the old path %q came back", m.add.path.Value())
	}

	// Saving a URI runs the spinner.
	m = send(m, special(tea.KeyEsc))
	m = send(m, keys("u"))
	m = send(m, keys(newURI))
	_, cmd := m.Update(special(tea.KeyEnter))
	batch, ok := cmd().(tea.BatchMsg)
	if !ok {
		t.Fatal("Enter on a URI starts no spinner")
	}
	spins := false
	for _, c := range batch {
		done := make(chan tea.Msg, 1)
		go func() { done <- c() }()
		select {
		case msg := <-done:
			spins = spins || isSpinnerOrBlink(msg)
		case <-time.After(time.Second):
		}
	}
	if !spins {
		t.Fatal("the spinner does not tick while saving a URI")
	}
}
