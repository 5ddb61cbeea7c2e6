// Package vault stores accounts in an age-encrypted directory.
//
// The layout follows age's own passage: vault.age is encrypted to the
// vault's X25519 recipient, whose identity is kept in identity.age, encrypted
// with the user's passphrase (age scrypt). Unlocking costs one scrypt; saving
// costs an X25519 encryption; changing the passphrase rewrites only
// identity.age. Stock age can decrypt both files.
//
// The package knows nothing of terminals: passphrases come in as strings.
package vault

import (
	"errors"
	"time"

	"github.com/vmfa/vmfa/otp"
)

// Version is the newest vault format this package reads and the one it writes.
const Version = 1

// DefaultWorkFactor is the scrypt work factor of a new identity.age: about
// half a second to unlock on a laptop.
const DefaultWorkFactor = 18

// Errors callers branch on. Others are wrapped with the file they concern.
var (
	ErrNoVault           = errors.New("no vault yet: run 'vmfa init' or 'vmfa add' to create one")
	ErrExists            = errors.New("a vault already exists")
	ErrWrongPassphrase   = errors.New("wrong passphrase")
	ErrEmptyPassphrase   = errors.New("the passphrase is empty")
	ErrNewerVersion      = errors.New("the vault was written by a newer vmfa: upgrade vmfa to open it")
	ErrLocked            = errors.New("another vmfa process is writing the vault; try again")
	ErrNotFound          = errors.New("no account matches")
	ErrAmbiguous         = errors.New("several accounts match")
	ErrInvalidWorkFactor = errors.New("scrypt work factor must be between 1 and 22")
)

// Entry is an account as the vault keeps it.
type Entry struct {
	ID          string    `json:"id"`
	Created     time.Time `json:"created"`
	Note        string    `json:"note,omitempty"`
	Pinned      bool      `json:"pinned,omitempty"`
	otp.Account           // inlined in JSON
}

// Data is the plaintext of vault.age.
type Data struct {
	Version  int     `json:"version"`
	Accounts []Entry `json:"accounts"`
}

// DuplicateError reports an account whose secret the vault already holds.
type DuplicateError struct {
	Existing Entry
}

func (e *DuplicateError) Error() string {
	return "already in the vault as " + e.Existing.Label()
}
