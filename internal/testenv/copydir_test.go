package testenv

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

// TestCopyDir: files, directories and a symbolic link, with their modes
// and times.
func TestCopyDir(t *testing.T) {
	src := filepath.Join(t.TempDir(), "src")
	old := time.Date(2020, 1, 2, 3, 4, 5, 0, time.UTC)
	entries := []struct {
		path string
		mode os.FileMode
	}{{"", os.ModeDir | 0o700}, {"secret", 0o600}, {"sub", os.ModeDir | 0o750}, {"sub/object", 0o444}}
	for _, e := range entries {
		p := filepath.Join(src, e.path)
		var err error
		if e.mode.IsDir() {
			err = os.Mkdir(p, e.mode.Perm())
		} else {
			err = os.WriteFile(p, []byte(e.path), e.mode)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink("secret", filepath.Join(src, "link")); err != nil {
		t.Fatal(err)
	}
	for i := len(entries) - 1; i >= 0; i-- { // a directory's entries first
		if err := os.Chtimes(filepath.Join(src, entries[i].path), old, old); err != nil {
			t.Fatal(err)
		}
	}

	dst := filepath.Join(t.TempDir(), "dst")
	CopyDir(t, src, dst)
	for _, e := range entries {
		fi, err := os.Lstat(filepath.Join(dst, e.path))
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode() != e.mode || !fi.ModTime().Equal(old) {
			t.Errorf("%q: %v %v, want %v %v", e.path, fi.Mode(), fi.ModTime(), e.mode, old)
		}
		if b, _ := os.ReadFile(filepath.Join(dst, e.path)); !fi.IsDir() && string(b) != e.path {
			t.Errorf("%q holds %q", e.path, b)
		}
	}
	if target, err := os.Readlink(filepath.Join(dst, "link")); err != nil || target != "secret" {
		t.Errorf("link: %q %v", target, err)
	}
}
