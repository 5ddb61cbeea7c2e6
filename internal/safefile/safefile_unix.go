//go:build unix

package safefile

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
)

const (
	oNonBlock = syscall.O_NONBLOCK
	oNoFollow = syscall.O_NOFOLLOW
)

// CheckOwned refuses, with an *UntrustedError, a file or directory that
// someone other than the user could change: one owned by another user
// (root included), or writable by its group or by others. fi describes
// path, as os.Stat or an open file's Stat returns it.
func CheckOwned(path string, fi fs.FileInfo) error {
	uid := owner(fi)
	switch {
	case uid != os.Geteuid():
		return &UntrustedError{Path: path, Mode: fi.Mode(), Owner: uid, OtherOwner: true}
	case fi.Mode().Perm()&0o022 != 0:
		return &UntrustedError{Path: path, Mode: fi.Mode(), Owner: uid}
	}
	return nil
}

// CheckAncestors refuses, with an *UntrustedError, a path whose directories
// someone other than the user and root could change, and so move what path
// names away and put something else in its place. It is OpenSSH's rule for
// the files it trusts (safe_path), with the exception /tmp needs: every
// directory that holds path, up to / or up to the user's home directory
// (which is checked, but not what holds it), is owned by the user or root
// and writable by no one else, unless it is sticky, where no one else can
// rename what is the user's or root's.
//
// It walks the path as given, where a symbolic link on it must also be the
// user's or root's, and the path with its links resolved, so that both the
// directories that hold the links and those that hold what they point to
// are checked. Directories that do not exist yet are passed over: whoever
// creates them is the user.
func CheckAncestors(path string) error {
	abs, err := filepath.Abs(path)
	if err != nil {
		return err
	}
	home := homeDir()
	links, err := checkAncestors(abs, home)
	if err != nil || !links {
		return err // without links, the path is its own resolution
	}
	real, err := resolveExisting(abs)
	if err != nil {
		return err
	}
	_, err = checkAncestors(real, home)
	return err
}

// checkAncestors walks up from path to / or to home, and reports whether
// it met a symbolic link on the way.
func checkAncestors(path string, home fs.FileInfo) (links bool, err error) {
	if fi, err := os.Lstat(path); err == nil && fi.Mode()&fs.ModeSymlink != 0 {
		if err := checkLink(path, fi); err != nil {
			return true, err
		}
		links = true
	}
	for dir := filepath.Dir(path); ; dir = filepath.Dir(dir) {
		fi, err := os.Lstat(dir)
		if err == nil && fi.Mode()&fs.ModeSymlink != 0 {
			if err := checkLink(dir, fi); err != nil {
				return true, err
			}
			links = true
			fi, err = os.Stat(dir)
		}
		switch {
		case errors.Is(err, fs.ErrNotExist):
		case err != nil:
			return links, err
		default:
			if err := checkAncestor(dir, fi); err != nil {
				return links, err
			}
			if home != nil && os.SameFile(fi, home) {
				return links, nil
			}
		}
		if dir == filepath.Dir(dir) {
			return links, nil
		}
	}
}

// checkLink refuses a symbolic link on the path checked that someone other
// than the user and root owns: they could point it elsewhere.
func checkLink(path string, fi fs.FileInfo) error {
	if uid := owner(fi); uid != 0 && uid != os.Geteuid() {
		return &UntrustedError{Path: path, Mode: fi.Mode(), Owner: uid, OtherOwner: true, Ancestor: true}
	}
	return nil
}

// checkAncestor refuses a directory that holds what is checked unless only
// the user and root can change what it holds.
func checkAncestor(dir string, fi fs.FileInfo) error {
	uid := owner(fi)
	switch {
	case uid != 0 && uid != os.Geteuid():
		return &UntrustedError{Path: dir, Mode: fi.Mode(), Owner: uid, OtherOwner: true, Ancestor: true}
	case fi.Mode().Perm()&0o022 != 0 && fi.Mode()&fs.ModeSticky == 0:
		return &UntrustedError{Path: dir, Mode: fi.Mode(), Owner: uid, Ancestor: true}
	}
	return nil
}

// resolveExisting resolves the symbolic links of the longest part of path
// that exists, and keeps the rest as it is.
func resolveExisting(path string) (string, error) {
	rest := ""
	for {
		real, err := filepath.EvalSymlinks(path)
		if err == nil {
			return filepath.Join(real, rest), nil
		}
		parent := filepath.Dir(path)
		if !errors.Is(err, fs.ErrNotExist) || parent == path {
			return "", err
		}
		rest = filepath.Join(filepath.Base(path), rest)
		path = parent
	}
}

// homeDir describes the user's home directory, or is nil when $HOME does
// not name one.
func homeDir() fs.FileInfo {
	home := os.Getenv("HOME")
	if !filepath.IsAbs(home) {
		return nil
	}
	fi, err := os.Stat(home)
	if err != nil {
		return nil
	}
	return fi
}

// owner is the user ID of a file's owner.
func owner(fi fs.FileInfo) int {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return int(st.Uid)
	}
	return -1
}
