package tui

import (
	"errors"
	"os"
	"slices"
	"time"

	"github.com/charmbracelet/bubbles/spinner"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/vmfa/vmfa/otp"
	"github.com/vmfa/vmfa/vault"
)

// Every file, vault and clipboard access runs in one of these commands.

// openCmd learns whether a vault exists and, with a passphrase from the
// environment, opens it (or creates it on first run).
func openCmd(s Store, passphrase string, workFactor int) tea.Cmd {
	return func() tea.Msg {
		exists, err := s.Exists()
		if err != nil || passphrase == "" {
			return vaultStateMsg{exists: exists, err: err}
		}
		if exists {
			return openVault(s, passphrase)
		}
		return create(s, passphrase, workFactor)
	}
}

func unlockCmd(s Store, passphrase string) tea.Cmd {
	return func() tea.Msg { return openVault(s, passphrase) }
}

func createCmd(s Store, passphrase string, workFactor int) tea.Cmd {
	return func() tea.Msg { return create(s, passphrase, workFactor) }
}

func openVault(s Store, passphrase string) tea.Msg {
	v, err := s.Unlock(passphrase)
	if err != nil {
		return unlockedMsg{err: err}
	}
	msg := load(v, false)
	if n, ok := s.(noter); ok {
		if m, ok := msg.(unlockedMsg); ok {
			m.notes = n.takeNotes()
			return m
		}
	}
	return msg
}

// noter is a Store with something to say of its last unlock.
type noter interface{ takeNotes() []string }

func create(s Store, passphrase string, workFactor int) tea.Msg {
	v, err := s.Create(passphrase, workFactor)
	if err != nil {
		return unlockedMsg{err: err}
	}
	return load(v, true)
}

// load reads the vault's data, stamped before the read so that a save in
// between shows as a change on the next check.
func load(v Vault, created bool) tea.Msg {
	stamp, err := v.Stamp()
	if err != nil {
		return unlockedMsg{err: err}
	}
	d, err := v.Load()
	if err != nil {
		return unlockedMsg{err: err}
	}
	return unlockedMsg{v: v, data: d, stamp: stamp, created: created}
}

// checkCmd looks for a change to vault.age since the stamp, and reads it if
// there is one.
func checkCmd(v Vault, since vault.Stamp, gen int) tea.Cmd {
	return func() tea.Msg {
		stamp, err := v.Stamp()
		if err != nil || stamp.Equal(since) {
			return reloadedMsg{gen: gen, stamp: since, err: err}
		}
		d, err := v.Load()
		return reloadedMsg{gen: gen, stamp: stamp, data: d, err: err}
	}
}

// awsProfilesCmd reads the AWS profiles again, if their file changed
// (Options.AWSProfiles).
func awsProfilesCmd(read func() ([]AWSProfile, bool)) tea.Cmd {
	if read == nil {
		return nil
	}
	return func() tea.Msg {
		if profiles, changed := read(); changed {
			return awsProfilesMsg(profiles)
		}
		return nil
	}
}

// copyCmd copies code, which rec describes (vault.CopyOf), to the clipboard
// and records the copy in the vault directory until it is cleared, so that
// the next start clears it if this process dies first (leftovers.go).
func copyCmd(c *common, code string, rec vault.Copy, what string) tea.Cmd {
	clip, v, now := c.clip, c.vault, c.now
	return func() tea.Msg {
		if err := clip.Copy(code); err != nil {
			return copiedMsg{err: err}
		}
		msg := copiedMsg{code: code, what: what}
		if route, ok := clip.CopiedVia(code); ok {
			rec.Route, rec.At, rec.PID = string(route), now, os.Getpid()
			// Not recorded (a read-only directory), the code is still
			// cleared, unless this process is killed.
			if v.Store().RecordCopy(rec) == nil {
				msg.record = copyRecord{store: v.Store(), copy: rec}
			}
		}
		return msg
	}
}

// copyRecord is the record of a copied code, in the directory that holds it.
type copyRecord struct {
	store *vault.Store // nil: not recorded
	copy  vault.Copy
}

// forget removes the record: the code is cleared, or gone. A record left
// behind only makes a later start clear the code, if it is still there.
func (r copyRecord) forget() {
	if r.store != nil {
		_ = r.store.ForgetCopy(r.copy)
	}
}

// clearCmd clears code from the clipboard if it is still there, and
// forgets its record.
func clearCmd(c Clipboard, code string, rec copyRecord) tea.Cmd {
	return func() tea.Msg {
		cleared, err := c.ClearIf(code)
		rec.forget()
		return clearedMsg{cleared: cleared, err: err}
	}
}

// replacedCmd forgets code, which a copy since has replaced on the
// clipboard: ClearIf takes it out of tmux's paste buffers, where each copy
// has a buffer of its own. A code copied again is the new copy's.
func replacedCmd(c Clipboard, code, by string, rec copyRecord) tea.Cmd {
	return func() tea.Msg {
		if code != by {
			_, _ = c.ClearIf(code)
		}
		rec.forget()
		return nil
	}
}

// saveCmd runs change on the vault's data and saves it, in one locked
// read-modify-write; done wraps the outcome in the message of the screen
// that asked.
func saveCmd(v Vault, change func(*vault.Data) error, done func(saved) tea.Msg) tea.Cmd {
	return func() tea.Msg {
		d, err := v.Update(change)
		return done(saved{data: d, err: err})
	}
}

var errGone = errors.New("the account is no longer in the vault")

// gone says errGone for an account another process removed meanwhile.
func gone(err error) error {
	if errors.Is(err, vault.ErrNotFound) {
		return errGone
	}
	return err
}

// takeCmd takes an account's code with vault.Data.TakeCodes, which spends
// an HOTP counter (and saves it) before the code is shown.
func takeCmd(v Vault, id string, now time.Time) tea.Cmd {
	var (
		entry vault.Entry
		codes []string
	)
	return saveCmd(v, func(d *vault.Data) (err error) {
		entry, codes, err = d.TakeCodes(id, now, false)
		return gone(err)
	}, func(s saved) tea.Msg {
		msg := takenMsg{saved: s, entry: entry}
		if s.err == nil && len(codes) > 0 {
			msg.code = codes[0]
		}
		return msg
	})
}

// claimCmd records the TOTP code of e at at, copied, as handed out
// (vault.Vault.ClaimCode), so that 'vmfa code --fresh' never hands it out
// again.
func claimCmd(v Vault, e vault.Entry, at time.Time) tea.Cmd {
	return func() tea.Msg {
		if _, err := v.ClaimCode(e, at, false); err != nil {
			return claimFailedMsg{err}
		}
		return nil
	}
}

// addCmd adds accounts that arrived together with vault.Data.AddAll: all or
// none, unless skipExisting. When the unit is refused for duplicates, the
// message lists every one of them, so the screen can offer to add the rest.
func addCmd(v Vault, accounts []otp.Account, now time.Time, skipExisting bool) tea.Cmd {
	msg := addedMsg{unit: accounts}
	return saveCmd(v, func(d *vault.Data) error {
		var err error
		msg.added, msg.skipped, err = d.AddAll(accounts, now, skipExisting)
		var dup *vault.DuplicateError
		if errors.As(err, &dup) {
			// A dry run on a copy learns which ones: d is left as AddAll
			// left it, unchanged.
			probe := vault.Data{Version: d.Version, Accounts: slices.Clone(d.Accounts)}
			if _, dups, perr := probe.AddAll(accounts, now, true); perr == nil {
				msg.dups = dups
			} else {
				err = perr // an invalid account: the first thing to fix
			}
		}
		return err
	}, func(s saved) tea.Msg {
		msg.saved = s
		return msg
	})
}

// spin advances a screen's spinner while the screen is busy, and lets the
// ticks stop once it is not.
func spin(s *spinner.Model, busy bool, msg spinner.TickMsg) tea.Cmd {
	if !busy {
		return nil
	}
	var cmd tea.Cmd
	*s, cmd = s.Update(msg)
	return cmd
}

// syncedMsg is the end of a background sync.
type syncedMsg struct{ err error }

// syncCmd syncs the vault with its remote, in the background.
func syncCmd(s Syncer, v *vault.Vault) tea.Cmd {
	return func() tea.Msg {
		return syncedMsg{err: s.Sync(v)}
	}
}
