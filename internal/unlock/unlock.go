// Package unlock is how vmfa opens its vault, the same way in every front
// end: the CLI's commands (Unlocker.Open) and the interface (OpenByKey, then
// OpenWith the passphrase its unlock screen reads).
//
// # Order
//
// A command's vault comes from the first of these that opens it:
//
//  1. The agent of the vault's directory, when Agent allows it and the
//     agent holds the vault unlocked (FromAgent). An agent whose key does
//     not open the vault, that of a vault moved away and created again
//     since the agent took the key, is locked: it would only fail again.
//     Anything else wrong with the agent is a warning, and the next way
//     is tried.
//  2. The key in the Identity file, when one is named: an age identity, an
//     SSH key (whose own passphrase is asked on the terminal) or a plugin's
//     identity.
//  3. The passphrase the environment gives (passphrase.Env).
//  4. The passphrase asked on the terminal, three times at most, as sudo
//     does. The key of a vault opened so goes to the agent, started if none
//     runs, so that the commands that follow ask nothing, as rbw does; the
//     agent failing to take it is only a warning.
//
// With no passphrase in the environment and no terminal to ask on, Open
// fails with a *NoPassphraseError, which says whether an unlocked agent
// would have answered instead. Local takes steps 2 to 4 only, for the
// commands that need the key itself, which the agent never gives out.
//
// The interface takes steps 1 and 2 before it takes the screen (OpenByKey),
// so that a key's own prompts come first; then its unlock screen reads the
// passphrase, and a typed one's key goes to the agent as at step 4, without
// a word if that fails: the interface owns the screen.
//
// A new vault (Create) takes its passphrase from the environment, else asks
// for it twice on the terminal.
//
// # Conflict copies
//
// Once open, the vault folds in the conflict copies a file-sync tool left
// beside vault.age (vault.Vault.FoldConflictCopies), whichever way it was
// opened, and each is told to Note in one line: merged, or refused and left
// in place. The agent answers no code while there are any, so that the
// full program, which opens the vault here, folds them first.
//
// # Messages
//
// Errors and warnings say what happened. What to do about it, in terms of
// vmfa's commands, flags and variables, is for the front end to add.
package unlock

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/vmfa/vmfa/internal/agekey"
	"github.com/vmfa/vmfa/internal/agent"
	"github.com/vmfa/vmfa/internal/passphrase"
	"github.com/vmfa/vmfa/internal/term"
	"github.com/vmfa/vmfa/internal/termsafe"
	"github.com/vmfa/vmfa/vault"
)

// Tries is how often a passphrase is asked on the terminal before the
// wrong one is the error.
const Tries = 3

// AgentStartTimeout bounds the wait for an agent started to take a key.
const AgentStartTimeout = 5 * time.Second

// Unlocker opens one vault directory's vault as the front end's flags and
// environment say.
type Unlocker struct {
	Store *vault.Store
	// Env gives the passphrase from the environment; nil gives none.
	Env *passphrase.Env
	// Identity is the file of a key that opens the vault instead of the
	// passphrase; "" names none.
	Identity string
	// Agent allows the agent to be asked and started.
	Agent bool

	// Warn is told what went wrong on the way without stopping the unlock
	// (the agent unreachable, a key it would not take); nil drops it.
	Warn func(error)
	// Busy runs work, the slow part of a passphrase unlock or create
	// (scrypt), saying label meanwhile; nil runs it silently.
	Busy func(label string, work func())
	// Ask asks for the passphrase on the terminal without echo; nil is
	// term.ReadSecret.
	Ask func(prompt string) (string, error)
	// AskNew asks for a new passphrase on the terminal; nil is
	// passphrase.AskNew.
	AskNew func(prompt string) (string, error)
	// ErrOut is where the terminal is told what goes on: a wrong
	// passphrase, a plugin's messages; nil is os.Stderr.
	ErrOut io.Writer
	// Note is told what opening the vault did beside it, one line each:
	// the conflict copies merged or refused. nil drops them. OpenWith, for
	// the interface, which owns the screen, keeps them in Notes instead.
	Note func(string)
	// Notes are the lines OpenWith did not tell Note.
	Notes []string
}

// NoPassphraseError is the error of an unlock that needed a passphrase when
// the environment gives none and there is no terminal to ask on. It wraps
// term.ErrNoTTY.
type NoPassphraseError struct {
	// AgentCould says that an unlocked agent would have answered instead:
	// the agent is allowed, and the system has one.
	AgentCould bool
}

func (e *NoPassphraseError) Error() string { return term.ErrNoTTY.Error() }

func (e *NoPassphraseError) Unwrap() error { return term.ErrNoTTY }

// ForeignKeyError is the warning of an agent whose key does not open the
// vault: that of a vault moved away and created again since the agent took
// the key. The agent is locked, unless LockErr says why it could not be.
type ForeignKeyError struct {
	LockErr error
}

func (e *ForeignKeyError) Error() string {
	if e.LockErr != nil {
		return "the key the agent holds does not open this vault, and locking the agent failed: " + e.LockErr.Error()
	}
	return "the key the agent holds does not open this vault: the agent is locked"
}

func (e *ForeignKeyError) Unwrap() error { return vault.ErrOtherKey }

// Open opens the vault for a command, in the package's order.
func (u *Unlocker) Open() (*vault.Vault, error) {
	if v := u.FromAgent(); v != nil {
		u.fold(v, u.Note)
		return v, nil
	}
	v, prompted, err := u.Local()
	if err == nil && prompted {
		u.offerToAgent(v)
	}
	if err == nil {
		u.fold(v, u.Note)
	}
	var np *NoPassphraseError
	if errors.As(err, &np) && u.Agent && agentSupported(u.Store) {
		np.AgentCould = true
	}
	return v, err
}

// Local opens the vault in this process, so that the Vault holds its key:
// with the key in Identity, else with the passphrase from the environment
// or, reporting prompted, from the terminal.
func (u *Unlocker) Local() (v *vault.Vault, prompted bool, err error) {
	if u.Identity != "" {
		v, err := u.withIdentity()
		return v, false, err
	}
	pass, ok, err := u.envPassphrase()
	if err != nil {
		return nil, false, err
	}
	if ok {
		v, err := u.busy("Unlocking the vault", func() (*vault.Vault, error) { return u.Store.Unlock(pass) })
		return v, false, err
	}
	if exists, err := u.Store.Exists(); err != nil {
		return nil, false, err
	} else if !exists {
		return nil, false, vault.ErrNoVault
	}
	for try := 1; ; try++ {
		pass, err := u.ask("Passphrase for " + u.Store.Dir() + ": ")
		if errors.Is(err, term.ErrNoTTY) {
			return nil, false, &NoPassphraseError{}
		}
		if err != nil {
			return nil, false, err
		}
		v, err := u.busy("Unlocking the vault", func() (*vault.Vault, error) { return u.Store.Unlock(pass) })
		if !errors.Is(err, vault.ErrWrongPassphrase) || try == Tries {
			return v, err == nil, err
		}
		fmt.Fprintln(u.errOut(), "Wrong passphrase, try again.")
	}
}

// OpenByKey opens the vault without its passphrase, for the interface
// before it takes the screen: through the agent (FromAgent), else with the
// key in Identity. It returns nil and no error when only the passphrase
// opens it.
func (u *Unlocker) OpenByKey() (*vault.Vault, error) {
	v := u.FromAgent()
	if v == nil && u.Identity != "" {
		var err error
		if v, err = u.withIdentity(); err != nil {
			return nil, err
		}
	}
	if v != nil {
		u.fold(v, u.Note)
	}
	return v, nil
}

// OpenWith opens the vault with pass, which the interface read: the key of
// a passphrase typed goes to the agent, as a prompt's does, without a word
// if that fails. When the environment gives the passphrase, the interface
// unlocks with it, and nothing goes to the agent.
func (u *Unlocker) OpenWith(pass string) (*vault.Vault, error) {
	v, err := u.Store.Unlock(pass)
	if err != nil {
		return nil, err
	}
	if env, _, _ := u.envPassphrase(); env == "" && u.Agent {
		_, _ = HandToAgent(v, agent.DefaultTimeout)
	}
	u.fold(v, func(line string) { u.Notes = append(u.Notes, line) })
	return v, nil
}

// fold merges the conflict copies beside vault.age into v and tells note
// what became of each, escaped for the terminal: their names come from
// whatever made them.
func (u *Unlocker) fold(v *vault.Vault, note func(string)) {
	if note == nil {
		note = func(string) {}
	}
	folded, err := v.FoldConflictCopies()
	for _, f := range folded {
		note(termsafe.Escape(f.String()))
	}
	if err != nil {
		note(termsafe.Escape("warning: conflict copies of the vault are not merged: " + err.Error()))
	}
}

// Create makes a new vault of the given scrypt work factor, with the
// passphrase from the environment (said if weak), else one asked twice on
// the terminal.
func (u *Unlocker) Create(workFactor int) (*vault.Vault, error) {
	pass, ok, err := u.envPassphrase()
	if err != nil {
		return nil, err
	}
	if ok {
		u.Env.WarnIfWeak(pass)
	} else if pass, err = u.askNew("New passphrase: "); errors.Is(err, term.ErrNoTTY) {
		return nil, &NoPassphraseError{}
	} else if err != nil {
		return nil, err
	}
	return u.busy("Creating the vault", func() (*vault.Vault, error) { return u.Store.Create(pass, workFactor) })
}

// FromAgent returns the vault opened through the agent, or nil when the
// agent is not allowed, not running or locked. A fault on the way is a
// warning.
func (u *Unlocker) FromAgent() *vault.Vault {
	if !u.Agent {
		return nil
	}
	c, err := agent.NewClient(u.Store.Dir())
	if err != nil {
		if !errors.Is(err, agent.ErrUnsupported) {
			u.warn(fmt.Errorf("not using the agent: %w", err))
		}
		return nil
	}
	st, err := c.Status()
	if err != nil {
		if !errors.Is(err, agent.ErrNoAgent) {
			u.warn(fmt.Errorf("not using the agent: %w", err))
		}
		return nil
	}
	if st.Locked {
		return nil
	}
	return u.ThroughAgent(c, st)
}

// ThroughAgent returns the vault opened through c, an agent that st says
// is unlocked, or nil, having warned why. An agent whose key does not open
// the vault is locked (a *ForeignKeyError): it would only fail again, and
// its key is no use for this directory.
func (u *Unlocker) ThroughAgent(c *agent.Client, st agent.Status) *vault.Vault {
	v, err := u.Store.UnlockWith(c, st.Recipient)
	if err == nil {
		err = v.CheckKey()
	}
	if errors.Is(err, vault.ErrOtherKey) {
		u.warn(&ForeignKeyError{LockErr: c.Lock()})
		return nil
	}
	if err != nil {
		u.warn(fmt.Errorf("not using the agent: %w", err))
		return nil
	}
	return v
}

// HandToAgent gives the key of v, which this process unlocked, to the agent
// of its directory, for timeout without use (0: until locked), starting the
// agent first if none runs: this program, as "agent --dir DIR". Whatever
// unlocked v (a passphrase, an identity file) makes no difference here.
func HandToAgent(v *vault.Vault, timeout time.Duration) (agent.Status, error) {
	id := v.Identity()
	if id == nil {
		return agent.Status{}, vault.ErrKeyElsewhere
	}
	dir, err := filepath.Abs(v.Store().Dir())
	if err != nil {
		return agent.Status{}, err
	}
	c, err := agent.NewClient(dir)
	if err != nil {
		return agent.Status{}, err
	}
	if _, err := c.Status(); errors.Is(err, agent.ErrNoAgent) {
		exe, err := os.Executable()
		if err != nil {
			return agent.Status{}, fmt.Errorf("can't start the agent: %w", err)
		}
		if err := c.Start(exe, []string{"agent", "--dir", dir}, AgentStartTimeout); err != nil {
			return agent.Status{}, err
		}
	} else if err != nil {
		return agent.Status{}, err
	}
	return c.Unlock(id, timeout)
}

// offerToAgent hands v's key to the agent if the agent is allowed; a
// failure is only a warning.
func (u *Unlocker) offerToAgent(v *vault.Vault) {
	if !u.Agent {
		return
	}
	if _, err := HandToAgent(v, agent.DefaultTimeout); err != nil && !errors.Is(err, agent.ErrUnsupported) {
		u.warn(fmt.Errorf("the agent did not take the key: %w", err))
	}
}

// agentSupported reports whether the system has an agent for s.
func agentSupported(s *vault.Store) bool {
	_, err := agent.NewClient(s.Dir())
	return !errors.Is(err, agent.ErrUnsupported)
}

// withIdentity opens the vault with the key in Identity. No Busy: a key
// opens at once, and the wait, if any, is for the user (an SSH key's
// passphrase, a plugin's PIN or touch), whose prompt a spinner would
// overwrite.
func (u *Unlocker) withIdentity() (*vault.Vault, error) {
	ids, err := agekey.ReadIdentities(u.Identity, agekey.TerminalUI(u.errOut()))
	if err != nil {
		return nil, err
	}
	return u.Store.UnlockWithIdentities(ids...)
}

func (u *Unlocker) envPassphrase() (string, bool, error) {
	if u.Env == nil {
		return "", false, nil
	}
	return u.Env.Passphrase()
}

func (u *Unlocker) busy(label string, open func() (*vault.Vault, error)) (v *vault.Vault, err error) {
	if u.Busy == nil {
		return open()
	}
	u.Busy(label, func() { v, err = open() })
	return v, err
}

func (u *Unlocker) ask(prompt string) (string, error) {
	if u.Ask == nil {
		return term.ReadSecret(prompt)
	}
	return u.Ask(prompt)
}

func (u *Unlocker) askNew(prompt string) (string, error) {
	if u.AskNew == nil {
		return passphrase.AskNew(prompt)
	}
	return u.AskNew(prompt)
}

func (u *Unlocker) warn(err error) {
	if u.Warn != nil {
		u.Warn(err)
	}
}

func (u *Unlocker) errOut() io.Writer {
	if u.ErrOut == nil {
		return os.Stderr
	}
	return u.ErrOut
}
