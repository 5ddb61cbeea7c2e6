package vault

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"filippo.io/age"
)

// identityOfSize writes v's identity to identity.age encrypted with
// testPassphrase, padded with a comment so that the file is size bytes long.
func identityOfSize(t *testing.T, v *Vault, size int) {
	t.Helper()
	seal := func(pad int) []byte {
		r, err := age.NewScryptRecipient(testPassphrase)
		if err != nil {
			t.Fatal(err)
		}
		r.SetWorkFactor(testWorkFactor)
		text := fmt.Sprintf("# %s\n# public key: %s\n%s\n", strings.Repeat("x", pad), v.recipient, v.identity)
		var buf bytes.Buffer
		if err := encrypt(&buf, []byte(text), r); err != nil {
			t.Fatal(err)
		}
		return buf.Bytes()
	}
	// Within one 64 KiB chunk, the file grows byte for byte with the text.
	ct := seal(size - len(seal(0)))
	if len(ct) != size {
		t.Fatalf("made an identity.age of %d bytes, want %d", len(ct), size)
	}
	if err := os.WriteFile(filepath.Join(v.store.Dir(), identityFile), ct, 0o600); err != nil {
		t.Fatal(err)
	}
}

// TestIdentitySizeLimit reads an identity.age of exactly the size limit, and
// refuses one a byte longer, saying how large it may be.
func TestIdentitySizeLimit(t *testing.T) {
	s, v := newTestVault(t)
	identityOfSize(t, v, maxIdentitySize)
	u, err := s.Unlock(testPassphrase)
	if err != nil {
		t.Fatalf("Unlock with an identity.age of %d bytes: %v", maxIdentitySize, err)
	}
	if u.Recipient() != v.Recipient() {
		t.Errorf("unlocked %s, want %s", u.Recipient(), v.Recipient())
	}
	identityOfSize(t, v, maxIdentitySize+1)
	_, err = s.Unlock(testPassphrase)
	if !errors.Is(err, ErrDamaged) || !strings.Contains(err.Error(), "(file is too large: over 64 KiB)") {
		t.Errorf("Unlock with an identity.age of %d bytes: %v", maxIdentitySize+1, err)
	}
}

// TestDecryptLimit: decrypt takes a plaintext of exactly max bytes whole,
// and refuses one a byte longer rather than cut it.
func TestDecryptLimit(t *testing.T) {
	id, err := age.GenerateX25519Identity()
	if err != nil {
		t.Fatal(err)
	}
	pt := bytes.Repeat([]byte("v"), 1000)
	var ct bytes.Buffer
	if err := encrypt(&ct, pt, id.Recipient()); err != nil {
		t.Fatal(err)
	}
	if got, err := decrypt(ct.Bytes(), int64(len(pt)), id); err != nil || !bytes.Equal(got, pt) {
		t.Fatalf("decrypting %d bytes with a limit of as many: %d bytes, %v", len(pt), len(got), err)
	}
	if got, err := decrypt(ct.Bytes(), int64(len(pt))-1, id); !errors.Is(err, errTooLarge) || got != nil {
		t.Fatalf("decrypting %d bytes with a limit of one less: %d bytes, %v", len(pt), len(got), err)
	}
}

func TestSizeText(t *testing.T) {
	for n, want := range map[int64]string{maxIdentitySize: "64 KiB", 1<<20 - 1<<10: "1023 KiB", 1 << 20: "1 MiB", maxVaultSize: "64 MiB"} {
		if got := sizeText(n); got != want {
			t.Errorf("sizeText(%d) = %q, want %q", n, got, want)
		}
	}
}

// TestWorkFactorLimits accepts work factors 1 to 22 and nothing else.
func TestWorkFactorLimits(t *testing.T) {
	for wf, want := range map[int]int{0: DefaultWorkFactor, 1: 1, 10: 10, MaxWorkFactor: MaxWorkFactor} {
		if got, err := checkWorkFactor(wf); err != nil || got != want {
			t.Errorf("checkWorkFactor(%d) = %d, %v; want %d", wf, got, err, want)
		}
	}
	for _, wf := range []int{-1, MaxWorkFactor + 1} {
		if _, err := checkWorkFactor(wf); err != ErrInvalidWorkFactor {
			t.Errorf("checkWorkFactor(%d) = %v, want ErrInvalidWorkFactor", wf, err)
		}
	}
	// The cheapest work factor makes a vault that opens.
	s := Open(filepath.Join(t.TempDir(), "vmfa"))
	if _, err := s.Create(testPassphrase, 1); err != nil {
		t.Fatalf("Create with work factor 1: %v", err)
	}
	if _, err := s.Unlock(testPassphrase); err != nil {
		t.Errorf("Unlock of a vault with work factor 1: %v", err)
	}
}

// TestMissingIdentity explains a vault.age without identity.age, and points
// at identity.age.bak only when there is one.
func TestMissingIdentity(t *testing.T) {
	s, v := newTestVault(t)
	if err := v.ChangePassphrase("another one", testWorkFactor); err != nil {
		t.Fatal(err)
	}
	id := filepath.Join(s.Dir(), identityFile)
	os.Remove(id)
	dir := s.Dir()
	want := dir + " holds a vault (identity.age.bak, vault.age) whose identity.age is missing, and nothing in it opens without it: " +
		"restore it with 'mv " + id + bakSuffix + " " + id + "' (the backup opens with the passphrase you had before the last change); " +
		"vmfa will not create a new vault over it"
	if _, err := s.Unlock(testPassphrase); err == nil || err.Error() != want {
		t.Errorf("Unlock without identity.age = %v, want %q", err, want)
	}
	os.Remove(id + bakSuffix)
	want = dir + " holds a vault (vault.age) whose identity.age is missing, and nothing in it opens without it: " +
		"restore identity.age from your own backups, or move the directory away to start over; vmfa will not create a new vault over it"
	if _, err := s.Unlock(testPassphrase); err == nil || err.Error() != want {
		t.Errorf("Unlock without identity.age or its backup = %v, want %q", err, want)
	}
}
