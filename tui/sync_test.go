package tui

import (
	"context"
	"os/exec"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/vmfa/vmfa/internal/gitsync"
	"github.com/vmfa/vmfa/internal/testenv"
	"github.com/vmfa/vmfa/vault"
)

// TestSyncInBackground: a vault that syncs is synced, over git's HTTP
// transport, when the interface opens it and after each change it makes;
// the header says how it stands, offline included, and a change made
// offline is kept and pushed once the remote is back.
func TestSyncInBackground(t *testing.T) {
	srv := testenv.NewGitServer(t)
	url := srv.Repo(t, "tui")
	s := newVault(t, demo...)
	r := gitsync.Open(s)
	if _, err := r.Init(context.Background(), url); err != nil {
		t.Fatal(err)
	}
	v, err := s.Unlock(testPass)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.Sync(context.Background(), func() (*vault.Vault, error) { return v, nil }, 0); err != nil {
		t.Fatal(err)
	}
	remoteHead := func() string {
		out, _ := exec.Command("git", "--git-dir", srv.GitDir(url), "rev-parse", "refs/heads/vmfa").Output()
		return strings.TrimSpace(string(out))
	}
	published := remoteHead()
	header := func(m Model) string { return strings.SplitN(m.View(), "\n", 2)[0] }

	cfg := untimed(testConfig(s, &fakeClock{t: time.Now()}, &fakeClipboard{}))
	cfg.syncer = gitsync.NewBackground(s, 5*time.Second)
	m := newModel(cfg)
	m = send(m, tea.WindowSizeMsg{Width: 160, Height: 30})
	m = send(m, openVault(storeAdapter{s: s}, testPass))
	if h := header(m); !strings.Contains(h, "synced just now") {
		t.Errorf("header after open: %q", h)
	}

	// A change: moving an account down saves the vault, which goes out.
	m = send(m, tea.KeyMsg{Type: tea.KeyShiftDown})
	if remoteHead() == published {
		t.Errorf("a change in the interface was not pushed")
	}
	if h := header(m); !strings.Contains(h, "synced just now") || strings.Contains(h, "not pushed") {
		t.Errorf("header after a change: %q", h)
	}

	srv.Stop()
	pushed := remoteHead()
	m = send(m, tea.KeyMsg{Type: tea.KeyShiftDown})
	if h := header(m); !strings.Contains(h, "offline · 1 change not pushed") {
		t.Errorf("header offline: %q", h)
	}
	if strings.Contains(m.View(), "sync:") {
		t.Errorf("being offline is said in the status line too: %q", m.View())
	}
	srv.Start()
	m = send(m, tea.KeyMsg{Type: tea.KeyShiftUp})
	if h := header(m); !strings.Contains(h, "synced just now") || strings.Contains(h, "offline") {
		t.Errorf("header back online: %q", h)
	}
	if remoteHead() == pushed {
		t.Errorf("the changes made offline were not pushed")
	}
}
