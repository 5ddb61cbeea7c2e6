package tui

import (
	"time"

	"github.com/vmfa/vmfa/otp"
	"github.com/vmfa/vmfa/vault"
)

// Messages that return the results of commands. Screen changes are in
// screen.go.

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
	stamp   vault.Stamp // of the vault.age data was read from
	created bool
	// notes are what opening the vault did beside it, to be said: the
	// conflict copies it merged (unlock.Unlocker.Notes).
	notes []string
	err   error
}

// awsProfilesMsg is the AWS profiles, read again after their file changed.
type awsProfilesMsg []AWSProfile

// reloadedMsg returns what a check for changes other processes made found:
// no data when vault.age is unchanged. gen is the model's generation of
// accounts when the check began: data read before a save of ours is stale.
type reloadedMsg struct {
	gen   int
	stamp vault.Stamp
	data  *vault.Data
	err   error
}

// saved is in the message of every command that changes the vault: the data
// after the change, or why nothing changed.
type saved struct {
	data *vault.Data
	err  error
}

func (s saved) savedData() *vault.Data { return s.data }

// changedVault is a message that carries the vault's data after a change.
type changedVault interface{ savedData() *vault.Data }

// listSavedMsg returns a change the list made (pin, move).
type listSavedMsg struct {
	saved
	toast    string
	selectID string
}

// takenMsg returns the code of an account whose codes were taken: an HOTP
// account's counter was spent first (entry is as it was before).
type takenMsg struct {
	saved
	entry vault.Entry
	code  string
}

// renamedMsg and deletedMsg return the dialogs' changes.
type renamedMsg struct {
	saved
	label string
}

type deletedMsg struct {
	saved
	label string
}

// addedMsg returns the accounts the add screen added; dups lists, when the
// whole unit was refused for holding accounts the vault already has, which
// ones they are.
type addedMsg struct {
	saved
	unit    []otp.Account // the accounts offered
	added   []vault.Entry
	skipped []vault.Skipped
	dups    []vault.Skipped
}

// claimFailedMsg reports a copied code that could not be recorded as
// handed out.
type claimFailedMsg struct{ err error }

// copiedMsg reports a clipboard write.
type copiedMsg struct {
	code   string
	what   string
	record copyRecord // zero when the copy could not be recorded
	err    error
}

// clearedMsg reports a clipboard clear: cleared is false when the clipboard
// no longer held our code and was left alone.
type clearedMsg struct {
	cleared bool
	err     error
}

// decodedMsg returns the texts of the QR codes of a source: an image, the
// screen.
type decodedMsg struct {
	source string // its name, in errors
	texts  []string
	err    error
}

// completionMsg returns the candidates for Tab completion of a path.
type completionMsg struct {
	input      string
	completion string
	candidates []string
	err        error
}
