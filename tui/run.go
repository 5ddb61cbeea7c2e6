// Package tui is vmfa's terminal interface: `vmfa` with no arguments.
//
// It follows the Elm architecture of Bubble Tea, as soft-serve and glow do: a
// root Model owns the unlocked vault, the clipboard timer and the status
// line, and routes messages to one screen (unlock, list, actions, add,
// enroll, rename, delete, QR code, help), each a type with its own Update
// and View. Screens change only through messages the root handles. View
// functions only read; every file, vault and clipboard access runs in a
// tea.Cmd. Time arrives in tickMsg values read from the injected clock once
// a second, aligned to the wall clock, so the countdowns follow the real
// TOTP windows.
//
// In the list, every printable key goes to the filter: actions live on keys
// that cannot be part of a query (Enter, Tab, arrows, Ctrl chords).
package tui

import (
	"errors"
	"os"
	"os/signal"
	"syscall"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"

	"github.com/vmfa/vmfa/internal/clipboard"
	"github.com/vmfa/vmfa/internal/termbg"
	"github.com/vmfa/vmfa/internal/unlock"
	"github.com/vmfa/vmfa/vault"
)

// Options configure Run.
type Options struct {
	// Unlock opens the vault of its Store, as every front end does: an
	// unlocked agent or a key file opens the list at once, with no unlock
	// screen; a passphrase typed into that screen goes to the agent.
	Unlock     *unlock.Unlocker
	Passphrase string           // from VMFA_PASSPHRASE*; "" means prompt in the TUI
	Now        func() time.Time // the clock; nil means time.Now
	LockAfter  time.Duration    // idle lock; 0 means 5 minutes; negative disables
	WorkFactor int              // scrypt work factor for a vault created on first run (0 = vault.DefaultWorkFactor)
	// ClockNote and ClockWarning are shown in the list's header: that Now is
	// corrected ("clock corrected +1m37s"), and doubts about the clock.
	ClockNote, ClockWarning string
	// Explain says an error of the vault (opening it, reading, saving) as
	// the program says it, with what to do about it: the program's hints,
	// which name its commands, as no library does. nil shows err.Error().
	Explain func(error) string
	// AWSProfiles reads the AWS config file's profiles that name an MFA
	// device: each AWS device's row names the profiles using it, and the
	// filter matches those names. It is called at start, then once a
	// second while the vault is open, from a command, and says whether
	// the profiles may have changed since its last call; so a profile
	// added while the interface runs shows. nil: no profiles.
	AWSProfiles func() (profiles []AWSProfile, changed bool)
	// Sync syncs a vault that syncs with its remote; nil when it does
	// not sync.
	Sync Syncer
}

// Syncer is how the interface syncs the vault (gitsync.Background): on
// open, after each change, and every SyncEvery while unlocked (less often
// while the remote is out of reach), always in the background, so that a
// code never waits on the network; the list's header says how it stands.
type Syncer interface {
	// Sync exchanges the vault's changes with the remote, merging what
	// comes in with v; it may take the network's time. Its error is one
	// that State does not say (a remote out of reach, it does).
	Sync(v *vault.Vault) error
	// Offline says the last Sync could not reach the remote.
	Offline() bool
	// State says how the sync stands as of now, in a few words, without
	// the network: "synced 2 min ago · offline · 3 changes not pushed".
	State(now time.Time) string
}

const renderFPS = 30

// backgroundWait bounds the wait for the terminal's background colour, for
// a terminal that answers nothing: a link's round trip, with room.
const backgroundWait = time.Second

// SyncEvery is how often the interface syncs while it is open and
// unlocked, so that what another machine changed shows without a key
// press. While the remote is out of reach the wait doubles after each
// sync, up to SyncEveryOffline.
const (
	SyncEvery        = 2 * time.Minute
	SyncEveryOffline = 16 * time.Minute
)

// DefaultLockAfter is the idle time after which the secrets are dropped.
const DefaultLockAfter = 5 * time.Minute

// Run shows the interface on the terminal until the user quits.
func Run(opts Options) error {
	if opts.Unlock == nil || opts.Unlock.Store == nil {
		return errors.New("tui: no vault store")
	}
	// Before the interface takes the screen, so that a key's own prompts
	// (an SSH key's passphrase, a plugin's touch) and the agent's
	// warnings are on the terminal.
	opened, err := opts.Unlock.OpenByKey()
	if err != nil {
		return err
	}
	if os.Getenv("NO_COLOR") != "" {
		lipgloss.SetColorProfile(termenv.Ascii)
	} else {
		// Ask the terminal for its background now, once, rather than from
		// a View, and not for long (termenv waits 5 s).
		lipgloss.SetHasDarkBackground(termbg.Dark(backgroundWait))
	}
	clip := &clipboard.Clipboard{}
	store := storeAdapter{s: opts.Unlock.Store, unlock: opts.Unlock, explain: opts.Explain}
	m := newModel(config{
		store:       store,
		passphrase:  opts.Passphrase,
		clock:       opts.Now,
		lockAfter:   opts.LockAfter,
		workFactor:  opts.WorkFactor,
		clip:        clip,
		clockNote:   opts.ClockNote,
		clockWarn:   opts.ClockWarning,
		awsProfiles: opts.AWSProfiles,
		syncer:      opts.Sync,
	})
	if opened != nil {
		m.cfg.unlocked = store.vault(opened)
		m.unlock.busy = true
	}
	// 30 frames a second rather than Bubble Tea's 60: a key's effect still
	// shows within 33 ms, and the renderer's wake-ups, most of the idle
	// CPU, are halved (0.86% of a core idle with 50 accounts at 60 fps).
	p := tea.NewProgram(m, tea.WithAltScreen(), tea.WithFPS(renderFPS))
	// Closing the terminal (SIGHUP) and SIGQUIT end the program as a quit
	// does, so the code copied last is cleared below rather than left on
	// the clipboard; SIGQUIT would otherwise also dump every goroutine's
	// stack on the terminal. Bubble Tea itself turns SIGTERM and SIGINT
	// into a quit. The signals stay caught until the code is cleared.
	quit := make(chan os.Signal, 1)
	signal.Notify(quit, syscall.SIGHUP, syscall.SIGQUIT)
	defer signal.Stop(quit)
	done := make(chan struct{})
	go func() {
		select {
		case <-quit:
			p.Quit()
		case <-done:
		}
	}()
	final, err := p.Run()
	close(done)
	// A quit through ctrl+c has cleared the clipboard already; a signal has
	// not.
	if fm, ok := final.(Model); ok && fm.copied != "" {
		_, _ = clip.ClearIf(fm.copied)
		fm.copyRecord.forget()
	}
	if errors.Is(err, tea.ErrProgramKilled) {
		return nil
	}
	return err
}

// Store and Vault are what the TUI needs of package vault, as interfaces so
// the model does not care how the vault is reached.
type Store interface {
	Exists() (bool, error)
	Create(passphrase string, workFactor int) (Vault, error)
	Unlock(passphrase string) (Vault, error)
}

type Vault interface {
	Load() (*vault.Data, error)
	Update(fn func(*vault.Data) error) (*vault.Data, error)
	Stamp() (vault.Stamp, error)
	ClaimCode(e vault.Entry, at time.Time, fresh bool) (time.Time, error)
	Store() *vault.Store // for the record of copies (vault.Store.RecordCopy)
}

type storeAdapter struct {
	s       *vault.Store
	unlock  *unlock.Unlocker   // Options.Unlock; nil opens s with the passphrase alone
	explain func(error) string // Options.Explain; nil leaves errors as they are
}

func (a storeAdapter) Exists() (bool, error) {
	ok, err := a.s.Exists()
	return ok, a.explained(err)
}

func (a storeAdapter) Create(p string, wf int) (Vault, error) {
	v, err := a.s.Create(p, wf)
	if err != nil {
		return nil, a.explained(err)
	}
	return a.vault(v), nil
}

func (a storeAdapter) Unlock(p string) (Vault, error) {
	open := a.s.Unlock
	if a.unlock != nil {
		open = a.unlock.OpenWith
	}
	v, err := open(p)
	if err != nil {
		return nil, a.explained(err)
	}
	return a.vault(v), nil
}

// takeNotes returns, once, what the last unlock did beside opening the
// vault: the conflict copies it merged or refused.
func (a storeAdapter) takeNotes() []string {
	if a.unlock == nil {
		return nil
	}
	notes := a.unlock.Notes
	a.unlock.Notes = nil
	return notes
}

// vault is v, its errors explained.
func (a storeAdapter) vault(v *vault.Vault) Vault {
	if a.explain == nil {
		return v
	}
	return explainedVault{v, a}
}

// rawVault is the *vault.Vault behind v, nil for another Vault.
func rawVault(v Vault) *vault.Vault {
	switch v := v.(type) {
	case *vault.Vault:
		return v
	case explainedVault:
		return v.Vault
	}
	return nil
}

// explained is err as Options.Explain says it, still wrapping err.
func (a storeAdapter) explained(err error) error {
	if err == nil || a.explain == nil {
		return err
	}
	if msg := a.explain(err); msg != err.Error() {
		return &explainedError{err, msg}
	}
	return err
}

// explainedError is an error as the program says it (Options.Explain).
type explainedError struct {
	err error
	msg string
}

func (e *explainedError) Error() string { return e.msg }
func (e *explainedError) Unwrap() error { return e.err }

// explainedVault is a Vault whose errors are explained (Options.Explain).
type explainedVault struct {
	*vault.Vault
	a storeAdapter
}

func (v explainedVault) Load() (*vault.Data, error) {
	d, err := v.Vault.Load()
	return d, v.a.explained(err)
}

func (v explainedVault) Update(fn func(*vault.Data) error) (*vault.Data, error) {
	d, err := v.Vault.Update(fn)
	return d, v.a.explained(err)
}

func (v explainedVault) Stamp() (vault.Stamp, error) {
	st, err := v.Vault.Stamp()
	return st, v.a.explained(err)
}

func (v explainedVault) ClaimCode(e vault.Entry, at time.Time, fresh bool) (time.Time, error) {
	t, err := v.Vault.ClaimCode(e, at, fresh)
	return t, v.a.explained(err)
}

// Clipboard is what the TUI needs of package clipboard; tests capture copies
// through it.
type Clipboard interface {
	Copy(text string) error
	ClearIf(text string) (cleared bool, err error)
	ReadImage() ([]byte, error)
	CopiedVia(text string) (clipboard.Route, bool)
	ClearVia(text string, r clipboard.Route) (cleared bool, err error)
}
