package tui

import (
	"strconv"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/vmfa/vmfa/otp"
	"github.com/vmfa/vmfa/vault"
)

// TestTypingAlwaysFilters: every printable key typed in the list builds
// the query, those that used to be commands included (q quit, c copied, d
// deleted, a added, e enrolled, j and k moved), typed one at a time or
// merged into one message by a fast typist.
func TestTypingAlwaysFilters(t *testing.T) {
	s := newVault(t, demo...)
	clip := &fakeClipboard{}
	for _, q := range []string{"aws", "q", "c", "d", "jk", "e", "f", "n", "r", "K", "J", "Q", "?", "/", "a c", "aws:root"} {
		for _, merged := range []bool{false, true} {
			m := unlocked(t, s, &fakeClock{t: t0}, clip, 80, 24)
			if merged {
				m = send(m, keys(q))
			} else {
				m = typeKeys(m, q)
			}
			if m.quitting || !onList(m) || m.list.filter.Value() != q {
				t.Errorf("typing %q (merged %v): quitting %v, on top %T, query %q", q, merged, m.quitting, m.top(), m.list.filter.Value())
			}
		}
	}
	if len(clip.Copies()) != 0 {
		t.Errorf("typing copied %v", clip.Copies())
	}
	if d := loadData(t, s); len(d.Accounts) != len(demo) {
		t.Errorf("typing changed the vault: %d accounts", len(d.Accounts))
	}
}

// TestListKeys: the actions are on keys that cannot be part of a query.
func TestListKeys(t *testing.T) {
	s := newVault(t, demo...)
	clip := &fakeClipboard{}
	m := unlocked(t, s, &fakeClock{t: t0}, clip, 80, 24)

	m = send(m, special(tea.KeyDown))
	m = send(m, special(tea.KeyDown))
	if e, _ := m.list.selected(); e.Issuer != "Google" {
		t.Fatalf("↓↓ selects %s", e.Label())
	}
	m = send(m, special(tea.KeyEnter))
	if got := clip.Content(); got != code(t, demo[2], t0, false) {
		t.Fatalf("Enter copied %q", got)
	}
	m = send(m, special(tea.KeyCtrlN))
	if got := clip.Content(); got != code(t, demo[2], t0, true) {
		t.Fatalf("ctrl+n copied %q", got)
	}
	for _, c := range []struct {
		key  tea.KeyType
		want string
	}{
		{tea.KeyTab, "tui.actionsScreen"},
		{tea.KeyCtrlA, "tui.addScreen"},
		{tea.KeyCtrlE, "tui.enrollScreen"},
		{tea.KeyF1, "tui.helpScreen"},
	} {
		mm := send(m, special(c.key))
		if got := typeName(mm.top()); got != c.want {
			t.Errorf("%v opens %s, want %s", tea.Key{Type: c.key}, got, c.want)
		}
		if mm.list.filter.Value() != "" {
			t.Errorf("%v typed %q into the filter", tea.Key{Type: c.key}, mm.list.filter.Value())
		}
	}
	m = send(m, special(tea.KeyEnd))
	if e, _ := m.list.selected(); e.Issuer != "Proton" {
		t.Fatalf("End selects %s", e.Label())
	}
	m = send(m, special(tea.KeyHome))
	if e, _ := m.list.selected(); e.Issuer != "GitHub" {
		t.Fatalf("Home selects %s", e.Label())
	}
	// Esc on an empty query does not quit: ctrl+c does.
	m = send(m, special(tea.KeyEsc))
	if m.quitting || !strings.Contains(m.View(), "ctrl+c quits") {
		t.Fatalf("esc on an empty query: quitting %v\n%s", m.quitting, m.View())
	}
	m = send(m, special(tea.KeyCtrlC))
	if !m.quitting {
		t.Fatal("ctrl+c does not quit")
	}
}

// TestActionsMenu: Tab opens the actions for the selected account; each is
// on a letter, and Enter does the highlighted one.
func TestActionsMenu(t *testing.T) {
	s := newVault(t, demo...)
	clip := &fakeClipboard{}
	m := unlocked(t, s, &fakeClock{t: t0}, clip, 100, 30)
	m = send(m, keys("prot"))
	m = send(m, special(tea.KeyTab))
	a := over[actionsScreen](t, m)
	if a.entry.Issuer != "Proton" || !strings.Contains(m.View(), "Actions · Proton alice@proton.me") {
		t.Fatalf("the menu is not for Proton:\n%s", m.View())
	}
	m = send(m, keys("n"))
	if !onList(m) || clip.Content() != code(t, demo[5], t0, true) {
		t.Fatalf("n in the menu: on top %T, clipboard %q", m.top(), clip.Content())
	}
	if m.list.filter.Value() != "prot" {
		t.Fatalf("the menu lost the query: %q", m.list.filter.Value())
	}
	// Enter does the highlighted action: the first, copying.
	m = send(m, special(tea.KeyTab))
	m = send(m, special(tea.KeyEnter))
	if !onList(m) || clip.Content() != code(t, demo[5], t0, false) {
		t.Fatalf("enter in the menu: on top %T, clipboard %q", m.top(), clip.Content())
	}
	// The rest open their screens; esc goes back.
	for letter, want := range map[string]string{"e": "tui.enrollScreen", "r": "tui.renameDialog", "d": "tui.deleteDialog", "q": "tui.qrDialog", "a": "tui.addScreen", "g": "tui.googleExportScreen", "?": "tui.helpScreen"} {
		mm := send(send(m, special(tea.KeyTab)), keys(letter))
		if got := typeName(mm.top()); got != want {
			t.Errorf("%s in the menu opens %s, want %s", letter, got, want)
		}
	}
	m = send(send(m, special(tea.KeyTab)), special(tea.KeyEsc))
	if !onList(m) {
		t.Fatalf("esc leaves the menu on top")
	}
	// An HOTP account has no next code and no enrollment.
	m = send(m, special(tea.KeyEsc))
	m = send(m, keys("hetz"))
	m = send(m, special(tea.KeyTab))
	if v := m.View(); strings.Contains(v, "copy the next code") || strings.Contains(v, "enroll") {
		t.Fatalf("HOTP actions:\n%s", v)
	}
}

// TestRankedFilterCopiesTopMatch: with GitHub and Google, "goo" puts
// Google on top and Enter copies Google's code; the status line names it.
func TestRankedFilterCopiesTopMatch(t *testing.T) {
	accounts := []otp.Account{
		// "goo" starts GitHub's name (the fuzzy filter before put it
		// first), and is scattered in the other's.
		{Issuer: "GitHub", Name: "goodwin", Secret: "JBSWY3DPEHPK3PXP"},
		{Issuer: "GitHub", Name: "bob@outlook.com", Secret: "KRSXG5CTMVRXEZLUKN2XAZLSONSWG4TF"},
		{Issuer: "Google", Name: "alice@gmail.com", Secret: "MFRGGZDFMZTWQ2LKNNWG23TPOBYXE43U"},
		{Issuer: "Amazon Web Services", Name: "alice@123456789012", Secret: "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"},
	}
	s := newVault(t, accounts...)
	clip := &fakeClipboard{}
	m := unlocked(t, s, &fakeClock{t: t0}, clip, 80, 24)
	m = typeKeys(m, "goo")
	m = send(m, special(tea.KeyEnter))
	if got, want := clip.Content(), code(t, accounts[2], t0, false); got != want {
		t.Fatalf("goo + Enter copied %q, want Google's %q", got, want)
	}
	if v := m.View(); !strings.Contains(v, "✓ Google alice@gmail.com copied — clears in 20 s") {
		t.Fatalf("the status line does not name the account:\n%s", v)
	}
	// The issuer's initials rank AWS first.
	m = send(m, special(tea.KeyEsc))
	m = typeKeys(m, "aws")
	m = send(m, special(tea.KeyEnter))
	if got, want := clip.Content(), code(t, accounts[3], t0, false); got != want {
		t.Fatalf("aws + Enter copied %q, want AWS's %q", got, want)
	}
}

// A URI pasted on the list opens the add screen in URI mode rather than
// becoming filter text.
func TestPasteURIOnList(t *testing.T) {
	for _, msg := range []tea.KeyMsg{paste(newURI), keys(newURI)} { // bracketed or not
		s := newVault(t, demo...)
		m := unlocked(t, s, &fakeClock{t: t0}, &fakeClipboard{}, 80, 24)
		m = send(m, msg)
		a := over[addScreen](t, m)
		if a.mode != addURI || a.uri.Value() != newURI {
			t.Fatalf("mode %d, URI field %q", a.mode, a.uri.Value())
		}
		if m.list.filter.Value() != "" {
			t.Fatalf("the URI went into the filter: %q", m.list.filter.Value())
		}
	}
}

// ctrl+n on an HOTP account spends no counter value.
func TestNextOnHOTPSpendsNothing(t *testing.T) {
	s := newVault(t, demo...)
	clip := &fakeClipboard{}
	m := unlocked(t, s, &fakeClock{t: t0}, clip, 80, 24)
	m = typeKeys(m, "hetzner")
	if e, _ := m.list.selected(); e.Issuer != "Hetzner" {
		t.Fatalf("selected %s", e.Label())
	}
	m = send(m, special(tea.KeyCtrlN))
	if len(clip.Copies()) != 0 || m.accounts[4].Counter != 7 {
		t.Fatalf("ctrl+n copied %v, counter %d", clip.Copies(), m.accounts[4].Counter)
	}
	if v := m.View(); !strings.Contains(v, "HOTP codes have no next window") {
		t.Fatalf("no explanation:\n%s", v)
	}
	m = send(m, special(tea.KeyEnter))
	if got := clip.Copies(); len(got) != 1 || got[0] != code(t, demo[4], t0, false) || m.accounts[4].Counter != 8 {
		t.Fatalf("Enter copied %v, counter %d", got, m.accounts[4].Counter)
	}
}

// The code cache forgets a deleted account even when another was added
// meanwhile (as many entries as codes).
func TestCodeCachePrunesStaleIDs(t *testing.T) {
	s := newVault(t, demo[:2]...)
	d := loadData(t, s)
	m := unlocked(t, s, &fakeClock{t: t0}, &fakeClipboard{}, 80, 24)
	c := m.list.codes
	gone := d.Accounts[0].ID
	replaced := append([]vault.Entry{}, d.Accounts...)
	replaced[0].ID = "new"
	m = send(m, accountsMsg(replaced))
	if _, ok := c[gone]; ok || len(c) != 2 {
		t.Fatalf("stale code kept: %d codes", len(c))
	}
}

func loadData(t testing.TB, s *vault.Store) *vault.Data {
	t.Helper()
	v, err := s.Unlock(testPass)
	if err != nil {
		t.Fatal(err)
	}
	d, err := v.Load()
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// TestLabelKeepsAccountID: at 80 columns a row keeps the whole name, whose
// end is the AWS account ID that tells accounts apart; the issuer, which
// rows share, is cut first.
func TestLabelKeepsAccountID(t *testing.T) {
	s := newVault(t,
		otp.Account{Issuer: "Amazon Web Services", Name: "alice@123456789012", Secret: "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"},
		otp.Account{Issuer: "Amazon Web Services", Name: "alice@210987654321", Secret: "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJR"},
		otp.Account{Issuer: "GitHub", Name: "alice", Secret: "JBSWY3DPEHPK3PXP"},
	)
	for _, w := range []int{80, 100} {
		m := unlocked(t, s, &fakeClock{t: t0}, &fakeClipboard{}, w, 24)
		v := m.View()
		checkFrame(t, v, w, 24)
		for _, id := range []string{"alice@123456789012", "alice@210987654321"} {
			if !strings.Contains(v, id) {
				t.Errorf("%d columns: %s is cut:\n%s", w, id, v)
			}
		}
		if !strings.Contains(v, "GitHub alice ") {
			t.Errorf("%d columns: a short label is cut:\n%s", w, v)
		}
	}
}

// TestHOTPRowShowsUsedCode: after an HOTP code is copied, the row shows it
// as used, with the counter it was the code of, never beside the next
// counter as if it were that counter's code.
func TestHOTPRowShowsUsedCode(t *testing.T) {
	s := newVault(t, demo...)
	clip := &fakeClipboard{}
	for _, w := range []int{100, 60} {
		m := unlocked(t, s, &fakeClock{t: t0}, clip, w, 24)
		counter := m.accounts[4].Counter
		m = typeKeys(m, "hetz")
		m = send(m, special(tea.KeyEnter))
		used := clip.Content()
		a := demo[4]
		a.Counter = counter
		if m.accounts[4].Counter != counter+1 || used != code(t, a, t0, false) {
			t.Fatalf("copied %q, counter %d", used, m.accounts[4].Counter)
		}
		row := ""
		for _, l := range strings.Split(m.View(), "\n") {
			if strings.Contains(l, "Hetzner alice ") && row == "" {
				row = l
			}
		}
		next := "counter " + strconv.FormatUint(counter+1, 10)
		if !strings.Contains(row, group(used)) || strings.Contains(row, next) {
			t.Errorf("%d columns: the used code beside the next counter: %q", w, row)
		}
		if want := strconv.FormatUint(counter, 10) + " used"; !strings.Contains(row, want) && !strings.Contains(row, "counter "+strconv.FormatUint(counter, 10)+" · used") {
			t.Errorf("%d columns: the row does not say the code is used: %q", w, row)
		}
	}
}

// TestActionsMenuWithoutAccounts: with no account to act on, the menu
// still adds one and shows the keys.
func TestActionsMenuWithoutAccounts(t *testing.T) {
	m := unlocked(t, newVault(t), &fakeClock{t: t0}, &fakeClipboard{}, 80, 24)
	m = send(m, special(tea.KeyTab))
	if v := m.View(); strings.Contains(v, "rename") || !strings.Contains(v, "add an account") {
		t.Fatalf("the menu without accounts:\n%s", v)
	}
	m = send(m, keys("a"))
	over[addScreen](t, m)
}
