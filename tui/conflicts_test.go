package tui

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/vmfa/vmfa/internal/unlock"
	"github.com/vmfa/vmfa/internal/vaulttest"
)

// TestUnlockSaysConflictCopyMerged: a file-sync tool's conflict copy beside
// vault.age is merged when the interface unlocks the vault, and the status
// line says so (the interface owns the screen, so the note can't go to
// stderr), with the copy's account on the list.
func TestUnlockSaysConflictCopyMerged(t *testing.T) {
	s := newVault(t, demo...)
	ct := vaulttest.ConflictCopy(t, s, testPass, "otpauth://totp/Elsewhere:bob?secret=KRSXG5CTMVRXEZLU")
	if err := os.WriteFile(filepath.Join(s.Dir(), "vault (1).age"), ct, 0o600); err != nil {
		t.Fatal(err)
	}

	cfg := untimed(testConfig(s, &fakeClock{t: t0}, &fakeClipboard{}))
	cfg.store = storeAdapter{s: s, unlock: &unlock.Unlocker{Store: s}}
	m := newModel(cfg)
	m = send(m, tea.WindowSizeMsg{Width: 160, Height: 24})
	m = send(m, vaultStateMsg{exists: true})
	m = send(m, openVault(cfg.store, testPass))
	if !onList(m) {
		t.Fatalf("not on the list:\n%s", m.View())
	}
	v := m.View()
	if !strings.Contains(v, `merged the conflict copy "vault (1).age"`) || !strings.Contains(v, "Elsewhere") {
		t.Errorf("the merge of the conflict copy is not said, or its account not listed:\n%s", v)
	}
	if _, err := os.Stat(filepath.Join(s.Dir(), "vault (1).age")); !os.IsNotExist(err) {
		t.Errorf("the conflict copy is still there: %v", err)
	}
}
