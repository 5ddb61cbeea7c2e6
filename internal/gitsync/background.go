package gitsync

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/vmfa/vmfa/vault"
)

// Summary says the status in a few words, as a header shows it: "synced 2
// min ago · offline · 3 changes not pushed · a conflict resolved".
func (st Status) Summary(now time.Time) string {
	var parts []string
	if !st.LastExchange.IsZero() {
		parts = append(parts, "synced "+ago(now.Sub(st.LastExchange)))
	} else {
		parts = append(parts, "not synced yet")
	}
	switch {
	case st.Offline:
		parts = append(parts, "offline")
	case st.Error != "":
		parts = append(parts, "sync failed")
	}
	switch {
	case st.Waiting == 1:
		parts = append(parts, "1 change not pushed")
	case st.Waiting > 1:
		parts = append(parts, fmt.Sprintf("%d changes not pushed", st.Waiting))
	}
	if st.Error == "" && st.Last.Merged {
		parts = append(parts, "a conflict resolved")
	}
	out := parts[0]
	for _, p := range parts[1:] {
		out += " · " + p
	}
	return out
}

func ago(d time.Duration) string {
	switch {
	case d < time.Minute:
		return "just now"
	case d < time.Hour:
		return fmt.Sprintf("%d min ago", int(d/time.Minute))
	case d < 48*time.Hour:
		return fmt.Sprintf("%d h ago", int(d/time.Hour))
	}
	return fmt.Sprintf("%d days ago", int(d/(24*time.Hour)))
}

// Background syncs for a program that never waits on the network in its
// own course (the interface): Sync is meant to run in a goroutine of its
// own, and State answers at once from what the last Sync or Refresh read.
type Background struct {
	repo *Repo
	mu   sync.Mutex
	st   Status
}

// NewBackground returns the Background of a vault that syncs, or nil if it
// does not.
func NewBackground(store *vault.Store, timeout time.Duration) *Background {
	r := Open(store)
	if !r.Syncs() {
		return nil
	}
	r.Timeout, r.NoTerminal = timeout, true
	b := &Background{repo: r}
	b.Refresh()
	return b
}

// Sync syncs, merging with v, without waiting for another process's sync
// (which does the same work). It returns the error State does not say: not
// that the remote is out of reach.
func (b *Background) Sync(v *vault.Vault) error {
	_, err := b.repo.Sync(context.Background(), func() (*vault.Vault, error) { return v, nil }, 0)
	b.Refresh()
	if errors.Is(err, ErrBusy) || errors.As(err, new(*NotPushedError)) {
		return nil
	}
	return err
}

// Refresh reads the status again, without the network.
func (b *Background) Refresh() {
	st, err := b.repo.Status(context.Background())
	if err != nil {
		return
	}
	b.mu.Lock()
	b.st = st
	b.mu.Unlock()
}

// Offline says the last sync could not reach the remote: the interface
// then tries less often.
func (b *Background) Offline() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.st.Offline
}

// State says the status as of now, in a few words (Status.Summary).
func (b *Background) State(now time.Time) string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.st.Summary(now)
}
