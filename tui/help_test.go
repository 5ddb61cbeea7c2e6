package tui

import (
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
)

// Help is per screen: f1 on the list shows every key on a screen of its
// own, which any key closes; ? in the enrollment view shows its own help,
// which does not carry over.
func TestHelpPerScreen(t *testing.T) {
	s := newVault(t, demo...)
	m := unlocked(t, s, &fakeClock{t: t0}, &fakeClipboard{}, 80, 24)
	short := m.footerHeight()
	m = send(m, special(tea.KeyF1))
	over[helpScreen](t, m)
	v := m.View()
	for _, want := range []string{"ctrl+n", "copy next code", "shift+↑", "tab", "actions", "Everything you type filters the list", "c QR code on screen"} {
		if !strings.Contains(v, want) {
			t.Errorf("the help screen lacks %q:\n%s", want, v)
		}
	}
	m = send(m, keys("x"))
	if !onList(m) || m.list.filter.Value() != "" {
		t.Fatalf("a key does not close the help, or went to the filter: %T %q", m.top(), m.list.filter.Value())
	}
	m = send(m, special(tea.KeyCtrlE))
	if m.footerHeight() != short {
		t.Fatalf("the enrollment view starts with its full help:\n%s", m.View())
	}
	m = send(m, keys("?"))
	v = m.View()
	if !strings.Contains(v, "consecutive") || m.footerHeight() <= short {
		t.Fatalf("? in the enrollment view shows nothing:\n%s", v)
	}
	// Even with the full help, both codes are shown whole.
	if !showsCode(m.c.st, v, code(t, demo[0], t0, false)) || !showsCode(m.c.st, v, code(t, demo[0], t0, true)) {
		t.Fatalf("codes not shown whole:\n%s", v)
	}
	m = send(m, special(tea.KeyEsc))
	if !onList(m) || m.footerHeight() != short {
		t.Fatal("the help stayed open on the list")
	}
	m = send(m, special(tea.KeyCtrlE))
	if _, full := m.top().Help(); full {
		t.Fatal("the enrollment help stayed open")
	}
	m = send(m, keys("2"))
	if v := m.View(); !strings.Contains(v, "MFA code 2 copied — clears in 20 s") {
		t.Fatalf("the status does not say which code was copied:\n%s", v)
	}
}
