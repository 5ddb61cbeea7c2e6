package tui

import (
	"testing"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/vmfa/vmfa/vault"
)

// A code copied in the interface is recorded as handed out, so that
// 'vmfa code --fresh' passes over it: the current one on Enter, the next
// one on copy-next.
func TestCopyRecordsHandout(t *testing.T) {
	s := newVault(t, demo[0])
	clock := &fakeClock{t: t0}
	m := unlocked(t, s, clock, &fakeClipboard{}, 80, 24)
	m = send(m, special(tea.KeyEnter))
	v, err := s.Unlock(testPass)
	if err != nil {
		t.Fatal(err)
	}
	e := m.accounts[0]
	next := t0.Add(e.Remaining(t0))
	if at, err := v.ClaimCode(e, t0, true); err != nil || !at.Equal(next) {
		t.Fatalf("fresh claim after a copy: %v %v, want the next window, %v", at, err, next)
	}
	if at, err := v.ClaimCode(e, t0, true); err != nil || !at.Equal(next.Add(e.Remaining(next))) {
		t.Fatalf("a third fresh claim in one window: %v %v, want the window after the next", at, err)
	}
}

// With a vault opened already (through the agent), the interface opens on
// the list: no unlock screen, no passphrase.
func TestOpensUnlocked(t *testing.T) {
	s := newVault(t, demo...)
	v, err := s.Unlock(testPass)
	if err != nil {
		t.Fatal(err)
	}
	cfg := untimed(testConfig(s, &fakeClock{t: t0}, &fakeClipboard{}))
	cfg.unlocked = v
	m := newModel(cfg)
	m = send(m, tea.WindowSizeMsg{Width: 80, Height: 24})
	runCmd(&m, m.Init(), 0)
	if !onList(m) || len(m.accounts) != len(demo) {
		t.Fatalf("not on the list:\n%s", m.View())
	}
}

// The vault package's Vault is what the interface reaches the vault through.
var _ Vault = (*vault.Vault)(nil)
