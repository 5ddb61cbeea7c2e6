package tui

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
)

// TestKeysTypedWhileUnlockingReachTheList: with the passphrase from the
// environment, the user types a query and Enter before the vault is open:
// the keys wait, and then copy the account they designate.
func TestKeysTypedWhileUnlockingReachTheList(t *testing.T) {
	s := newVault(t, demo...)
	clip := &fakeClipboard{}
	cfg := untimed(testConfig(s, &fakeClock{t: t0}, clip))
	cfg.passphrase = testPass
	m := newModel(cfg)
	m = send(m, tea.WindowSizeMsg{Width: 80, Height: 24})
	if !m.unlock.busy || !strings.Contains(m.View(), "Unlocking…") {
		t.Fatalf("not unlocking:\n%s", m.View())
	}
	m = typeKeys(m, "prot")
	m = send(m, special(tea.KeyEnter))
	m = send(m, openVault(storeAdapter{s: s}, testPass))
	if !onList(m) || m.list.filter.Value() != "prot" {
		t.Fatalf("the keys typed while unlocking were dropped: query %q", m.list.filter.Value())
	}
	if got := clip.Content(); got != code(t, demo[5], t0, false) {
		t.Fatalf("Enter typed while unlocking copied %q, not Proton's code", got)
	}
}

// TestKeysTypedBeforeThePrompt: keys typed before the interface knows
// whether a vault exists are the passphrase; those typed while it unlocks
// are for the list, and dropped with it if the passphrase was wrong.
func TestKeysTypedBeforeThePrompt(t *testing.T) {
	s := newVault(t, demo...)
	m := newModel(untimed(testConfig(s, &fakeClock{t: t0}, &fakeClipboard{})))
	m = send(m, tea.WindowSizeMsg{Width: 80, Height: 24})
	m = typeKeys(m, "wrong")
	m = send(m, special(tea.KeyEnter))
	m = send(m, vaultStateMsg{exists: true})
	// The keys typed early were the passphrase, and were submitted.
	if !strings.Contains(m.View(), "Wrong passphrase") {
		t.Fatalf("the passphrase typed early was not submitted:\n%s", m.View())
	}
	// Keys typed while the wrong passphrase is tried are dropped with it,
	// not typed into the passphrase field.
	m = typeKeys(m, "wrong")
	mm, unlocking := m.Update(special(tea.KeyEnter))
	m = typeKeys(mm.(Model), "goo")
	runCmd(&m, unlocking, 0)
	if !m.locked() || m.unlock.input.Value() != "" || len(m.unlock.typeahead) != 0 {
		t.Fatalf("after a wrong passphrase: field %q, typeahead %d", m.unlock.input.Value(), len(m.unlock.typeahead))
	}
	// The right one: the keys typed meanwhile reach the list.
	m = typeKeys(m, testPass)
	mm, unlocking = m.Update(special(tea.KeyEnter))
	m = typeKeys(mm.(Model), "goo")
	runCmd(&m, unlocking, 0)
	if !onList(m) || m.list.filter.Value() != "goo" {
		t.Fatalf("query %q after unlocking", m.list.filter.Value())
	}
}

// TestVaultErrorsExplained: an error of the vault shows as the program
// says it (Options.Explain), with the hint no library gives, and is still
// the error it was for the interface to branch on.
func TestVaultErrorsExplained(t *testing.T) {
	s := newVault(t, demo...)
	explain := func(err error) string { return err.Error() + ": the program's hint" }
	cfg := untimed(testConfig(s, &fakeClock{t: t0}, &fakeClipboard{}))
	cfg.store = storeAdapter{s: s, explain: explain}
	m := newModel(cfg)
	m = send(m, tea.WindowSizeMsg{Width: 80, Height: 24})

	m = send(m, openVault(cfg.store, "wrong"))
	if !m.locked() || m.unlock.err != "Wrong passphrase. Try again." {
		t.Fatalf("a wrong passphrase, explained: %q", m.unlock.err)
	}
	if err := os.WriteFile(filepath.Join(s.Dir(), "vault.age"), []byte("garbage"), 0o600); err != nil {
		t.Fatal(err)
	}
	m = send(m, openVault(cfg.store, testPass))
	if !m.locked() || !strings.Contains(m.unlock.err, "vault.age is damaged") || !strings.HasSuffix(m.unlock.err, ": the program's hint") {
		t.Fatalf("a damaged vault.age: %q, want its error with the program's hint", m.unlock.err)
	}
}
