//go:build unix

package vault

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestLockSymlink: vault.lock is never followed, so a link planted there can
// neither change the mode of the file it points to nor create one.
func TestLockSymlink(t *testing.T) {
	s, v := newTestVault(t)
	lockPath := filepath.Join(s.Dir(), lockFile)

	victim := filepath.Join(t.TempDir(), "victim")
	os.WriteFile(victim, []byte("precious"), 0o644)
	os.Remove(lockPath)
	if err := os.Symlink(victim, lockPath); err != nil {
		t.Fatal(err)
	}
	_, err := v.Update(func(*Data) error { return nil })
	// Said plainly, not as open(2)'s "too many levels of symbolic links".
	if err == nil || !strings.Contains(err.Error(), lockPath+" is a symbolic link") {
		t.Errorf("Update with vault.lock a symlink: %v", err)
	}
	if fi, _ := os.Stat(victim); fi.Mode().Perm() != 0o644 {
		t.Errorf("the link's target changed to %v", fi.Mode().Perm())
	}

	dangling := filepath.Join(t.TempDir(), "created-by-vmfa")
	os.Remove(lockPath)
	os.Symlink(dangling, lockPath)
	if _, err := v.Update(func(*Data) error { return nil }); err == nil {
		t.Error("Update with vault.lock a dangling symlink succeeded")
	}
	if _, err := os.Lstat(dangling); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("a dangling vault.lock created its target: %v", err)
	}
	if err := v.ChangePassphrase("x", testWorkFactor); err == nil {
		t.Error("ChangePassphrase with vault.lock a dangling symlink succeeded")
	}
}

// TestVaultFileSymlink: a vault.age or identity.age that is a symbolic link
// is read through, but never replaced by a regular file, which would leave
// the link's target a stale copy: saves are refused, saying what to do.
func TestVaultFileSymlink(t *testing.T) {
	for _, name := range []string{vaultFile, identityFile} {
		t.Run(name, func(t *testing.T) {
			s, v := newTestVault(t)
			addAccounts(t, v, 0, 1)
			path := filepath.Join(s.Dir(), name)
			elsewhere := filepath.Join(t.TempDir(), name)
			if err := os.Rename(path, elsewhere); err != nil {
				t.Fatal(err)
			}
			if err := os.Symlink(elsewhere, path); err != nil {
				t.Fatal(err)
			}
			target := mustRead(t, elsewhere)

			u, err := s.Unlock(testPassphrase)
			if err != nil {
				t.Fatalf("Unlock through a link: %v", err)
			}
			if d := mustLoad(t, u); len(d.Accounts) != 1 {
				t.Fatalf("Load through a link: %d accounts", len(d.Accounts))
			}
			var saveErr error
			if name == vaultFile {
				_, saveErr = u.Update(func(d *Data) error { d.Accounts[0].Pinned = true; return nil })
			} else {
				saveErr = u.ChangePassphrase("new", testWorkFactor)
			}
			var linked *LinkedFileError
			if !errors.As(saveErr, &linked) || linked.Path != path || !strings.Contains(saveErr.Error(), elsewhere) {
				t.Errorf("save through a link: %v; want a refusal naming the target", saveErr)
			}
			if fi, err := os.Lstat(path); err != nil || fi.Mode()&fs.ModeSymlink == 0 {
				t.Errorf("%s is no longer a link: %v", name, err)
			}
			if !bytes.Equal(mustRead(t, elsewhere), target) {
				t.Error("the link's target changed")
			}
		})
	}
}
