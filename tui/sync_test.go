package tui

import (
	"context"
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/vmfa/vmfa/internal/gitsync"
	"github.com/vmfa/vmfa/internal/testenv"
	"github.com/vmfa/vmfa/otp"
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

// countingSyncer is a Syncer that counts the syncs it is asked for.
type countingSyncer struct {
	*gitsync.Background
	syncs atomic.Int32
}

func (c *countingSyncer) Sync(v *vault.Vault) error {
	c.syncs.Add(1)
	return c.Background.Sync(v)
}

// TestSyncPeriodically: an interface left open syncs every SyncEvery, so
// that an account another machine added shows without a key press; while
// the remote is out of reach it tries less and less often, up to
// SyncEveryOffline, and as often again once it is back; while locked it
// does not sync at all.
func TestSyncPeriodically(t *testing.T) {
	ctx := context.Background()
	srv := testenv.NewGitServer(t)
	url := srv.Repo(t, "periodic")
	here := newVault(t, demo...)
	r := gitsync.Open(here)
	if _, err := r.Init(ctx, url); err != nil {
		t.Fatal(err)
	}
	v, err := here.Unlock(testPass)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.Sync(ctx, func() (*vault.Vault, error) { return v, nil }, 0); err != nil {
		t.Fatal(err)
	}
	// The other machine joins, and adds an account there.
	there := vault.Open(filepath.Join(t.TempDir(), "vault"))
	if err := gitsync.Join(ctx, there, url, 5*time.Second, func(s *vault.Store) (*vault.Vault, error) { return s.Unlock(testPass) }); err != nil {
		t.Fatal(err)
	}
	other, err := there.Unlock(testPass)
	if err != nil {
		t.Fatal(err)
	}

	clock := &fakeClock{t: time.Now()}
	cfg := untimed(testConfig(here, clock, &fakeClipboard{}))
	cfg.lockAfter = 2 * time.Hour
	syncer := &countingSyncer{Background: gitsync.NewBackground(here, 5*time.Second)}
	cfg.syncer = syncer
	m := newModel(cfg)
	m = send(m, tea.WindowSizeMsg{Width: 160, Height: 30})
	m = send(m, openVault(storeAdapter{s: here}, testPass))
	if n := syncer.syncs.Load(); n != 1 {
		t.Fatalf("%d syncs on open, want 1", n)
	}
	opened := clock.Now()
	at := func(d time.Duration) Model { // a tick at opened+d
		clock.Set(opened.Add(d))
		return send(m, tickMsg(clock.Now()))
	}
	expectSyncs := func(want int32, when string) {
		t.Helper()
		if n := syncer.syncs.Load(); n != want {
			t.Fatalf("%s: %d syncs, want %d", when, n, want)
		}
	}

	if _, err := other.Update(func(d *vault.Data) error {
		_, err := d.Add(otp.Account{Issuer: "Elsewhere", Name: "bob", Secret: "MZXW6YTBOJRWC3DMNFSW4Y3F"}, time.Now())
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := gitsync.Open(there).Sync(ctx, func() (*vault.Vault, error) { return other, nil }, 0); err != nil {
		t.Fatal(err)
	}
	m = at(SyncEvery - time.Second)
	expectSyncs(1, "before the interval")
	m = at(SyncEvery)
	expectSyncs(2, "after the interval")
	m = at(SyncEvery + time.Second) // the next look for changes of vault.age
	if !strings.Contains(m.View(), "Elsewhere") {
		t.Fatalf("the account added on the other machine does not show after %v:\n%s", SyncEvery, m.View())
	}

	// Offline: 4, 8, then 16 minutes between syncs, and 2 again once the
	// remote is back.
	srv.Stop()
	next := 2 * SyncEvery
	m = at(next)
	expectSyncs(3, "offline, first")
	if h := strings.SplitN(m.View(), "\n", 2)[0]; !strings.Contains(h, "offline") {
		t.Errorf("header offline: %q", h)
	}
	calls := int32(3)
	for _, wait := range []time.Duration{2 * SyncEvery, 4 * SyncEvery, SyncEveryOffline, SyncEveryOffline} {
		m = at(next + wait - time.Second)
		expectSyncs(calls, fmt.Sprintf("offline, %v after the last sync", wait-time.Second))
		next += wait
		m = at(next)
		calls++
		expectSyncs(calls, fmt.Sprintf("offline, %v after the last sync", wait))
	}
	srv.Start()
	m = at(next + SyncEveryOffline)
	next += SyncEveryOffline
	calls++
	expectSyncs(calls, "back online")
	if h := strings.SplitN(m.View(), "\n", 2)[0]; strings.Contains(h, "offline") {
		t.Errorf("header back online: %q", h)
	}
	m = at(next + SyncEvery)
	calls++
	expectSyncs(calls, "online again, after the interval")

	// Locked: no sync, however long.
	m = at(2 * time.Hour)
	if !m.locked() {
		t.Fatal("not locked after two hours without a key press")
	}
	for i := range 5 {
		m = at(2*time.Hour + time.Duration(i+1)*SyncEvery)
	}
	expectSyncs(calls, "locked")
}
