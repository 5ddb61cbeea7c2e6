package vault

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"filippo.io/age"

	"github.com/vmfa/vmfa/internal/testenv"
)

// decryptedIdentity returns the plaintext of identity.age, as age -d would.
func decryptedIdentity(t *testing.T, s *Store, passphrase string) []byte {
	t.Helper()
	si, err := age.NewScryptIdentity(passphrase)
	if err != nil {
		t.Fatal(err)
	}
	pt, err := decrypt(mustRead(t, filepath.Join(s.Dir(), identityFile)), maxIdentitySize, si)
	if err != nil {
		t.Fatal(err)
	}
	return pt
}

// TestFileFormats checks what stock age expects: identity.age is a
// passphrase-encrypted (single scrypt stanza) file holding an age-keygen
// style identity, and vault.age is encrypted to its recipient, then
// authenticated (auth.go).
func TestFileFormats(t *testing.T) {
	s, v := newTestVault(t)
	addAccounts(t, v, 0, 2)

	lines := strings.Split(string(mustRead(t, filepath.Join(s.Dir(), identityFile))), "\n")
	if lines[0] != "age-encryption.org/v1" || !strings.HasPrefix(lines[1], "-> scrypt ") ||
		!strings.HasSuffix(lines[1], " 10") || !strings.HasPrefix(lines[3], "--- ") {
		t.Errorf("identity.age header is not a single scrypt stanza:\n%s", strings.Join(lines[:4], "\n"))
	}
	text := string(decryptedIdentity(t, s, testPassphrase))
	ids, err := age.ParseIdentities(strings.NewReader(text))
	if err != nil || len(ids) != 1 {
		t.Fatalf("identity.age holds %v, %v", ids, err)
	}
	if !strings.Contains(text, "# public key: "+v.Recipient()+"\n") || !strings.HasPrefix(text, "# created: ") {
		t.Errorf("identity.age lacks age-keygen's comments:\n%s", strings.Split(text, "AGE-SECRET-KEY")[0])
	}

	lines = strings.Split(string(mustRead(t, filepath.Join(s.Dir(), vaultFile))), "\n")
	if lines[0] != "age-encryption.org/v1" || !strings.HasPrefix(lines[1], "-> X25519 ") ||
		lines[3] != "-> "+authStanza || len(lines[4]) != 43 || !strings.HasPrefix(lines[5], "--- ") {
		t.Errorf("vault.age header is not an X25519 stanza and an authentication:\n%s", strings.Join(lines[:6], "\n"))
	}
}

// TestStockAge decrypts vault.age with the age command, as a user would:
// its authentication stanza (auth.go) is one age ignores.
func TestStockAge(t *testing.T) {
	agePath := testenv.Tool(t, "age")
	s, v := newTestVault(t)
	want := addAccounts(t, v, 0, 3)
	if types, err := stanzaTypes(s.path(vaultFile)); err != nil || !slices.Contains(types, authStanza) {
		t.Fatalf("vault.age's stanzas: %v, %v", types, err)
	}

	key := filepath.Join(t.TempDir(), "key.txt")
	if err := os.WriteFile(key, decryptedIdentity(t, s, testPassphrase), 0o600); err != nil {
		t.Fatal(err)
	}
	vaultPath := filepath.Join(s.Dir(), vaultFile)
	check := func(how string, out []byte, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v\n%s", how, err, out)
		}
		var got Data
		if err := json.Unmarshal(out, &got); err != nil {
			t.Fatalf("%s: output is not JSON: %v", how, err)
		}
		if got.Version != Version || len(got.Accounts) != 3 || got.Accounts[2].Secret != want.Accounts[2].Secret {
			t.Errorf("%s: decrypted %+v, want %+v", how, got, want)
		}
	}

	out, err := exec.Command(agePath, "-d", "-i", key, vaultPath).CombinedOutput()
	check("age -d -i key.txt vault.age", out, err)

	cmd := exec.Command(agePath, "-d", "-i", "-", vaultPath)
	cmd.Stdin = bytes.NewReader(mustRead(t, key))
	out, err = cmd.CombinedOutput()
	check("age -d -i - vault.age", out, err)

	// The backup is a vault.age too.
	out, err = exec.Command(agePath, "-d", "-i", key, vaultPath+bakSuffix).Output()
	if err != nil || !bytes.Contains(out, []byte(`"version": 1`)) {
		t.Errorf("age -d of vault.age.bak: %v\n%s", err, out)
	}
}

// TestStockAgeInteractive runs docs/vault-format.md's command, age -d -i identity.age
// vault.age, which asks for the passphrase of identity.age on the terminal:
// the test types it on a pseudo-terminal of its own.
func TestStockAgeInteractive(t *testing.T) {
	agePath := testenv.Tool(t, "age")
	s, v := newTestVault(t)
	want := addAccounts(t, v, 0, 2)
	term := testenv.StartTerminal(t, exec.Command(agePath, "-d", "-i", filepath.Join(s.Dir(), identityFile), filepath.Join(s.Dir(), vaultFile)), true)
	term.Expect("passphrase")
	term.Type(testPassphrase + "\n")
	if code, screen := term.Wait(); code != 0 {
		t.Fatalf("age -d -i identity.age vault.age: exit %d, terminal %q\n%s", code, screen, term.Stdout())
	}
	var got Data
	if err := json.Unmarshal([]byte(term.Stdout()), &got); err != nil {
		t.Fatalf("age -d -i identity.age vault.age: output is not JSON: %v", err)
	}
	if len(got.Accounts) != 2 || got.Accounts[1].Secret != want.Accounts[1].Secret {
		t.Errorf("age -d -i identity.age vault.age decrypted %+v, want %+v", got, want)
	}
}
