package unlock

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vmfa/vmfa/internal/agent"
	"github.com/vmfa/vmfa/internal/passphrase"
	"github.com/vmfa/vmfa/internal/term"
	"github.com/vmfa/vmfa/internal/timesync"
	"github.com/vmfa/vmfa/vault"
)

// TestMain lets the test binary be the agent HandToAgent starts: this
// program, run as "agent --dir DIR".
func TestMain(m *testing.M) {
	if len(os.Args) == 4 && os.Args[1] == "agent" && os.Args[2] == "--dir" {
		if err := agent.Run(os.Args[3], func(string) {}, &timesync.Clock{}); err != nil {
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

const testPass = "correct horse battery staple"

// newStore returns the store of a real vault, of testPass, in a directory
// of the test's own.
func newStore(t *testing.T) *vault.Store {
	t.Helper()
	s := vault.Open(filepath.Join(t.TempDir(), "vault"))
	if _, err := s.Create(testPass, 10); err != nil {
		t.Fatal(err)
	}
	return s
}

// terminal is a terminal the test types on: each question is answered with
// the next of answers, and one more is a failure of the test.
type terminal struct {
	t       *testing.T
	answers []string
	asked   []string
	busy    []string // the labels Busy was given
	out     strings.Builder
}

func (term *terminal) ask(prompt string) (string, error) {
	term.asked = append(term.asked, prompt)
	if len(term.answers) == 0 {
		term.t.Errorf("asked %q with nothing left to answer", prompt)
		return "", errors.New("no answer")
	}
	a := term.answers[0]
	term.answers = term.answers[1:]
	return a, nil
}

// unlocker is an Unlocker of s on the terminal term, the agent not allowed.
func (term *terminal) unlocker(s *vault.Store) *Unlocker {
	return &Unlocker{
		Store:  s,
		Ask:    term.ask,
		AskNew: term.ask,
		Busy:   func(label string, work func()) { term.busy = append(term.busy, label); work() },
		ErrOut: &term.out,
		Warn:   func(err error) { term.t.Errorf("warned: %v", err) },
	}
}

func noTerminal(string) (string, error) { return "", term.ErrNoTTY }

// TestPassphraseThreeTries: a wrong passphrase is asked again, three times
// in all, as sudo does; the third wrong one is the error.
func TestPassphraseThreeTries(t *testing.T) {
	s := newStore(t)
	tty := &terminal{t: t, answers: []string{"wrong", "wronger", testPass}}
	v, prompted, err := tty.unlocker(s).Local()
	if err != nil || v == nil || !prompted {
		t.Fatalf("right at the third try: %v %v %v", v, prompted, err)
	}
	if got := tty.out.String(); got != "Wrong passphrase, try again.\nWrong passphrase, try again.\n" {
		t.Errorf("said %q", got)
	}
	want := "Passphrase for " + s.Dir() + ": "
	if len(tty.asked) != 3 || tty.asked[0] != want || strings.Join(tty.busy, ",") != "Unlocking the vault,Unlocking the vault,Unlocking the vault" {
		t.Errorf("asked %q, busy %q", tty.asked, tty.busy)
	}

	tty = &terminal{t: t, answers: []string{"a", "b", "c"}}
	v, prompted, err = tty.unlocker(s).Local()
	if !errors.Is(err, vault.ErrWrongPassphrase) || v != nil || prompted || len(tty.asked) != Tries {
		t.Fatalf("three wrong: %v %v %v, asked %d times", v, prompted, err, len(tty.asked))
	}
	if got := tty.out.String(); strings.Count(got, "try again") != 2 {
		t.Errorf("said %q", got)
	}
}

// TestNoTerminal: with no passphrase in the environment and no terminal,
// unlocking and creating fail with a *NoPassphraseError, which is
// term.ErrNoTTY; an agent not allowed could not have answered.
func TestNoTerminal(t *testing.T) {
	s := newStore(t)
	u := &Unlocker{Store: s, Ask: noTerminal, AskNew: noTerminal}
	var np *NoPassphraseError
	if _, _, err := u.Local(); !errors.As(err, &np) || np.AgentCould || !errors.Is(err, term.ErrNoTTY) || err.Error() != "no terminal to ask on" {
		t.Errorf("Local: %v", err)
	}
	if _, err := u.Open(); !errors.As(err, &np) || np.AgentCould {
		t.Errorf("Open, the agent not allowed: %v", err)
	}
	u.Store = vault.Open(filepath.Join(t.TempDir(), "new"))
	if _, err := u.Create(10); !errors.As(err, &np) || np.AgentCould {
		t.Errorf("Create: %v", err)
	}
	if exists, err := u.Store.Exists(); exists || err != nil {
		t.Errorf("a vault was made: %v %v", exists, err)
	}
}

// TestNoVaultAsksNothing: where there is no vault, no passphrase is asked.
func TestNoVaultAsksNothing(t *testing.T) {
	tty := &terminal{t: t}
	_, _, err := tty.unlocker(vault.Open(filepath.Join(t.TempDir(), "vault"))).Local()
	if !errors.Is(err, vault.ErrNoVault) || len(tty.asked) != 0 {
		t.Fatalf("%v, asked %q", err, tty.asked)
	}
}

// TestPassphraseFromEnvironment: the environment's passphrase opens the
// vault without a question, and is not "prompted".
func TestPassphraseFromEnvironment(t *testing.T) {
	s := newStore(t)
	t.Setenv(passphrase.EnvValue, testPass)
	tty := &terminal{t: t}
	u := tty.unlocker(s)
	u.Env = passphrase.TakeEnv()
	v, prompted, err := u.Local()
	if err != nil || v == nil || prompted || len(tty.asked) != 0 || strings.Join(tty.busy, ",") != "Unlocking the vault" {
		t.Fatalf("%v %v %v, asked %q, busy %q", v, prompted, err, tty.asked, tty.busy)
	}
}

// TestCreate: a new vault's passphrase is asked (twice, by AskNew) on the
// terminal, and opens the vault made.
func TestCreate(t *testing.T) {
	s := vault.Open(filepath.Join(t.TempDir(), "vault"))
	tty := &terminal{t: t, answers: []string{testPass}}
	if v, err := tty.unlocker(s).Create(10); err != nil || v == nil {
		t.Fatalf("Create: %v %v", v, err)
	}
	if len(tty.asked) != 1 || tty.asked[0] != "New passphrase: " || strings.Join(tty.busy, ",") != "Creating the vault" {
		t.Errorf("asked %q, busy %q", tty.asked, tty.busy)
	}
	if _, err := s.Unlock(testPass); err != nil {
		t.Fatal(err)
	}
	if wf, err := s.WorkFactor(); err != nil || wf != 10 {
		t.Errorf("work factor %d %v", wf, err)
	}
}
