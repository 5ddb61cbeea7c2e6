//go:build unix

package vault

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"filippo.io/age"

	"github.com/vmfa/vmfa/internal/safefile"
)

// TestFIFOs: a named pipe in the place of any file the vault reads or
// locks made the call that opened it block until a writer came, which
// none does. Every such call now returns at once a *safefile.NotRegularError
// naming the file.
func TestFIFOs(t *testing.T) {
	key, err := age.GenerateX25519Identity()
	if err != nil {
		t.Fatal(err)
	}
	calls := []struct {
		file string
		call func(s *Store, v *Vault) error
		// quiet: the call leaves reporting the file to another (CheckKey
		// to Load) and must only not block.
		quiet bool
	}{
		{identityFile, func(s *Store, _ *Vault) error { _, err := s.Unlock(testPassphrase); return err }, false},
		{identityFile, func(s *Store, _ *Vault) error { _, err := s.WorkFactor(); return err }, false},
		{vaultFile, func(_ *Store, v *Vault) error { _, err := v.Load(); return err }, false},
		{vaultFile, func(_ *Store, v *Vault) error { return v.CheckKey() }, true},
		{vaultFile, func(_ *Store, v *Vault) error { _, err := v.Update(func(*Data) error { return nil }); return err }, false},
		{lockFile, func(_ *Store, v *Vault) error { _, err := v.Update(func(*Data) error { return nil }); return err }, false},
		{lockFile, func(_ *Store, v *Vault) error { _, _, err := v.Restore("2"); return err }, false},
		{stepsFile, func(_ *Store, v *Vault) error {
			_, err := v.ClaimCode(mustLoad(t, v).Accounts[0], time.Now(), false)
			return err
		}, false},
		{filepath.Join(recipientsDir, "laptop"+recipientPub), func(s *Store, _ *Vault) error { _, err := s.Recipients(); return err }, false},
		{filepath.Join(recipientsDir, "laptop"+recipientPub), func(s *Store, _ *Vault) error { _, err := s.UnlockWithIdentities(key); return err }, false},
	}
	for _, c := range calls {
		s, v := newTestVault(t)
		addAccounts(t, v, 0, 1)
		addRecipient(t, v, "laptop", key.Recipient(), key.Recipient().String())
		path := filepath.Join(s.Dir(), c.file)
		os.Remove(path)
		if err := syscall.Mkfifo(path, 0o600); err != nil {
			t.Fatal(err)
		}
		done := make(chan error, 1)
		go func() { done <- c.call(s, v) }()
		select {
		case err := <-done:
			var nr *safefile.NotRegularError
			if c.quiet && err == nil {
				continue
			}
			if !errors.As(err, &nr) || nr.Path != path || !strings.Contains(err.Error(), path+" is a named pipe, not a regular file") {
				t.Errorf("%s a named pipe: %v; want a *safefile.NotRegularError naming it", c.file, err)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("%s a named pipe: still blocked after 5 s", c.file)
		}
	}
}
