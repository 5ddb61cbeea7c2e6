// Package vaulttest makes vault fixtures for the tests of the packages
// above vault (unlock, tui): what another machine, or a file-sync tool,
// leaves in a vault directory. vault's own tests can't import it (it
// imports vault); they have their helpers of their own.
package vaulttest

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/vmfa/vmfa/otp"
	"github.com/vmfa/vmfa/vault"
)

// ConflictCopy returns what a file-sync tool's conflict copy of s's
// vault.age holds: the vault as another machine saved it, opened there with
// pass, with one more account, the one uri describes.
func ConflictCopy(t testing.TB, s *vault.Store, pass, uri string) []byte {
	t.Helper()
	other := filepath.Join(t.TempDir(), "other")
	if err := os.Mkdir(other, 0o700); err != nil {
		t.Fatal(err)
	}
	for _, file := range []string{"identity.age", "vault.age"} {
		b, err := os.ReadFile(filepath.Join(s.Dir(), file))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(other, file), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	ov, err := vault.Open(other).Unlock(pass)
	if err != nil {
		t.Fatal(err)
	}
	a, err := otp.ParseURI(uri)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ov.Update(func(d *vault.Data) error { _, err := d.Add(a, time.Now()); return err }); err != nil {
		t.Fatal(err)
	}
	ct, err := os.ReadFile(filepath.Join(other, "vault.age"))
	if err != nil {
		t.Fatal(err)
	}
	return ct
}
