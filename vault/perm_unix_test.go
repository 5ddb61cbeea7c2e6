//go:build unix

package vault

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/vmfa/vmfa/internal/safefile"
)

// TestPermissions checks that the directory is 0700 and every file 0600,
// whatever the umask: 0 would make them world-readable, 0277 read-only.
func TestPermissions(t *testing.T) {
	for _, umask := range []int{0, 0o277} {
		s := Open(filepath.Join(t.TempDir(), "vmfa")) // 0700: under umask 0, t.TempDir is open to all
		old := syscall.Umask(umask)
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
		want := map[string]bool{identityFile: true, identityFile + bakSuffix: true, vaultFile: true, vaultFile + bakSuffix: true, lockFile: true, backupsDir: true, authMarker: true}
		for _, e := range entries {
			fi, err := e.Info()
			if err != nil {
				t.Fatal(err)
			}
			if !want[e.Name()] {
				t.Errorf("umask %#o: unexpected file %s", umask, e.Name())
			}
			delete(want, e.Name())
			if e.Name() == backupsDir {
				if fi.Mode() != fs.ModeDir|0o700 {
					t.Errorf("umask %#o: %s is %v, want drwx------", umask, e.Name(), fi.Mode())
				}
				continue
			}
			if fi.Mode() != 0o600 {
				t.Errorf("umask %#o: %s is %v, want -rw-------", umask, e.Name(), fi.Mode())
			}
		}
		gens, _ := os.ReadDir(s.BackupsDir())
		for _, e := range gens {
			if fi, err := e.Info(); err != nil || fi.Mode() != 0o600 {
				t.Errorf("umask %#o: %s/%s is %v, %v; want -rw-------", umask, backupsDir, e.Name(), fi.Mode(), err)
			}
		}
		if len(gens) != 2 {
			t.Errorf("umask %#o: %d generations, want 2", umask, len(gens))
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

// TestInsecureDir: a vault directory that others can write to, or that
// belongs to someone else, is refused, as ssh refuses such a ~/.ssh: whoever
// can write there can swap the vault's files for their own.
func TestInsecureDir(t *testing.T) {
	s, v := newTestVault(t)
	addAccounts(t, v, 0, 1)
	for _, mode := range []os.FileMode{0o770, 0o707, 0o777} {
		os.Chmod(s.Dir(), mode)
		ok, err := s.Exists()
		if err == nil || !strings.Contains(err.Error(), "chmod go-w "+s.Dir()) {
			t.Errorf("mode %v: Exists = %v, %v; want a refusal that says how to fix it", mode, ok, err)
		}
		if _, err := s.Unlock(testPassphrase); err == nil {
			t.Errorf("mode %v: Unlock succeeded", mode)
		}
		if _, err := v.Update(func(*Data) error { return nil }); err == nil {
			t.Errorf("mode %v: Update succeeded", mode)
		}
		if _, err := Open(s.Dir()).Create("x", testWorkFactor); err == nil || errors.Is(err, ErrExists) {
			t.Errorf("mode %v: Create = %v", mode, err)
		}
	}
	// Readable by the group is the user's choice (TestPermissions).
	os.Chmod(s.Dir(), 0o750)
	if _, err := s.Unlock(testPassphrase); err != nil {
		t.Errorf("mode 0750: %v", err)
	}
	os.Chmod(s.Dir(), 0o700)

	// Someone else's directory.
	foreign := t.TempDir()
	if os.Geteuid() == 0 {
		if err := os.Chown(foreign, 65534, 65534); err != nil {
			t.Fatal(err)
		}
	} else {
		foreign = "/" // root's, and not writable by others
	}
	_, err := Open(foreign).Exists()
	if err == nil || !strings.Contains(err.Error(), "owned by") || !strings.Contains(err.Error(), foreign) {
		t.Errorf("Exists in a directory owned by someone else: %v", err)
	}
}

// TestNotADirectory: a vault directory that is a file is a *NotDirError
// naming it, for creating and for unlocking alike; where its path came from,
// and so what to do, is the caller's to say.
func TestNotADirectory(t *testing.T) {
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	s := Open(file)
	_, createErr := s.Create(testPassphrase, testWorkFactor)
	_, unlockErr := s.Unlock(testPassphrase)
	for _, err := range []error{createErr, unlockErr} {
		var nd *NotDirError
		if !errors.As(err, &nd) || nd.Path != file || err.Error() != file+" is not a directory" {
			t.Errorf("got %v, want %s is not a directory", err, file)
		}
	}
}

// TestUntrustedParent: a vault directory in a directory that others can
// write to, and that is not sticky, was used: another user could rename it
// away and let the next save create a new vault where it was. Every way in
// refuses it, naming that directory; a sticky one, as /tmp is, is fine.
func TestUntrustedParent(t *testing.T) {
	s, v := newTestVault(t)
	addAccounts(t, v, 0, 1)
	parent := filepath.Dir(s.Dir())
	os.Chmod(parent, 0o777)
	check := func(what string, err error) {
		t.Helper()
		var u *safefile.UntrustedError
		if !errors.As(err, &u) || u.Path != parent || !strings.Contains(err.Error(), " can't be trusted: "+parent+" is writable by others and not sticky") {
			t.Errorf("%s: %v; want %s blamed", what, err, parent)
		}
	}
	_, err := s.Exists()
	check("Exists", err)
	_, err = s.Unlock(testPassphrase)
	check("Unlock", err)
	_, err = s.UnlockWith(v.Identity(), v.Recipient())
	check("UnlockWith", err)
	_, err = v.Update(func(*Data) error { return nil })
	check("Update", err)
	_, err = v.History()
	check("History", err)
	os.Rename(s.Dir(), s.Dir()+".moved")
	_, err = s.Create(testPassphrase, testWorkFactor)
	check("Create where it was", err)
	if _, err := os.Stat(s.Dir()); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Create made a vault under an untrusted parent: %v", err)
	}
	os.Rename(s.Dir()+".moved", s.Dir())

	os.Chmod(parent, os.ModeSticky|0o777)
	if _, err := s.Unlock(testPassphrase); err != nil {
		t.Errorf("in a sticky directory: %v", err)
	}
}
