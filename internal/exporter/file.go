package exporter

import (
	"errors"
	"fmt"
	"io/fs"
	"os"

	"github.com/vmfa/vmfa/internal/atomicfile"
	"github.com/vmfa/vmfa/internal/shellquote"
)

// WriteFile puts an export in a file only its owner can read (0600). It
// never replaces a file unless force is set, and then atomically, through a
// new file in the same directory renamed over the old one, so that the old
// export stays whole if the write fails.
func WriteFile(path string, data []byte, force bool) error {
	if !force {
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if errors.Is(err, fs.ErrExist) {
			return &ExistsError{Path: path}
		} else if err != nil {
			return err
		}
		if err := writeClose(f, data); err != nil {
			os.Remove(path)
			return err
		}
		return nil
	}
	if fi, err := os.Lstat(path); err == nil && !fi.Mode().IsRegular() {
		return fmt.Errorf("%s is not a regular file: vmfa replaces only files", path)
	}
	return atomicfile.Write(path, data)
}

// CheckNew returns the error WriteFile would give without force if path
// exists, so that a command can refuse before it asks for a password or
// writes the first of several files.
func CheckNew(path string) error {
	if _, err := os.Lstat(path); err == nil {
		return &ExistsError{Path: path}
	}
	return nil
}

// ExistsError is the refusal to write over Path, which exists, without
// force. It wraps fs.ErrExist.
type ExistsError struct{ Path string }

func (e *ExistsError) Error() string { return e.Path + " already exists" }

func (e *ExistsError) Unwrap() error { return fs.ErrExist }

func writeClose(f *os.File, data []byte) error {
	_, err := f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// MakePrivateDir makes dir, readable only by its owner (0700), if it does
// not exist; an existing directory that others can read is refused, since
// the files going in hold secrets.
func MakePrivateDir(dir string) error {
	err := os.Mkdir(dir, 0o700)
	if err == nil || !errors.Is(err, fs.ErrExist) {
		return err
	}
	fi, err := os.Stat(dir)
	switch {
	case err != nil:
		return err
	case !fi.IsDir():
		return fmt.Errorf("%s is not a directory", dir)
	case fi.Mode().Perm()&0o077 != 0:
		return fmt.Errorf("%s can be read by others (mode %04o): run chmod 700 %s, or name a new directory", dir, fi.Mode().Perm(), shellquote.Word(dir))
	}
	return nil
}
