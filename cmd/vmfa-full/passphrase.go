package main

import (
	"fmt"
	"io"
	"os"
	"strconv"
	"time"

	"github.com/vmfa/vmfa/internal/term"
	"github.com/vmfa/vmfa/internal/unlock"
	"github.com/vmfa/vmfa/vault"
)

// unlocker is the vault's unlock policy (package unlock) as the flags and
// the environment set it, with the CLI's terminal: a spinner while scrypt
// runs, warnings on stderr.
func (a *app) unlocker(s *vault.Store) *unlock.Unlocker {
	return &unlock.Unlocker{
		Store:    s,
		Env:      a.env,
		Identity: a.identityPath(),
		Agent:    a.agentEnabled(),
		Warn:     func(err error) { a.warn(explain(err, a.dir)) },
		Note:     func(line string) { fmt.Fprintln(a.stderr(), "vmfa: "+line) },
		Busy: func(label string, work func()) {
			withSpinner(label, func() (struct{}, error) { work(); return struct{}{}, nil })
		},
	}
}

// unlock opens an existing vault: through the agent when it holds the vault
// unlocked, else with the key or the passphrase (unlock.Unlocker.Open).
func (a *app) unlock() (*vault.Vault, error) {
	s, err := a.store()
	if err != nil {
		return nil, err
	}
	return a.unlocker(s).Open()
}

// unlockLocal opens an existing vault in this process, so that the Vault
// holds the key: for the commands that need it, which the agent never
// gives out (unlock.Unlocker.Local).
func (a *app) unlockLocal(s *vault.Store) (v *vault.Vault, prompted bool, err error) {
	return a.unlocker(s).Local()
}

// fromAgent returns the vault opened through an unlocked agent, or nil
// (unlock.Unlocker.FromAgent).
func (a *app) fromAgent(s *vault.Store) *vault.Vault { return a.unlocker(s).FromAgent() }

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
		fmt.Fprintf(a.stderr(), "Created a new vault in %s.\n", s.Dir())
	}
	return v, err
}

// create makes a new vault with a new passphrase, asked twice on a terminal
// (unlock.Unlocker.Create).
func (a *app) create(s *vault.Store, workFactor int) (*vault.Vault, error) {
	return a.unlocker(s).Create(workFactor)
}

// envWorkFactor lets tests and slow machines choose the scrypt cost of a
// new vault where no --work-factor does.
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

// spinnerOut is where withSpinner draws, when it is a terminal: the root
// command's stderr (newRoot).
var spinnerOut = func() io.Writer { return os.Stderr }

// withSpinner runs f, showing a spinner on a terminal's stderr if it takes
// longer than 200 ms (an scrypt unlock takes about half a second).
func withSpinner[T any](label string, f func() (T, error)) (T, error) {
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		line := term.NewStatusLine(spinnerOut())
		if !line.Live {
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
					line.Clear()
				}
				return
			case <-t.C:
				shown = true
				line.Show(fmt.Sprintf("%c %s…", frames[i%len(frames)], oneLine(label)))
				t.Reset(80 * time.Millisecond)
			}
		}
	}()
	v, err := f()
	close(done)
	<-finished
	return v, err
}
