//go:build unix

package unlock

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"filippo.io/age"

	"github.com/vmfa/vmfa/internal/agent"
	"github.com/vmfa/vmfa/internal/passphrase"
	"github.com/vmfa/vmfa/internal/testenv"
	"github.com/vmfa/vmfa/vault"
)

// The agents here are real: this test binary started by HandToAgent
// (TestMain), on a socket in a runtime directory of the test's own, stopped
// when the test ends.

// withAgent is the terminal's Unlocker with the agent allowed. The test's
// agents run in a runtime directory of its own (agentRuntime).
func (term *terminal) withAgent(s *vault.Store) *Unlocker {
	u := term.unlocker(s)
	u.Agent = true
	return u
}

// agentRuntime gives the test's agents a runtime directory of its own.
func agentRuntime(t *testing.T) {
	t.Setenv("XDG_RUNTIME_DIR", testenv.AgentRuntimeDir(t))
}

// agentStatus is what the agent of s says; one that does not run is
// locked, with pid 0.
func agentStatus(t *testing.T, s *vault.Store) agent.Status {
	t.Helper()
	c, err := agent.NewClient(s.Dir())
	if err != nil {
		t.Fatal(err)
	}
	st, err := c.Status()
	if errors.Is(err, agent.ErrNoAgent) {
		return agent.Status{Locked: true}
	}
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// TestPromptedKeyGoesToAgent: a passphrase asked on the terminal is not
// asked again: its key goes to the agent, started for it, which opens the
// vault for the next command. Without the agent allowed, none starts.
func TestPromptedKeyGoesToAgent(t *testing.T) {
	agentRuntime(t)
	s := newStore(t)
	tty := &terminal{t: t, answers: []string{testPass}}
	u := tty.withAgent(s)
	u.Agent = false
	if _, err := u.Open(); err != nil {
		t.Fatal(err)
	}
	if st := agentStatus(t, s); st.PID != 0 {
		t.Fatalf("an agent started, not allowed: %+v", st)
	}

	tty.answers = []string{testPass}
	u.Agent = true
	v, err := u.Open()
	if err != nil {
		t.Fatal(err)
	}
	st := agentStatus(t, s)
	if st.Locked || st.PID == 0 || st.PID == os.Getpid() || st.Recipient != v.Recipient() {
		t.Fatalf("after a prompt: %+v", st)
	}
	// The next command asks nothing (tty fails the test if asked).
	v, err = tty.withAgent(s).Open()
	if err != nil || v == nil || v.Identity() != nil {
		t.Fatalf("through the agent: %v %v", v, err)
	}
	if _, err := v.Load(); err != nil {
		t.Fatal(err)
	}
}

// TestEnvironmentKeepsAgent: a passphrase from the environment does not go
// to the agent, neither a command's nor the interface's.
func TestEnvironmentKeepsAgent(t *testing.T) {
	agentRuntime(t)
	s := newStore(t)
	t.Setenv(passphrase.EnvValue, testPass)
	tty := &terminal{t: t}
	u := tty.withAgent(s)
	u.Env = passphrase.TakeEnv()
	if _, err := u.Open(); err != nil {
		t.Fatal(err)
	}
	if _, err := u.OpenWith(testPass); err != nil {
		t.Fatal(err)
	}
	if st := agentStatus(t, s); st.PID != 0 {
		t.Fatalf("an agent started: %+v", st)
	}
}

// TestForeignKeyLocksAgent: an agent whose key does not open the vault (a
// vault created again since) is locked, with one warning, and the
// passphrase opens the vault, its key going to the agent.
func TestForeignKeyLocksAgent(t *testing.T) {
	agentRuntime(t)
	s := newStore(t)
	tty := &terminal{t: t, answers: []string{testPass}}
	u := tty.withAgent(s)
	v, err := s.Unlock(testPass)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := HandToAgent(v, time.Minute); err != nil {
		t.Fatal(err)
	}
	c, err := agent.NewClient(s.Dir())
	if err != nil {
		t.Fatal(err)
	}
	other, _ := age.GenerateX25519Identity()
	if _, err := c.Unlock(other, time.Minute); err != nil {
		t.Fatal(err)
	}
	pid := agentStatus(t, s).PID

	var warnings []error
	u.Warn = func(err error) { warnings = append(warnings, err) }
	if v := u.FromAgent(); v != nil {
		t.Fatal("a vault through an agent whose key does not open it")
	}
	var fk *ForeignKeyError
	if len(warnings) != 1 || !errors.As(warnings[0], &fk) || fk.LockErr != nil || !errors.Is(warnings[0], vault.ErrOtherKey) ||
		warnings[0].Error() != "the key the agent holds does not open this vault: the agent is locked" {
		t.Fatalf("warnings %v", warnings)
	}
	if st := agentStatus(t, s); !st.Locked || st.PID != pid {
		t.Fatalf("the agent after the warning: %+v", st)
	}
	// Locked, the agent is asked no more; the prompt's key goes to it.
	warnings = nil
	if _, err := u.Open(); err != nil || len(warnings) != 0 {
		t.Fatalf("%v, warnings %v", err, warnings)
	}
	if st := agentStatus(t, s); st.Locked || st.PID != pid || st.Recipient != v.Recipient() {
		t.Fatalf("after the prompt: %+v", st)
	}
}

// TestNoTerminalAgentCould: where an unlocked agent would have answered,
// the error says so, for the front end to name the command that unlocks
// it; a command that needs the key itself (Local) has no such answer.
func TestNoTerminalAgentCould(t *testing.T) {
	agentRuntime(t)
	s := newStore(t)
	tty := &terminal{t: t}
	u := tty.withAgent(s)
	u.Ask = noTerminal
	var np *NoPassphraseError
	if _, err := u.Open(); !errors.As(err, &np) || !np.AgentCould {
		t.Errorf("Open: %v", err)
	}
	if _, _, err := u.Local(); !errors.As(err, &np) || np.AgentCould {
		t.Errorf("Local: %v", err)
	}
}

// TestInterfaceUnlock: the interface opens the vault without its
// passphrase when a key can (an unlocked agent, an identity file), before
// it takes the screen; a passphrase typed into its unlock screen goes to
// the agent, as a prompt's does.
func TestInterfaceUnlock(t *testing.T) {
	agentRuntime(t)
	s := newStore(t)
	tty := &terminal{t: t}
	u := tty.withAgent(s)
	if v, err := u.OpenByKey(); v != nil || err != nil {
		t.Fatalf("no agent, no key: %v %v", v, err)
	}

	id, _ := age.GenerateX25519Identity()
	key := filepath.Join(t.TempDir(), "key.txt")
	if err := os.WriteFile(key, []byte(id.String()+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	v, err := s.Unlock(testPass)
	if err != nil {
		t.Fatal(err)
	}
	if err := v.AddRecipient("test", id.Recipient(), id.Recipient().String()); err != nil {
		t.Fatal(err)
	}
	u.Identity = key
	if v, err := u.OpenByKey(); err != nil || v == nil || v.Identity() == nil {
		t.Fatalf("with the key file: %v %v", v, err)
	}
	u.Identity = filepath.Join(t.TempDir(), "missing")
	if v, err := u.OpenByKey(); err == nil || v != nil {
		t.Fatalf("with a missing key file: %v %v", v, err)
	}

	if _, err := u.OpenWith("wrong"); !errors.Is(err, vault.ErrWrongPassphrase) {
		t.Fatalf("a wrong passphrase typed: %v", err)
	}
	if st := agentStatus(t, s); st.PID != 0 {
		t.Fatalf("an agent started for a wrong passphrase: %+v", st)
	}
	if _, err := u.OpenWith(testPass); err != nil {
		t.Fatal(err)
	}
	if st := agentStatus(t, s); st.Locked || st.Recipient != v.Recipient() {
		t.Fatalf("after a passphrase typed: %+v", st)
	}
	if v, err := u.OpenByKey(); err != nil || v == nil || v.Identity() != nil {
		t.Fatalf("through the agent: %v %v", v, err)
	}
}
