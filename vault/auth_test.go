package vault

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"filippo.io/age"

	"github.com/vmfa/vmfa/internal/testenv"
)

// TestDowngradeRefused: once this machine saved the vault authenticated,
// a vault.age without authentication (made by the age command with the
// vault's public key, as anyone can) is refused; a vault from before
// authentication is read and authenticated by its next save.
func TestDowngradeRefused(t *testing.T) {
	t.Parallel()
	agePath := testenv.Tool(t, "age")
	s, v := newTestVault(t)
	addAccounts(t, v, 0, 1)
	addAccounts(t, v, 1, 1) // the version with one account is kept
	cmd := exec.Command(agePath, "-r", v.Recipient(), "-o", s.path(vaultFile))
	cmd.Stdin = strings.NewReader(`{"version":1,"accounts":[]}`)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("age: %v: %s", err, out)
	}
	forged := mustRead(t, s.path(vaultFile))
	_, err := v.Load()
	if !errors.Is(err, ErrUnauthenticated) || strings.Count(err.Error(), "\n") != 0 {
		t.Fatalf("Load of a downgraded vault.age = %v, want ErrUnauthenticated", err)
	}
	if _, err := v.Update(func(*Data) error { return nil }); !errors.Is(err, ErrUnauthenticated) {
		t.Fatalf("Update of a downgraded vault.age = %v", err)
	}
	var refused *RefusedError
	if !errors.As(err, &refused) || refused.Path != s.path(vaultFile) {
		t.Fatalf("Load's refusal = %#v", err)
	}
	// The way back: the versions kept, which Restore brings back.
	ids, err := s.VersionIDs()
	if err != nil || len(ids) == 0 {
		t.Fatal(ids, err)
	}
	if d, _, err := v.Restore(ids[0]); err != nil || len(d.Accounts) != 1 {
		t.Fatalf("Restore over a refused vault.age = %v", err)
	}
	if d := mustLoad(t, v); len(d.Accounts) != 1 {
		t.Fatalf("after the restore, %d accounts", len(d.Accounts))
	}
	if err := os.WriteFile(s.path(vaultFile), forged, 0o600); err != nil {
		t.Fatal(err)
	}

	// A vault from before authentication: no marker.
	if err := os.Remove(s.path(authMarker)); err != nil {
		t.Fatal(err)
	}
	if d, err := v.Load(); err != nil || len(d.Accounts) != 0 {
		t.Fatalf("Load of a vault from before authentication = %v", err)
	}
	if _, err := v.MergeFile(mustRead(t, s.path(vaultFile))); !errors.Is(err, ErrUnauthenticated) {
		t.Fatalf("MergeFile of a copy from before authentication = %v", err)
	}
	if saved, err := v.Authenticate(); err != nil || !saved {
		t.Fatalf("Authenticate = %v, %v", saved, err)
	}
	if saved, err := v.Authenticate(); err != nil || saved {
		t.Fatalf("Authenticate again = %v, %v", saved, err)
	}
	addAccounts(t, v, 5, 1)
	if !s.markedAuthenticated(v.Recipient()) {
		t.Error("a save left no marker")
	}
	if types, err := stanzaTypes(s.path(vaultFile)); err != nil || strings.Join(types, " ") != "X25519 "+authStanza {
		t.Errorf("stanzas after the upgrade: %v, %v", types, err)
	}
}

// keyOnly hides an identity's type and can't authenticate: an agent of a
// vmfa older than authenticated vaults.
type keyOnly struct{ id age.Identity }

func (k keyOnly) Unwrap(s []*age.Stanza) ([]byte, error) { return k.id.Unwrap(s) }

// TestIdentityThatCannotAuthenticate: a vault opened with an identity held
// elsewhere that decrypts but can't authenticate is found out by CheckKey,
// before it is used, as a key that is not available: front ends then open
// the vault another way.
func TestIdentityThatCannotAuthenticate(t *testing.T) {
	t.Parallel()
	s, v := newTestVault(t)
	addAccounts(t, v, 0, 1)
	old, err := s.UnlockWith(keyOnly{v.Identity()}, v.Recipient())
	if err != nil {
		t.Fatal(err)
	}
	if err := old.CheckKey(); !errors.Is(err, ErrKeyUnavailable) {
		t.Fatalf("CheckKey = %v, want ErrKeyUnavailable", err)
	}
	if _, err := old.Load(); !errors.Is(err, ErrKeyUnavailable) {
		t.Fatalf("Load = %v, want ErrKeyUnavailable", err)
	}
	if good, _ := s.UnlockWith(opaque{v.Identity()}, v.Recipient()); good.CheckKey() != nil {
		t.Fatal("CheckKey refuses an identity that authenticates")
	}
}

// TestAuthThirdParty: the scheme as docs/vault-format.md describes it, implemented
// apart (testdata/verify_auth.py: Python's cryptography, with age's X25519
// unwrap written out), finds vault.age authentic with the identity alone,
// and a copy whose tag another key made not.
func TestAuthThirdParty(t *testing.T) {
	t.Parallel()
	python := testenv.Tool(t, "python3")
	s, v := newTestVault(t)
	addAccounts(t, v, 0, 2)
	key := filepath.Join(t.TempDir(), "key.txt")
	if err := os.WriteFile(key, v.identityText(), 0o600); err != nil {
		t.Fatal(err)
	}
	verify := func(path string) string {
		t.Helper()
		out, err := exec.Command(python, filepath.Join("testdata", "verify_auth.py"), key, path).CombinedOutput()
		if err != nil {
			t.Fatalf("verify_auth.py: %v: %s", err, out)
		}
		return strings.TrimSpace(string(out))
	}
	if got := verify(s.path(vaultFile)); got != "authentic" {
		t.Errorf("vault.age: %s", got)
	}
	_, other := newTestVault(t)
	forged := filepath.Join(t.TempDir(), "forged.age")
	f, err := os.Create(forged)
	if err != nil {
		t.Fatal(err)
	}
	if err := encrypt(f, []byte(`{"version":1,"accounts":[]}`), v.recipient, authRecipient{other.tag}); err != nil {
		t.Fatal(err)
	}
	f.Close()
	if got := verify(forged); got != "not authentic" {
		t.Errorf("a copy tagged by another key: %s", got)
	}
}
