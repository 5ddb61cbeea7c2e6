package tui

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/exp/teatest"

	"github.com/vmfa/vmfa/internal/testenv"
	"github.com/vmfa/vmfa/otp"
	"github.com/vmfa/vmfa/vault"
)

// flow runs the TUI in teatest on a real vault.
type flow struct {
	t     *testing.T
	tm    *teatest.TestModel
	store *vault.Store
	clock *fakeClock
	clip  *fakeClipboard
}

func startFlow(t *testing.T, passphrase string, accounts ...otp.Account) *flow {
	t.Helper()
	f := &flow{t: t, store: newVault(t, accounts...), clock: &fakeClock{t: t0}, clip: &fakeClipboard{}}
	cfg := testConfig(f.store, f.clock, f.clip)
	cfg.passphrase = passphrase
	f.tm = teatest.NewTestModel(t, newModel(cfg), teatest.WithInitialTermSize(100, 30))
	t.Cleanup(func() { _ = f.tm.Quit() })
	return f
}

// waitFor waits until the screen output shows every one of the strings.
func (f *flow) waitFor(what ...string) {
	f.t.Helper()
	var seen []byte
	teatest.WaitFor(f.t, f.tm.Output(), func(b []byte) bool {
		seen = append(seen[:0], b...)
		for _, w := range what {
			if !bytes.Contains(b, []byte(w)) {
				return false
			}
		}
		return true
	}, teatest.WithDuration(5*time.Second), teatest.WithCheckInterval(20*time.Millisecond))
}

func (f *flow) typ(s string)        { f.tm.Type(s) }
func (f *flow) press(k tea.KeyType) { f.tm.Send(tea.KeyMsg{Type: k}) }

// waitUntil polls a condition on state outside the screen.
func (f *flow) waitUntil(what string, cond func() bool) {
	f.t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			f.t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func (f *flow) final() Model {
	f.t.Helper()
	if err := f.tm.Quit(); err != nil {
		f.t.Fatal(err)
	}
	return f.tm.FinalModel(f.t, teatest.WithFinalTimeout(5*time.Second)).(Model)
}

func (f *flow) data() *vault.Data {
	f.t.Helper()
	v, err := f.store.Unlock(testPass)
	if err != nil {
		f.t.Fatal(err)
	}
	d, err := v.Load()
	if err != nil {
		f.t.Fatal(err)
	}
	return d
}

func TestFlowUnlock(t *testing.T) {
	f := startFlow(t, "", demo...)
	f.waitFor("Unlock your vault", "Passphrase")
	f.typ("not it")
	f.press(tea.KeyEnter)
	f.waitFor("Wrong passphrase. Try again.")
	f.typ(testPass)
	f.press(tea.KeyEnter)
	f.waitFor("6 accounts", "GitHub", group(code(t, demo[0], t0, false)))
	m := f.final()
	if !onList(m) {
		t.Fatalf("not on the list after unlocking: %T", m.top())
	}
}

func TestFlowPassphraseFromEnvironmentSkipsPrompt(t *testing.T) {
	f := startFlow(t, testPass, demo...)
	f.waitFor("6 accounts", "Proton")
}

func TestFlowFilterAndCopy(t *testing.T) {
	f := startFlow(t, testPass, demo...)
	f.waitFor("6 accounts")
	f.typ("prtn") // scattered: Proton
	f.waitFor("1 of 6 match")
	f.press(tea.KeyEnter)
	want := code(t, demo[5], t0, false)
	f.waitUntil("the Proton code on the clipboard", func() bool { return f.clip.Content() == want })
	f.waitFor("Proton alice@proton.me copied — clears in 20 s")

	// Esc clears the filter, keeping the selection; ctrl+n copies its
	// next code.
	f.press(tea.KeyEsc)
	f.waitFor("6 accounts")
	f.press(tea.KeyCtrlN)
	next := code(t, demo[5], t0, true)
	f.waitUntil("the next Proton code on the clipboard", func() bool { return f.clip.Content() == next })
	f.waitFor("the next code of Proton alice@proton.me copied")

	// 21 s later the clipboard is cleared, since it still holds our code.
	f.clock.Add(21 * time.Second)
	f.waitUntil("the clipboard cleared", func() bool { return f.clip.Content() == "" })
	f.waitFor("clipboard cleared")
}

func TestFlowQuitClearsClipboard(t *testing.T) {
	f := startFlow(t, testPass, demo...)
	f.waitFor("6 accounts")
	f.press(tea.KeyEnter)
	want := code(t, demo[0], t0, false)
	f.waitUntil("a copy", func() bool { return f.clip.Content() == want })
	f.waitFor("copied")
	f.press(tea.KeyCtrlC)
	f.tm.WaitFinished(t, teatest.WithFinalTimeout(5*time.Second))
	if f.clip.Content() != "" || !slices.Contains(f.clip.clears, want) {
		t.Fatalf("quitting left the code on the clipboard (clears %v)", f.clip.clears)
	}
}

func TestFlowHOTP(t *testing.T) {
	f := startFlow(t, testPass, demo...)
	f.waitFor("Hetzner", "••• •••")
	f.typ("hetz")
	f.waitFor("1 of 6 match")
	f.press(tea.KeyEnter)
	want := code(t, demo[4], t0, false) // counter 7
	f.waitUntil("the HOTP code copied", func() bool { return f.clip.Content() == want })
	f.waitFor(group(want), "Hetzner alice copied")
	f.final()
	if d := f.data(); d.Accounts[4].Counter != 8 {
		t.Fatalf("counter stored %d, want 8", d.Accounts[4].Counter)
	}
}

func TestFlowEnrollment(t *testing.T) {
	f := startFlow(t, testPass, demo...)
	f.waitFor("6 accounts")
	f.press(tea.KeyCtrlE)
	c1, c2 := code(t, demo[0], t0, false), code(t, demo[0], t0, true)
	f.waitFor("MFA code 1", "MFA code 2")
	f.typ("1")
	f.waitUntil("code 1 copied", func() bool { return f.clip.Content() == c1 })
	f.typ("2")
	f.waitUntil("code 2 copied", func() bool { return f.clip.Content() == c2 })

	// The window rolls: both codes advance.
	later := f.clock.Add(33 * time.Second) // 12:00:56, 4 s left
	c3 := code(t, demo[0], later, true)
	f.waitFor(" 4s") // the tick with the new time has been drawn
	f.typ("2")
	f.waitUntil("the new code 2 copied", func() bool { return f.clip.Content() == c3 })
	f.typ("1")
	f.waitUntil("the old code 2 is now code 1", func() bool { return f.clip.Content() == c2 })
}

const newURI = "otpauth://totp/Fastmail:alice@fastmail.com?secret=OBQXG43XN5ZGIMJSGM2DKNRXHA4TAMJS&issuer=Fastmail"

func TestFlowAddFromImage(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "fast mail qr.png")
	if err := os.WriteFile(path, testenv.QRPNG(t, newURI, 300), 0o600); err != nil {
		t.Fatal(err)
	}
	f := startFlow(t, testPass, demo...)
	f.waitFor("6 accounts")
	f.press(tea.KeyCtrlA)
	f.waitFor("Add an account")
	// Dragged in as terminals do: quoted.
	f.tm.Send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("'" + path + "'"), Paste: true})
	f.press(tea.KeyEnter)
	// One new TOTP account: the enrollment view opens on it.
	f.waitFor("Enroll", "Fastmail", "MFA code 1")
	m := f.final()
	over[enrollScreen](t, m)
	d := f.data()
	if len(d.Accounts) != 7 || d.Accounts[6].Issuer != "Fastmail" {
		t.Fatalf("account not added: %+v", d.Accounts[len(d.Accounts)-1].Label())
	}
}

func TestFlowAddFromClipboardImageAndTabCompletion(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "screenshot-qr.png"), testenv.QRPNG(t, newURI, 300), 0o600); err != nil {
		t.Fatal(err)
	}
	f := startFlow(t, testPass, demo...)
	f.waitFor("6 accounts")
	f.press(tea.KeyCtrlA)
	f.waitFor("Add an account")
	f.typ("i")
	f.typ(dir + "/scr")
	f.press(tea.KeyTab)
	f.waitFor("screenshot-qr.png")
	f.press(tea.KeyEsc)
	f.press(tea.KeyEsc)
	f.waitFor("6 accounts")

	// The same QR code from the clipboard is a duplicate: said so.
	f.clip.mu.Lock()
	f.clip.image = testenv.QRPNG(t, newURI, 300)
	f.clip.mu.Unlock()
	f.press(tea.KeyCtrlA)
	f.typ("p")
	f.waitFor("Enroll", "Fastmail")
	f.press(tea.KeyEsc)
	f.press(tea.KeyCtrlA)
	f.typ("p")
	f.waitFor("already in the vault: Fastmail:alice@fastmail.com")
}

func TestFlowAddURIAndSecret(t *testing.T) {
	f := startFlow(t, testPass)
	f.waitFor("No accounts yet")
	f.press(tea.KeyCtrlA)
	f.typ("u")
	f.typ(newURI)
	f.press(tea.KeyEnter)
	f.waitFor("added Fastmail:alice@fastmail.com", "MFA code 1")
	f.press(tea.KeyEsc)
	f.waitFor("1 account")
	f.press(tea.KeyCtrlA)
	f.typ("s")
	f.typ("Example")
	f.press(tea.KeyTab)
	f.typ("bob")
	f.press(tea.KeyTab)
	f.typ("not base32!")
	f.press(tea.KeyEnter)
	f.waitFor("not valid base32")
	for range len("not base32!") {
		f.press(tea.KeyBackspace)
	}
	f.typ("jbsw y3dp ehpk 3pxp")
	f.press(tea.KeyEnter)
	f.waitFor("added Example:bob")
	f.final()
	if d := f.data(); len(d.Accounts) != 2 || d.Accounts[1].Secret != "JBSWY3DPEHPK3PXP" {
		t.Fatalf("accounts %+v", d.Accounts)
	}
}

func TestFlowRenameDeletePin(t *testing.T) {
	f := startFlow(t, testPass, demo...)
	f.waitFor("6 accounts")
	f.press(tea.KeyDown) // Amazon Web Services
	f.press(tea.KeyTab)
	f.waitFor("Actions · Amazon Web Services root@prod-account")
	f.typ("r")
	f.waitFor("Rename", "Amazon Web Services:root@prod-account")
	f.press(tea.KeyCtrlU) // clear the issuer field
	f.typ("AWS")
	f.press(tea.KeyEnter)
	f.waitFor("renamed to AWS:root@prod-account")

	f.press(tea.KeyTab)
	f.typ("d")
	f.waitFor("Delete AWS:root@prod-account?")
	f.typ("y")
	f.waitFor("deleted AWS:root@prod-account", "5 accounts")

	// Pin Proton (last) to the top.
	f.press(tea.KeyEnd)
	f.press(tea.KeyTab)
	f.typ("p")
	f.waitFor("pinned Proton:alice@proton.me", "★")
	f.final()
	d := f.data()
	if len(d.Accounts) != 5 || slices.ContainsFunc(d.Accounts, func(e vault.Entry) bool { return strings.Contains(e.Label(), "root@prod") }) {
		t.Fatalf("not deleted: %v", labelsOf(d))
	}
	if !d.Accounts[4].Pinned {
		t.Fatalf("Proton not pinned")
	}
}

// TestFlowShowQR reads the QR code off the screen: what a phone would scan
// is the account's URI.
func TestFlowShowQR(t *testing.T) {
	f := startFlow(t, testPass, demo...)
	f.waitFor("6 accounts")
	f.press(tea.KeyTab)
	f.typ("q")
	f.waitFor("Show GitHub:alice@example.com as a QR code?")
	f.typ("y")
	f.waitFor("any key closes")
	m := f.final()
	texts, err := decodeScreenQR(m.View())
	if err != nil {
		t.Fatalf("%v:\n%s", err, m.View())
	}
	want := demo[0]
	if err := want.Normalize(); err != nil {
		t.Fatal(err)
	}
	if len(texts) != 1 || texts[0] != want.URI() {
		t.Fatalf("the QR code holds %q, want %q", texts, want.URI())
	}
}

// TestFlowIdleLock: the interface locks after 5 minutes without a key
// press, and each key press starts the 5 minutes again.
func TestFlowIdleLock(t *testing.T) {
	f := startFlow(t, testPass, demo...)
	f.waitFor("6 accounts")
	f.press(tea.KeyEnter)
	f.waitUntil("a copy", func() bool { return f.clip.Content() != "" })
	f.clock.Add(4 * time.Minute)
	f.press(tea.KeyDown) // activity restarts the 5 minutes
	f.waitFor("▸ Amazon Web Services")
	f.clock.Add(2 * time.Minute) // 6 minutes after unlocking, 2 after the key
	// The next tick must draw the list, with the codes of 12:06, and not
	// lock it: had the key press not restarted the 5 minutes, this tick
	// would lock the vault and the codes would never show.
	f.waitFor("▸ Amazon Web Services", group(code(t, demo[1], t0.Add(6*time.Minute), false)))
	f.clock.Add(3*time.Minute + time.Second)
	f.waitFor("Locked after 5 minutes without a key press.")
	if f.clip.Content() != "" {
		t.Fatal("the clipboard still holds the code after locking")
	}
	f.typ(testPass)
	f.press(tea.KeyEnter)
	f.waitFor("6 accounts")
	f.clock.Add(5 * time.Minute)
	f.waitFor("Locked after")
	m := f.final()
	if !m.locked() || len(m.accounts) != 0 || len(m.list.codes) != 0 || len(m.list.entries) != 0 {
		t.Fatal("secrets kept in memory after the idle lock")
	}
}

func labelsOf(d *vault.Data) []string {
	var s []string
	for _, e := range d.Accounts {
		s = append(s, e.Label())
	}
	return s
}
