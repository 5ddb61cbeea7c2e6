package testenv

import (
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// CopyDir copies the directory src to dst, a new directory, as cp -a
// does, without a process: files, directories and symbolic links, with
// their modes (a vault directory refuses loose ones) and modification
// times (a vault's generations are ordered by them).
func CopyDir(t testing.TB, src, dst string) {
	t.Helper()
	type dir struct {
		path string
		info fs.FileInfo
	}
	var dirs []dir
	err := filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, path)
		if err != nil {
			return err
		}
		to := filepath.Join(dst, rel)
		info, err := d.Info()
		if err != nil {
			return err
		}
		switch {
		case d.IsDir():
			dirs = append(dirs, dir{to, info})
			return os.Mkdir(to, 0o700) // its own mode once it is filled
		case d.Type()&fs.ModeSymlink != 0:
			target, err := os.Readlink(path)
			if err != nil {
				return err
			}
			return os.Symlink(target, to)
		case d.Type().IsRegular():
			if err := copyFile(path, to, info.Mode().Perm()); err != nil {
				return err
			}
			return os.Chtimes(to, info.ModTime(), info.ModTime())
		}
		return fmt.Errorf("%s: not a file, directory or symbolic link", path)
	})
	// Deepest first: a directory's time changes as its entries are made.
	for _, d := range slices.Backward(dirs) {
		if err == nil {
			err = os.Chmod(d.path, d.info.Mode().Perm())
		}
		if err == nil {
			err = os.Chtimes(d.path, d.info.ModTime(), d.info.ModTime())
		}
	}
	if err != nil {
		t.Fatalf("copying %s: %v", src, err)
	}
}

func copyFile(src, dst string, perm fs.FileMode) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, perm)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	if err := out.Close(); err != nil {
		return err
	}
	return os.Chmod(dst, perm) // whatever the umask took
}
