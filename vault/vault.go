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
// version of each file is kept next to it with a .bak suffix, and the last
// versions of vault.age (DefaultGenerations unless the vault says otherwise)
// are kept in backups/, where History lists them and Restore brings one back.
// Writers serialize on an advisory lock (vault.lock), and re-read vault.age
// once they hold it, so concurrent vmfa processes never lose each other's
// changes.
//
// vault.age is authenticated by a stanza only a holder of the identity can
// write (auth.go), so that a copy that travelled (through git, a file-sync
// tool) is believed only if the vault's key wrote it. Copies of one vault
// changed apart merge account by account in a join (merge.go: MergeFile),
// and the conflict copies file-sync tools leave beside vault.age are folded
// in (conflicts.go: FoldConflictCopies). The record of handed-out codes
// (steps.json), copies.json and backups/ are the machine's own and never
// merged.
//
// A vault directory is trusted only if it is the user's and no one else can
// write to it, as ssh trusts ~/.ssh: whoever can write there can swap the
// vault's files for their own. Symbolic links are never written through.
//
// # Queries
//
// A query names accounts in two ways, one per use:
//
//   - Data.Find, for commands that act on one account ('vmfa code aws'),
//     returns the one entry a query designates, or fails: an entry whose ID
//     is the query, or whose label ("Issuer:Name") it equals ignoring case,
//     wins; else it must match exactly one entry, ignoring case, as a
//     substring of the label, the initials of the issuer ("aws" for Amazon
//     Web Services), ISSUER:NAME (each part so), or an AWS MFA serial ARN
//     (the account ID in the label, narrowed to the device's name). No
//     match is ErrNotFound; several is an *AmbiguousError listing them.
//   - Match, for a list that narrows as the user types, ranks every entry a
//     query matches, best first: the issuer or name whole; a prefix of the
//     issuer, its initials or the name; a prefix of a word; a run of
//     characters anywhere; the characters in order, scattered from a word's
//     start ("gthb"). Ties go to the issuer, then a tighter and an earlier
//     match, then the entries' own order.
//
// # Handing out codes
//
// A service that accepts a code once refuses it the second time, so the
// vault, not its front ends, decides which code to hand out (Vault.HandOut;
// the agent calls the same):
//
//   - Every TOTP time step handed out, by any front end or the agent, is
//     recorded (steps.json, under the vault's lock; account IDs and steps,
//     never codes). A plain code is the current window's, handed out again
//     if need be; a fresh one (HandOutOptions.Fresh, 'vmfa code --fresh')
//     passes over the steps handed out for the first that was not, which
//     the caller waits for; a code and its next are claimed under one lock.
//     A record that can't be written never withholds a code: the handout
//     says so (Handout.Unrecorded, ErrNotRecorded).
//   - HOTP counters only go up: a counter is spent and saved before its
//     code is returned, and no code is returned if it can't be saved; every
//     save notes the counters in the same record, so a vault that comes back
//     older (Restore, a .bak, a backup) never hands out a used code again.
//   - A code copied to a clipboard is recorded (copies.json) until it is
//     cleared, so that the next interface clears a code whose copying
//     process died.
//
// The package knows nothing of terminals: passphrases come in as strings.
package vault

import (
	"encoding/json"
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
// is willing to compute: 2^22 takes seconds and 4 GiB of memory (scrypt at
// work factor w needs 2^w KiB), and a larger one in identity.age is more
// likely an attack than a choice.
const MaxWorkFactor = 22

// How many previous versions of vault.age are kept in backups/: Data's
// Generations, or DefaultGenerations when it is 0.
const (
	DefaultGenerations = 20
	MinGenerations     = 5
	MaxGenerations     = 1000
)

// Errors callers branch on. Others are wrapped with the file they concern.
var (
	ErrNoVault           = errors.New("no vault yet")
	ErrExists            = errors.New("a vault already exists")
	ErrWrongPassphrase   = errors.New("wrong passphrase")
	ErrEmptyPassphrase   = errors.New("the passphrase is empty")
	ErrNewerVersion      = errors.New("the vault was written by a newer vmfa: upgrade vmfa to open it")
	ErrBusy              = errors.New("another vmfa process is writing the vault; try again")
	ErrNotFound          = errors.New("no account matches")
	ErrAmbiguous         = errors.New("several accounts match")
	ErrInvalidWorkFactor = errors.New("scrypt work factor must be between 1 and 22")
	ErrNotEnoughMemory   = errors.New("not enough memory for the passphrase's scrypt")
	ErrNoVersion         = errors.New("no such version of the vault")
	// ErrKeyUnavailable is wrapped by the errors of an identity that holds
	// the key elsewhere (UnlockWith) and could not use it, such as an agent
	// that locked or went away: no fault of the vault's files.
	ErrKeyUnavailable = errors.New("the vault's key is not available")
	// ErrKeyElsewhere is the error of what needs the vault's key itself
	// (a new passphrase, a recipient, handing the key to the agent) from
	// a Vault opened through the agent, which never gives it out.
	ErrKeyElsewhere = errors.New("the vault was opened through the agent, which keeps its key: this needs the passphrase")
	// ErrOtherKey is wrapped by the errors of a Vault opened with
	// UnlockWith whose identity does not open vault.age: the key held
	// elsewhere is most likely another vault's, as when the vault was
	// deleted or moved away and created again since an agent took its key.
	ErrOtherKey = errors.New("the key the agent holds does not open it (the vault was created again since the agent took its key?)")
	// ErrDamaged is wrapped by every *DamagedError.
	ErrDamaged = errors.New("vault file is damaged")
	// ErrIncomplete is wrapped by every *IncompleteError.
	ErrIncomplete = errors.New("the vault is incomplete")
)

// Entry is an account as the vault keeps it.
type Entry struct {
	ID          string    `json:"id"`
	Created     time.Time `json:"created"`
	Note        string    `json:"note,omitempty"`
	Pinned      bool      `json:"pinned,omitempty"`
	otp.Account           // inlined in JSON

	extra string // members this version does not know (fields.go)
}

// Data is the plaintext of vault.age.
type Data struct {
	Version  int     `json:"version"`
	Accounts []Entry `json:"accounts"`
	// Generations is how many previous versions of vault.age to keep in
	// backups/, from MinGenerations to MaxGenerations; 0 means
	// DefaultGenerations. It belongs to the vault, not to a version:
	// Restore leaves it as it is.
	Generations int `json:"generations,omitempty"`

	extra string // members this version does not know (fields.go)
	// The merge's bookkeeping (merge.go): as read, compacted, until
	// state parses it into sync. Most reads never need it.
	syncRaw json.RawMessage
	sync    *syncState
}

// KeptGenerations is how many previous versions of vault.age a save keeps.
func (d *Data) KeptGenerations() int {
	if d.Generations == 0 {
		return DefaultGenerations
	}
	return max(d.Generations, MinGenerations)
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
	// Generations is how many earlier versions of vault.age are kept in
	// backups/, which Restore can bring back: the front end says how.
	Generations int
	Err         error // what is wrong; never includes file contents
}

func (e *DamagedError) Error() string {
	msg := fmt.Sprintf("%s is damaged (%v)", e.Path, e.Err)
	switch {
	case e.Backup == "" && e.Generations == 0:
		return msg + ": there is no backup of it; restore it from your own backups"
	case e.Backup != "":
		msg += ": a backup of the previous version is at " + e.Backup
		if filepath.Base(e.Backup) == identityFile+bakSuffix {
			msg += " (it opens with the passphrase you had before the last change)"
		}
	}
	return msg
}

func (e *DamagedError) Unwrap() []error { return []error{ErrDamaged, e.Err} }

// IncompleteError reports a vault directory that holds part of a vault but
// not identity.age, the key without which nothing in it opens: deleted by
// mistake, or lost. Such a vault is never "no vault", and nothing is created
// over it. It wraps ErrIncomplete and ErrExists.
type IncompleteError struct {
	Dir     string
	Present []string // the vault's files that are there
	// Restore says how to get identity.age back.
	Restore string
}

func (e *IncompleteError) Error() string {
	return fmt.Sprintf("%s holds a vault (%s) whose identity.age is missing, and nothing in it opens without it: %s; vmfa will not create a new vault over it",
		e.Dir, strings.Join(e.Present, ", "), e.Restore)
}

func (e *IncompleteError) Unwrap() []error { return []error{ErrIncomplete, ErrExists} }
