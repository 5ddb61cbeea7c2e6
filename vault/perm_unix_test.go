//go:build unix

package vault

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// TestPermissions checks that the directory is 0700 and every file 0600,
// whatever the umask: 0 would make them world-readable, 0277 read-only.
func TestPermissions(t *testing.T) {
	for _, umask := range []int{0, 0o277} {
		old := syscall.Umask(umask)
		s := Open(filepath.Join(t.TempDir(), "vmfa"))
		v, err := s.Create(testPassphrase, testWorkFactor)
		if err == nil {
			addAccounts(t, v, 0, 1)
			addAccounts(t, v, 1, 1)
			err = v.ChangePassphrase("new", testWorkFactor)
		}
		syscall.Umask(old)
		if err != nil {
			t.Fatalf("umask %#o: %v", umask, err)
		}

		fi, err := os.Stat(s.Dir())
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != 0o700 {
			t.Errorf("umask %#o: directory is %v, want 0700", umask, fi.Mode().Perm())
		}
		entries, _ := os.ReadDir(s.Dir())
		want := map[string]bool{identityFile: true, identityFile + bakSuffix: true, vaultFile: true, vaultFile + bakSuffix: true, lockFile: true}
		for _, e := range entries {
			fi, err := e.Info()
			if err != nil {
				t.Fatal(err)
			}
			if !want[e.Name()] {
				t.Errorf("umask %#o: unexpected file %s", umask, e.Name())
			}
			delete(want, e.Name())
			if fi.Mode() != 0o600 {
				t.Errorf("umask %#o: %s is %v, want -rw-------", umask, e.Name(), fi.Mode())
			}
		}
		for n := range want {
			t.Errorf("umask %#o: %s is missing", umask, n)
		}
	}

	// A directory that exists already is the user's: left as it is.
	dir := t.TempDir()
	os.Chmod(dir, 0o750)
	if _, err := Open(dir).Create(testPassphrase, testWorkFactor); err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Stat(dir); fi.Mode().Perm() != 0o750 {
		t.Errorf("Create changed an existing directory to %v", fi.Mode().Perm())
	}
}
