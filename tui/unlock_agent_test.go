//go:build unix

package tui

import (
	"context"
	"os"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/vmfa/vmfa/internal/agent"
	"github.com/vmfa/vmfa/internal/unlock"
)

// TestTypedPassphraseGoesToAgent: the passphrase typed into the unlock
// screen opens the vault through the unlock policy (Options.Unlock), so its
// key goes to the agent, as a command's prompt's does; a wrong one gives
// the agent nothing. The agent is a real one, served in this process.
func TestTypedPassphraseGoesToAgent(t *testing.T) {
	run, err := os.MkdirTemp("", "vmfa-tui") // short: a socket's path is limited
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(run) })
	t.Setenv("XDG_RUNTIME_DIR", run)
	s := newVault(t, demo...)
	l, release, err := agent.Listen(s.Dir())
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- agent.NewServer(agent.SystemClock(), os.Getuid()).Serve(ctx, l) }()
	t.Cleanup(func() { cancel(); <-served; release() })
	c, err := agent.NewClient(s.Dir())
	if err != nil {
		t.Fatal(err)
	}

	cfg := untimed(testConfig(s, &fakeClock{t: t0}, &fakeClipboard{}))
	cfg.store = storeAdapter{s: s, unlock: &unlock.Unlocker{Store: s, Agent: true}}
	m := newModel(cfg)
	m = send(m, tea.WindowSizeMsg{Width: 80, Height: 24})
	m = send(m, vaultStateMsg{exists: true})
	m = send(m, openVault(cfg.store, "wrong"))
	if st, err := c.Status(); err != nil || !st.Locked {
		t.Fatalf("after a wrong passphrase: %+v %v", st, err)
	}
	if !strings.Contains(m.View(), "Wrong passphrase") {
		t.Fatalf("a wrong passphrase, not said:\n%s", m.View())
	}
	m = send(m, openVault(cfg.store, testPass))
	if !onList(m) {
		t.Fatalf("not on the list:\n%s", m.View())
	}
	st, err := c.Status()
	if err != nil || st.Locked || st.Recipient == "" {
		t.Fatalf("after the passphrase typed: %+v %v", st, err)
	}
	v, err := s.Unlock(testPass)
	if err != nil || v.Recipient() != st.Recipient {
		t.Fatalf("the agent holds %s, the vault is %s (%v)", st.Recipient, v.Recipient(), err)
	}
}
