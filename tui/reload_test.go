package tui

import (
	"testing"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/vmfa/vmfa/otp"
	"github.com/vmfa/vmfa/vault"
)

// TestFlowReloadsOtherWritersChanges: while the interface runs, another
// process (here a second Vault on the directory) adds and renames
// accounts; the interface shows them within a tick or two, keeping the
// query and the selected account.
func TestFlowReloadsOtherWritersChanges(t *testing.T) {
	f := startFlow(t, testPass, demo...)
	f.waitFor("6 accounts")
	f.typ("a") // matches several accounts
	f.press(tea.KeyDown)
	f.waitFor("▸ GitHub alice@example.com")

	other, err := f.store.Unlock(testPass)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := other.Update(func(d *vault.Data) error {
		_, err := d.Add(otp.Account{Issuer: "Alibaba Cloud", Name: "ops", Secret: "OBQXG43XN5ZGIMJSGM2DKNRXHA4TAMJT"}, t0)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	f.waitFor("Alibaba Cloud", "of 7 match", "▸ GitHub alice@example.com")

	// A rename of the selected account arrives too, and the query stays.
	if _, err := other.Update(func(d *vault.Data) error {
		_, err := d.Rename(d.Accounts[0].ID, "GitHub Enterprise", "alice@corp")
		return err
	}); err != nil {
		t.Fatal(err)
	}
	f.waitFor("▸ GitHub Enterprise alice@corp")
	m := f.final()
	if m.list.filter.Value() != "a" {
		t.Fatalf("the query became %q", m.list.filter.Value())
	}
	if e, _ := m.list.selected(); e.Issuer != "GitHub Enterprise" {
		t.Fatalf("selected %s", e.Label())
	}
}

// TestStaleReloadIgnored: a check that read the vault before a save of
// ours returns after it; its older data is dropped, not shown.
func TestStaleReloadIgnored(t *testing.T) {
	s := newVault(t, demo...)
	m := unlocked(t, s, &fakeClock{t: t0}, &fakeClipboard{}, 80, 24)
	before := loadData(t, s)
	gen := m.gen
	// Pin GitHub: a save of ours.
	m = send(m, special(tea.KeyTab))
	m = send(m, keys("p"))
	if !m.accounts[0].Pinned {
		t.Fatal("not pinned")
	}
	m = send(m, reloadedMsg{gen: gen, stamp: vault.Stamp{}, data: before})
	if !m.accounts[0].Pinned || !m.list.entries[0].Pinned {
		t.Fatal("a stale reload undid the pin")
	}
}
