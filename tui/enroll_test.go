package tui

import (
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
)

// TestEnrollWording: the enrollment view speaks of AWS's form (MFA code 1
// and 2, then Add MFA) for an AWS device only; for any other account it
// says where the codes go in general words, note and ? help alike.
func TestEnrollWording(t *testing.T) {
	s := newVault(t, demo...)
	for _, c := range []struct {
		down    int // rows from the top to the account
		account string
		aws     bool
	}{{0, "GitHub", false}, {1, "Amazon Web Services", true}, {3, "Cloudflare", false}} {
		clock := &fakeClock{t: t0}
		m := unlocked(t, s, clock, &fakeClipboard{}, 100, 30)
		for range c.down {
			m = send(m, special(tea.KeyDown))
		}
		m = send(m, special(tea.KeyCtrlE))
		over[enrollScreen](t, m)
		note := strings.Join(strings.Fields(m.View()), " ")
		m = send(m, keys("?"))
		help := strings.Join(strings.Fields(m.View()), " ")
		if !strings.Contains(note, c.account) {
			t.Fatalf("%s: not its enrollment view:\n%s", c.account, note)
		}
		for _, v := range []struct{ name, text, aws, other string }{
			{"note", note, "Type MFA code 1 and MFA code 2 into AWS's form, then Add MFA", "Type MFA code 1 where a code is asked for, and MFA code 2 if a second is"},
			{"help", help, "AWS asks for two consecutive codes", "a service asks for a code to prove it works, and some for two consecutive ones"},
		} {
			want := v.other
			if c.aws {
				want = v.aws
			}
			if !strings.Contains(v.text, want) {
				t.Errorf("%s's %s lacks %q:\n%s", c.account, v.name, want, v.text)
			}
			if !c.aws && strings.Contains(strings.ReplaceAll(v.text, c.account, ""), "AWS") {
				t.Errorf("%s's %s speaks of AWS:\n%s", c.account, v.name, v.text)
			}
		}
	}
}
