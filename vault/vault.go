// Package vault stores accounts in an age-encrypted directory.
//
// The layout follows age's own passage: vault.age is encrypted to the
// vault's X25519 recipient, whose identity is kept in identity.age, encrypted
// with the user's passphrase (age scrypt). Unlocking costs one scrypt; saving
// costs an X25519 encryption; changing the passphrase rewrites only
// identity.age. Stock age can decrypt both files:
//
//	age -d -i identity.age vault.age
//
// asks for the passphrase of identity.age and prints the vault's JSON.
//
// Every write goes to a temporary file that is synced and then renamed over
// its target, so a reader sees either the old file or the new one, never a
// mix, and a crash or a full disk leaves the old file intact. The previous
// version of each file is kept next to it with a .bak suffix. Writers
// serialize on an advisory lock (vault.lock), and re-read vault.age once they
// hold it, so concurrent vmfa processes never lose each other's changes.
//
// The package knows nothing of terminals: passphrases come in as strings.
package vault

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/vmfa/vmfa/otp"
)

// Version is the newest vault format this package reads and the one it writes.
const Version = 1

// DefaultWorkFactor is the scrypt work factor of a new identity.age: about
// half a second to unlock on a laptop.
const DefaultWorkFactor = 18

// MaxWorkFactor is the largest scrypt work factor Create accepts and Unlock
// is willing to compute: 2^22 takes seconds and a gigabyte of memory, and a
// larger one in identity.age is more likely an attack than a choice.
const MaxWorkFactor = 22

// Errors callers branch on. Others are wrapped with the file they concern.
var (
	ErrNoVault           = errors.New("no vault yet: run 'vmfa init', or 'vmfa add' or 'vmfa enroll' to create one with the first account")
	ErrExists            = errors.New("a vault already exists")
	ErrWrongPassphrase   = errors.New("wrong passphrase")
	ErrEmptyPassphrase   = errors.New("the passphrase is empty")
	ErrNewerVersion      = errors.New("the vault was written by a newer vmfa: upgrade vmfa to open it")
	ErrLocked            = errors.New("another vmfa process is writing the vault; try again")
	ErrNotFound          = errors.New("no account matches")
	ErrAmbiguous         = errors.New("several accounts match")
	ErrInvalidWorkFactor = errors.New("scrypt work factor must be between 1 and 22")
	// ErrDamaged is wrapped by every *DamagedError.
	ErrDamaged = errors.New("vault file is damaged")
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

// AmbiguousError is returned by Find when a query matches several accounts,
// so that callers can list them. It wraps ErrAmbiguous.
type AmbiguousError struct {
	Query   string
	Matches []Entry
}

func (e *AmbiguousError) Error() string {
	const show = 5
	var labels []string
	for i, m := range e.Matches {
		if i == show {
			labels = append(labels, fmt.Sprintf("and %d more", len(e.Matches)-show))
			break
		}
		labels = append(labels, m.Label())
	}
	return fmt.Sprintf("%d accounts match %q (%s): be more specific",
		len(e.Matches), e.Query, strings.Join(labels, ", "))
}

func (e *AmbiguousError) Unwrap() error { return ErrAmbiguous }

// DamagedError reports a file that exists but can't be read back: truncated,
// corrupted, or not what vmfa wrote. It names the file and, if there is one,
// the backup the user can restore. It wraps ErrDamaged and its cause.
type DamagedError struct {
	Path   string // the damaged file
	Backup string // its backup, or "" if there is none
	Err    error  // what is wrong; never includes file contents
}

func (e *DamagedError) Error() string {
	msg := fmt.Sprintf("%s is damaged (%v)", e.Path, e.Err)
	if e.Backup == "" {
		return msg + ": there is no backup of it; restore it from your own backups"
	}
	msg += ": a backup of the previous version is at " + e.Backup
	if filepath.Base(e.Backup) == identityFile+bakSuffix {
		msg += " (it opens with the passphrase you had before the last change)"
	}
	return msg
}

func (e *DamagedError) Unwrap() []error { return []error{ErrDamaged, e.Err} }
