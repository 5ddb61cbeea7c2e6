package main

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"time"

	"github.com/vmfa/vmfa/internal/agent"
	"github.com/vmfa/vmfa/internal/passphrase"
	"github.com/vmfa/vmfa/internal/term"
	"github.com/vmfa/vmfa/vault"
)

// errNoPassphrase is term.ErrNoTTY for the passphrase.
var errNoPassphrase = fmt.Errorf("%w: set VMFA_PASSPHRASE_COMMAND, VMFA_PASSPHRASE_FILE or VMFA_PASSPHRASE", term.ErrNoTTY)

// errLockedNoTerminal is errNoPassphrase where an unlocked agent would have
// answered: with no terminal (credential_process, mfa_process, cron),
// 'vmfa unlock' beforehand is the usual answer.
var errLockedNoTerminal = fmt.Errorf("%w: run 'vmfa unlock' in a terminal first, and the agent answers here; or set VMFA_PASSPHRASE_COMMAND, VMFA_PASSPHRASE_FILE or VMFA_PASSPHRASE", term.ErrNoTTY)

// unlock opens an existing vault: through the agent when it holds the vault
// unlocked, else with the passphrase. A passphrase asked on the terminal is
// not asked again: the key goes to the agent (started if need be) for the
// commands that follow, as rbw does.
func (a *app) unlock() (*vault.Vault, error) {
	s, err := a.store()
	if err != nil {
		return nil, err
	}
	if v := a.fromAgent(s); v != nil {
		return v, nil
	}
	v, prompted, err := a.unlockLocal(s)
	if err == nil && prompted {
		a.offerToAgent(v)
	}
	if errors.Is(err, errNoPassphrase) && a.agentEnabled() && agentSupported(s) {
		err = errLockedNoTerminal
	}
	return v, err
}

// agentSupported reports whether the system has an agent for s.
func agentSupported(s *vault.Store) bool {
	_, err := agent.NewClient(s.Dir())
	return !errors.Is(err, agent.ErrUnsupported)
}

// offerToAgent hands v's key to the agent if the agent is enabled; a
// failure is only a warning, the command goes on.
func (a *app) offerToAgent(v *vault.Vault) {
	if !a.agentEnabled() {
		return
	}
	if _, err := handToAgent(v, agent.DefaultTimeout); err != nil && !errors.Is(err, agent.ErrUnsupported) {
		warn("the agent did not take the key: " + err.Error())
	}
}

// unlockLocal opens an existing vault in this process: with the key in
// --identity (VMFA_IDENTITY), else with the passphrase from the environment
// or, reporting prompted, from the terminal. Either way the Vault holds the
// key, which handToAgent gives the agent.
func (a *app) unlockLocal(s *vault.Store) (v *vault.Vault, prompted bool, err error) {
	if a.identityPath() != "" {
		v, err := a.unlockWithIdentity(s)
		return v, false, err
	}
	pass, ok, err := a.env.Passphrase()
	if err != nil {
		return nil, false, err
	}
	if ok {
		v, err := withSpinner("Unlocking the vault", func() (*vault.Vault, error) { return s.Unlock(pass) })
		return v, false, err
	}
	if exists, err := s.Exists(); err != nil {
		return nil, false, err
	} else if !exists {
		return nil, false, vault.ErrNoVault
	}
	// Interactive users get three tries, as with sudo.
	for try := 1; ; try++ {
		pass, err := term.ReadSecret("Passphrase for " + s.Dir() + ": ")
		if errors.Is(err, term.ErrNoTTY) {
			return nil, false, errNoPassphrase
		}
		if err != nil {
			return nil, false, err
		}
		v, err := withSpinner("Unlocking the vault", func() (*vault.Vault, error) { return s.Unlock(pass) })
		if !errors.Is(err, vault.ErrWrongPassphrase) || try == 3 {
			return v, err == nil, err
		}
		fmt.Fprintln(os.Stderr, "Wrong passphrase, try again.")
	}
}

// unlockOrCreate opens the vault, creating it first if there is none: adding
// the first account is often a new user's first command.
func (a *app) unlockOrCreate() (*vault.Vault, error) {
	s, err := a.store()
	if err != nil {
		return nil, err
	}
	exists, err := s.Exists()
	if err != nil {
		return nil, err
	}
	if exists {
		return a.unlock()
	}
	workFactor, err := envWorkFactor()
	if err != nil {
		return nil, err
	}
	v, err := a.create(s, workFactor)
	if err == nil {
		fmt.Fprintf(os.Stderr, "Created a new vault in %s.\n", s.Dir())
	}
	return v, err
}

// create makes a new vault with a new passphrase, asked twice on a terminal.
func (a *app) create(s *vault.Store, workFactor int) (*vault.Vault, error) {
	pass, ok, err := a.env.Passphrase()
	if err != nil {
		return nil, err
	}
	if ok {
		a.env.WarnIfWeak(pass)
	} else if pass, err = passphrase.AskNew("New passphrase: "); errors.Is(err, term.ErrNoTTY) {
		return nil, errNoPassphrase
	} else if err != nil {
		return nil, err
	}
	return withSpinner("Creating the vault", func() (*vault.Vault, error) { return s.Create(pass, workFactor) })
}

// envWorkFactor lets tests and slow machines choose the scrypt cost of a
// vault created implicitly; vmfa init has --work-factor.
func envWorkFactor() (int, error) {
	v := os.Getenv("VMFA_WORK_FACTOR")
	if v == "" {
		return vault.DefaultWorkFactor, nil
	}
	n, err := strconv.Atoi(v)
	if err == nil {
		err = vault.CheckWorkFactor(n)
	}
	if err != nil {
		return 0, fmt.Errorf("VMFA_WORK_FACTOR=%q: %v", v, vault.ErrInvalidWorkFactor)
	}
	return n, nil
}

// checkWorkFactor refuses a --work-factor flag before anything is asked.
func checkWorkFactor(n int) error {
	if err := vault.CheckWorkFactor(n); err != nil {
		return usageError{fmt.Errorf("--work-factor %d: %w (18 takes about half a second)", n, err)}
	}
	return nil
}

// withSpinner runs f, showing a spinner on a terminal's stderr if it takes
// longer than 200 ms (an scrypt unlock takes about half a second).
func withSpinner[T any](label string, f func() (T, error)) (T, error) {
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		if !term.IsTerminal(os.Stderr) {
			return
		}
		frames := []rune("⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏")
		t := time.NewTimer(200 * time.Millisecond)
		defer t.Stop()
		shown := false
		for i := 0; ; i++ {
			select {
			case <-done:
				if shown {
					fmt.Fprint(os.Stderr, "\r\033[K")
				}
				return
			case <-t.C:
				shown = true
				fmt.Fprintf(os.Stderr, "\r%c %s…", frames[i%len(frames)], oneLine(label))
				t.Reset(80 * time.Millisecond)
			}
		}
	}()
	v, err := f()
	close(done)
	<-finished
	return v, err
}
