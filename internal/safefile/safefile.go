// Package safefile opens the files vmfa keeps (the vault's, its lock, the
// settings, the AWS session cache) and judges the directories that hold
// them, so that nothing put in their place can hang vmfa or be trusted
// when someone else could have written it.
//
// A named pipe at a file's path would block every open until a writer
// comes, and a device could answer anything: Open and NewLock refuse
// whatever is not a regular file, with a *NotRegularError, and never block
// to find out. Checking the path before opening it would not do: what is
// there could change in between, so the check is made on what was opened.
package safefile

import (
	"fmt"
	"io/fs"
	"os"
	"runtime"

	"github.com/gofrs/flock"
)

// NotRegularError is the error of a path that holds something other than
// a regular file: a named pipe, a device, a socket, a directory.
type NotRegularError struct {
	Path string
	Type fs.FileMode // the type bits of what is there
}

func (e *NotRegularError) Error() string {
	return fmt.Sprintf("%s is %s, not a regular file", e.Path, typeName(e.Type))
}

// typeName says what a file of type t is, as people name it.
func typeName(t fs.FileMode) string {
	switch {
	case t&fs.ModeNamedPipe != 0:
		return "a named pipe"
	case t&fs.ModeSocket != 0:
		return "a socket"
	case t&fs.ModeCharDevice != 0:
		return "a character device"
	case t&fs.ModeDevice != 0:
		return "a block device"
	case t&fs.ModeDir != 0:
		return "a directory"
	case t&fs.ModeSymlink != 0:
		return "a symbolic link"
	}
	return "a special file"
}

// Open opens the regular file at path for reading, following symbolic
// links. Whatever else is there is refused with a *NotRegularError, and
// opening it never blocks: it is opened non-blocking, then examined.
func Open(path string) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_RDONLY|oNonBlock, 0)
	if err != nil {
		return nil, err
	}
	if err := checkRegular(f, path); err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}

// checkRegular refuses an open file that is not a regular file.
func checkRegular(f *os.File, path string) error {
	fi, err := f.Stat()
	if err != nil {
		return err
	}
	if !fi.Mode().IsRegular() {
		return &NotRegularError{Path: path, Type: fi.Mode().Type()}
	}
	return nil
}

// NewLock returns the advisory lock on the file at path, which it creates,
// 0600, if it is missing. A lock file that is not a regular file is refused
// with a *NotRegularError, and one that is a symbolic link with the open's
// error (ELOOP): a link would make every locker create, or change the mode
// of, whatever it points to. Neither opening it here nor taking the lock
// ever blocks on what is there. A lock file of another mode is made 0600.
func NewLock(path string) (*flock.Flock, error) {
	f, err := os.OpenFile(path, os.O_RDONLY|os.O_CREATE|oNonBlock|oNoFollow, 0o600)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if err := checkRegular(f, path); err != nil {
		return nil, err
	}
	if fi, err := f.Stat(); err == nil && fi.Mode().Perm() != 0o600 && runtime.GOOS != "windows" {
		f.Chmod(0o600) // through the descriptor: no link can redirect it
	}
	flag := os.O_CREATE | os.O_RDONLY
	switch runtime.GOOS {
	case "aix", "solaris", "illumos":
		flag = os.O_CREATE | os.O_RDWR // fcntl locks need a writable file there
	}
	return flock.New(path, flock.SetFlag(flag|oNonBlock|oNoFollow), flock.SetPermissions(0o600)), nil
}

// UntrustedError says why a file or directory is not trusted: someone
// other than the user, and root, could change it or what it holds.
type UntrustedError struct {
	Path  string      // the file or directory at fault
	Mode  fs.FileMode // its mode
	Owner int         // its owner's user ID
	// OtherOwner says that its owner is at fault; otherwise it is writable
	// by others.
	OtherOwner bool
	// Ancestor says that Path holds what was checked (CheckAncestors), as
	// a directory on its path or as a symbolic link on it.
	Ancestor bool
}

func (e *UntrustedError) Error() string {
	switch {
	case e.OtherOwner && e.Ancestor:
		return fmt.Sprintf("%s is owned by user %d, neither you (%d) nor root", e.Path, e.Owner, os.Geteuid())
	case e.OtherOwner:
		return fmt.Sprintf("%s is owned by user %d, not by you (%d)", e.Path, e.Owner, os.Geteuid())
	case e.Ancestor:
		return fmt.Sprintf("%s is writable by others and not sticky (mode %v)", e.Path, e.Mode)
	}
	return fmt.Sprintf("%s is writable by others (mode %v)", e.Path, e.Mode)
}
