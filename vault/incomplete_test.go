package vault

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestIncompleteVault removes files from a vault in the ways a user or a
// disk might, and checks that what is left is never taken for "no vault":
// Exists says what is missing and how to restore it, Unlock says the same,
// and Create refuses to write over it.
func TestIncompleteVault(t *testing.T) {
	for _, tc := range []struct {
		name   string
		remove []string
		advice string // in the error
	}{
		{"only the backups left", []string{identityFile, vaultFile}, "mv DIR/identity.age.bak DIR/identity.age"},
		{"identity.age gone", []string{identityFile}, "mv DIR/identity.age.bak DIR/identity.age"},
		{"no identity at all", []string{identityFile, identityFile + bakSuffix}, "restore identity.age from your own backups"},
		{"only generations left", []string{identityFile, identityFile + bakSuffix, vaultFile, vaultFile + bakSuffix}, "restore identity.age from your own backups"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, v := newTestVault(t)
			addAccounts(t, v, 0, 2)
			if err := v.ChangePassphrase("second", testWorkFactor); err != nil {
				t.Fatal(err)
			}
			addAccounts(t, v, 2, 1)
			for _, n := range tc.remove {
				if err := os.Remove(filepath.Join(s.Dir(), n)); err != nil {
					t.Fatal(err)
				}
			}
			left := map[string][]byte{}
			entries, _ := os.ReadDir(s.Dir())
			for _, e := range entries {
				if e.Type().IsRegular() && e.Name() != lockFile {
					left[e.Name()] = mustRead(t, filepath.Join(s.Dir(), e.Name()))
				}
			}
			gens := len(generationFiles(t, s))

			advice := strings.ReplaceAll(tc.advice, "DIR", s.Dir())
			ok, err := s.Exists()
			if !ok || !errors.Is(err, ErrIncomplete) {
				t.Fatalf("Exists = %v, %v; want true and ErrIncomplete", ok, err)
			}
			msg := err.Error()
			if !strings.Contains(msg, s.Dir()) || !strings.Contains(msg, "identity.age is missing") || !strings.Contains(msg, advice) || strings.Contains(msg, "\n") {
				t.Errorf("Exists: %q; want one line naming what is missing and %q", msg, advice)
			}
			if _, err := s.Unlock(testPassphrase); err == nil || errors.Is(err, ErrNoVault) || err.Error() != msg {
				t.Errorf("Unlock = %v; want %q", err, msg)
			}
			if _, err := s.Create("new", testWorkFactor); !errors.Is(err, ErrExists) || !strings.Contains(err.Error(), advice) {
				t.Errorf("Create over an incomplete vault: %v", err)
			}
			for n, b := range left {
				if !bytes.Equal(mustRead(t, filepath.Join(s.Dir(), n)), b) {
					t.Errorf("%s was changed", n)
				}
			}
			entries, _ = os.ReadDir(s.Dir())
			for _, e := range entries {
				if _, ok := left[e.Name()]; !ok && e.Type().IsRegular() && e.Name() != lockFile {
					t.Errorf("%s was created", e.Name())
				}
			}
			if len(generationFiles(t, s)) != gens {
				t.Error("the generations changed")
			}
		})
	}

	// Following the advice works: identity.age.bak opens with the old
	// passphrase, and the vault is whole again.
	s, v := newTestVault(t)
	addAccounts(t, v, 0, 2)
	v.ChangePassphrase("second", testWorkFactor)
	os.Remove(filepath.Join(s.Dir(), identityFile))
	if err := os.Rename(filepath.Join(s.Dir(), identityFile+bakSuffix), filepath.Join(s.Dir(), identityFile)); err != nil {
		t.Fatal(err)
	}
	u, err := s.Unlock(testPassphrase)
	if err != nil {
		t.Fatal(err)
	}
	if d := mustLoad(t, u); len(d.Accounts) != 2 {
		t.Errorf("restored vault holds %d accounts", len(d.Accounts))
	}
}

// TestVaultFileGoneWithGenerations: a missing vault.age is damage, not an
// empty vault, as long as any earlier version of it exists.
func TestVaultFileGoneWithGenerations(t *testing.T) {
	s, v := newTestVault(t)
	addAccounts(t, v, 0, 1)
	addAccounts(t, v, 1, 1)
	os.Remove(filepath.Join(s.Dir(), vaultFile))
	os.Remove(filepath.Join(s.Dir(), vaultFile+bakSuffix))
	_, err := v.Load()
	var damaged *DamagedError
	if !errors.As(err, &damaged) || damaged.Generations == 0 {
		t.Errorf("Load without vault.age and its backup, with generations: %v", err)
	}
	if _, err := v.Update(func(*Data) error { return nil }); !errors.Is(err, ErrDamaged) {
		t.Errorf("Update: %v, want ErrDamaged", err)
	}
}
