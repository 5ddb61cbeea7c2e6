//go:build unix

package vault

import (
	"errors"
	"fmt"
	"io/fs"
	"os"

	"github.com/vmfa/vmfa/internal/safefile"
	"github.com/vmfa/vmfa/internal/shellquote"
)

// checkDir refuses a directory that someone other than the user could have
// put files in: one writable by its group or by others, or owned by someone
// else. It says how to fix it. A directory that does not exist passes, if
// what would hold it passes.
//
// It also refuses a directory that someone else could move away, with a
// *safefile.UntrustedError for the directory at fault
// (safefile.CheckAncestors): another user who could rename the vault
// directory could put one of their own in its place, or let the next save
// create a new vault.
func checkDir(dir string) error {
	fi, err := os.Stat(dir)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	if err == nil {
		if err := checkOwnDir(dir, fi); err != nil {
			return err
		}
	}
	if err := safefile.CheckAncestors(dir); err != nil {
		return fmt.Errorf("%s can't be trusted: %w, so another user could move it away and put their own in its place", dir, err)
	}
	return nil
}

// checkOwnDir refuses dir, described by fi, unless it is a directory that
// only the user can change. The refusal of someone else's directory wraps
// its *safefile.UntrustedError, so that the front end can say how to name
// another.
func checkOwnDir(dir string, fi fs.FileInfo) error {
	if !fi.IsDir() {
		return &NotDirError{Path: dir}
	}
	var u *safefile.UntrustedError
	if !errors.As(safefile.CheckOwned(dir, fi), &u) {
		return nil
	}
	if u.OtherOwner {
		return &otherOwnerError{u, fmt.Sprintf("%s is owned by user %d, not by you (%d), so its owner could swap the vault's files ('chown -R %d %s' takes it over)",
			dir, u.Owner, os.Geteuid(), os.Geteuid(), shellquote.Word(dir))}
	}
	return fmt.Errorf("%s is writable by others (mode %v), who could swap the vault's files: run 'chmod go-w %s'",
		dir, fi.Mode().Perm(), shellquote.Word(dir))
}

// otherOwnerError is checkOwnDir's refusal of a directory someone else owns:
// its own message, and the *safefile.UntrustedError it is.
type otherOwnerError struct {
	untrusted *safefile.UntrustedError
	msg       string
}

func (e *otherOwnerError) Error() string { return e.msg }

func (e *otherOwnerError) Unwrap() error { return e.untrusted }
