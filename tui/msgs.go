package tui

import (
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/vmfa/vmfa/otp"
	"github.com/vmfa/vmfa/vault"
)

// tickMsg carries the injected clock's time, once a second on the second.
type tickMsg time.Time

// vaultStateMsg says whether a vault exists yet (first run or unlock).
type vaultStateMsg struct {
	exists bool
	err    error
}

// unlockedMsg ends the unlock (or create) screen.
type unlockedMsg struct {
	v       Vault
	data    *vault.Data
	created bool
	err     error
}

// savedMsg returns the vault's data after an Update.
type savedMsg struct {
	data    *vault.Data
	err     error
	toast   string
	select_ string // entry to put the cursor on
	added   []vault.Entry
	enroll  bool // open the enrollment view on the first added TOTP entry
}

// hotpMsg returns the code of an HOTP account whose counter was advanced.
type hotpMsg struct {
	id   string
	code string
	data *vault.Data
	err  error
}

// copiedMsg reports a clipboard write.
type copiedMsg struct {
	code string
	what string
	err  error
}

// clearedMsg reports a clipboard clear: cleared is false when the clipboard
// no longer held our code and was left alone.
type clearedMsg struct {
	cleared bool
	err     error
}

// decodedMsg returns the accounts read from an image, URI or typed secret.
type decodedMsg struct {
	accounts  []otp.Account
	fromImage bool
	err       error
}

// completionMsg returns the candidates for Tab completion of a path.
type completionMsg struct {
	input      string
	completion string
	candidates []string
	err        error
}

func (m Model) tick() tea.Cmd {
	clock := m.cfg.clock
	return tea.Every(time.Second, func(time.Time) tea.Msg { return tickMsg(clock()) })
}
