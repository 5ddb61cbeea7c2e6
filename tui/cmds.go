package tui

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/spinner"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/vmfa/vmfa/otp"
	"github.com/vmfa/vmfa/vault"
)

// openCmd learns whether a vault exists and, with a passphrase from the
// environment, opens it (or creates it on first run).
func openCmd(s Store, passphrase string, workFactor int) tea.Cmd {
	return func() tea.Msg {
		exists, err := s.Exists()
		if err != nil || passphrase == "" {
			return vaultStateMsg{exists: exists, err: err}
		}
		if exists {
			return unlock(s, passphrase)
		}
		return create(s, passphrase, workFactor)
	}
}

func unlockCmd(s Store, passphrase string) tea.Cmd {
	return func() tea.Msg { return unlock(s, passphrase) }
}

func createCmd(s Store, passphrase string, workFactor int) tea.Cmd {
	return func() tea.Msg { return create(s, passphrase, workFactor) }
}

func unlock(s Store, passphrase string) tea.Msg {
	v, err := s.Unlock(passphrase)
	if err != nil {
		return unlockedMsg{err: err}
	}
	d, err := v.Load()
	if err != nil {
		return unlockedMsg{err: err}
	}
	return unlockedMsg{v: v, data: d}
}

func create(s Store, passphrase string, workFactor int) tea.Msg {
	v, err := s.Create(passphrase, workFactor)
	if err != nil {
		return unlockedMsg{err: err}
	}
	d, err := v.Load()
	if err != nil {
		return unlockedMsg{err: err}
	}
	return unlockedMsg{v: v, data: d, created: true}
}

func copyCmd(c Clipboard, code, what string) tea.Cmd {
	return func() tea.Msg { return copiedMsg{code: code, what: what, err: c.Copy(code)} }
}

func clearCmd(c Clipboard, code string) tea.Cmd {
	return func() tea.Msg {
		cleared, err := c.ClearIf(code)
		return clearedMsg{cleared: cleared, err: err}
	}
}

// updateCmd runs fn on the vault's data and saves it.
func updateCmd(v Vault, fn func(*vault.Data) error, done savedMsg) tea.Cmd {
	return func() tea.Msg {
		d, err := v.Update(fn)
		done.data, done.err = d, err
		return done
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

// editCmd changes one entry in place.
func editCmd(v Vault, id string, fn func(*vault.Entry) error, toast string) tea.Cmd {
	return updateCmd(v, func(d *vault.Data) error {
		return gone(d.Edit(id, fn))
	}, savedMsg{toast: toast, select_: id})
}

// hotpCmd computes the code of an HOTP account's counter and stores the
// next counter, in one locked read-modify-write.
func hotpCmd(v Vault, id string, now time.Time) tea.Cmd {
	return func() tea.Msg {
		var code string
		d, err := v.Update(func(d *vault.Data) error {
			return gone(d.Edit(id, func(e *vault.Entry) (err error) {
				if code, err = e.Code(now); err != nil {
					return err
				}
				return e.Spend(1)
			}))
		})
		return hotpMsg{id: id, code: code, data: d, err: err}
	}
}

// addCmd adds accounts, skipping the ones the vault already holds.
func addCmd(v Vault, accounts []otp.Account, now time.Time, enroll bool) tea.Cmd {
	return func() tea.Msg {
		var added []vault.Entry
		var dups []string
		d, err := v.Update(func(d *vault.Data) error {
			added, dups = nil, nil
			for _, a := range accounts {
				e, err := d.Add(a, now)
				var dup *vault.DuplicateError
				if errors.As(err, &dup) {
					dups = append(dups, dup.Existing.Label())
					continue
				}
				if err != nil {
					return fmt.Errorf("%s: %w", a.Label(), err)
				}
				added = append(added, e)
			}
			if len(added) == 0 && len(dups) > 0 {
				return fmt.Errorf("already in the vault: %s", joinMax(dups, 3))
			}
			return nil
		})
		msg := savedMsg{data: d, err: err, added: added, enroll: enroll}
		if err == nil && len(added) > 0 {
			msg.select_ = added[0].ID
			msg.toast = fmt.Sprintf("added %s", joinMax(labels(added), 3))
			if len(dups) > 0 {
				msg.toast += fmt.Sprintf("; %d already in the vault", len(dups))
			}
		}
		return msg
	}
}

func labels(es []vault.Entry) []string {
	out := make([]string, len(es))
	for i, e := range es {
		out[i] = e.Label()
	}
	return out
}

func joinMax(s []string, n int) string {
	if len(s) <= n {
		return strings.Join(s, ", ")
	}
	return strings.Join(s[:n], ", ") + fmt.Sprintf(" and %d more", len(s)-n)
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
