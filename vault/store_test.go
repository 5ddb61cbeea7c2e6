package vault

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"filippo.io/age"
)

func TestCreateUnlock(t *testing.T) {
	s := Open(filepath.Join(t.TempDir(), "a", "vmfa"))
	if ok, err := s.Exists(); err != nil || ok {
		t.Fatalf("Exists before Create = %v, %v; want false, nil", ok, err)
	}
	v, err := s.Create(testPassphrase, testWorkFactor)
	if err != nil {
		t.Fatal(err)
	}
	if ok, err := s.Exists(); err != nil || !ok {
		t.Fatalf("Exists after Create = %v, %v; want true, nil", ok, err)
	}
	if !strings.HasPrefix(v.Recipient(), "age1") {
		t.Errorf("Recipient() = %q, want an age1… key", v.Recipient())
	}
	if d := mustLoad(t, v); d.Version != Version || d.Accounts == nil || len(d.Accounts) != 0 {
		t.Errorf("new vault = %+v, want version %d and no accounts", d, Version)
	}

	u, err := s.Unlock(testPassphrase)
	if err != nil {
		t.Fatal(err)
	}
	if u.Recipient() != v.Recipient() {
		t.Errorf("unlocked recipient %s, created %s", u.Recipient(), v.Recipient())
	}
	addAccounts(t, v, 0, 3)
	if d := mustLoad(t, u); len(d.Accounts) != 3 {
		t.Errorf("another Vault of the same Store sees %d accounts, want 3", len(d.Accounts))
	}
}

func TestCreateErrors(t *testing.T) {
	s, _ := newTestVault(t)
	if _, err := s.Create("other", testWorkFactor); !errors.Is(err, ErrExists) {
		t.Errorf("Create over a vault: %v, want ErrExists", err)
	}
	fresh := Open(filepath.Join(t.TempDir(), "vmfa"))
	if _, err := fresh.Create("", testWorkFactor); err != ErrEmptyPassphrase {
		t.Errorf("Create with an empty passphrase: %v, want ErrEmptyPassphrase", err)
	}
	for _, wf := range []int{-1, 23, 64} {
		if _, err := fresh.Create(testPassphrase, wf); err != ErrInvalidWorkFactor {
			t.Errorf("Create with work factor %d: %v, want ErrInvalidWorkFactor", wf, err)
		}
	}
	if ok, _ := fresh.Exists(); ok {
		t.Error("a failed Create left a vault behind")
	}

	// A vault.age without its identity.age might still be opened with a
	// copy of the identity: Create must not overwrite it.
	orphan := t.TempDir()
	if err := os.WriteFile(filepath.Join(orphan, vaultFile), []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(orphan).Create(testPassphrase, testWorkFactor); !errors.Is(err, ErrExists) {
		t.Errorf("Create over an orphan vault.age: %v, want ErrExists", err)
	}
	if _, err := Open(orphan).Unlock(testPassphrase); err == nil || errors.Is(err, ErrNoVault) || !strings.Contains(err.Error(), identityFile) {
		t.Errorf("Unlock without identity.age: %v, want an error naming identity.age", err)
	}

	notDir := filepath.Join(t.TempDir(), "file")
	os.WriteFile(notDir, nil, 0o600)
	if _, err := Open(notDir).Create(testPassphrase, testWorkFactor); err == nil {
		t.Error("Create in a regular file succeeded")
	}
}

func TestConcurrentCreate(t *testing.T) {
	s := Open(filepath.Join(t.TempDir(), "vmfa"))
	var wg sync.WaitGroup
	errs := make([]error, 4)
	vaults := make([]*Vault, 4)
	for i := range errs {
		wg.Go(func() { vaults[i], errs[i] = Open(s.Dir()).Create(testPassphrase, testWorkFactor) })
	}
	wg.Wait()
	var winner *Vault
	for i, err := range errs {
		switch {
		case err == nil && winner == nil:
			winner = vaults[i]
		case err == nil:
			t.Fatal("two concurrent Creates both succeeded")
		case !errors.Is(err, ErrExists):
			t.Fatalf("losing Create: %v, want ErrExists", err)
		}
	}
	if winner == nil {
		t.Fatal("no Create succeeded")
	}
	u, err := s.Unlock(testPassphrase)
	if err != nil {
		t.Fatal(err)
	}
	if u.Recipient() != winner.Recipient() {
		t.Error("identity.age is not the winner's")
	}
}

func TestUnlockErrors(t *testing.T) {
	if _, err := Open(filepath.Join(t.TempDir(), "none")).Unlock(testPassphrase); err != ErrNoVault {
		t.Errorf("Unlock of nothing: %v, want ErrNoVault", err)
	}
	s, _ := newTestVault(t)
	if _, err := s.Unlock(""); err != ErrEmptyPassphrase {
		t.Errorf("Unlock with an empty passphrase: %v, want ErrEmptyPassphrase", err)
	}
	const wrong = "Tr0ub4dor&3"
	_, err := s.Unlock(wrong)
	if !errors.Is(err, ErrWrongPassphrase) {
		t.Fatalf("Unlock with a wrong passphrase: %v, want ErrWrongPassphrase", err)
	}
	if errors.Is(err, ErrDamaged) || strings.Contains(err.Error(), wrong) {
		t.Errorf("wrong passphrase error %q", err)
	}
}

func TestDamagedIdentity(t *testing.T) {
	s, _ := newTestVault(t)
	path := filepath.Join(s.Dir(), identityFile)
	good := mustRead(t, path)

	// A file encrypted to a key, not a passphrase, is not a wrong passphrase.
	other, _ := age.GenerateX25519Identity()
	var notScrypt bytes.Buffer
	if err := encrypt(&notScrypt, []byte(other.String()+"\n"), other.Recipient()); err != nil {
		t.Fatal(err)
	}
	// A passphrase-encrypted file that holds no identity.
	var noIdentity bytes.Buffer
	sr, _ := age.NewScryptRecipient(testPassphrase)
	sr.SetWorkFactor(testWorkFactor)
	if err := encrypt(&noIdentity, []byte("# nothing here\n"), sr); err != nil {
		t.Fatal(err)
	}
	// (A work factor above the cap is not damage: TestScryptMemory.)

	for name, contents := range map[string][]byte{
		"empty":       {},
		"truncated":   good[:len(good)-5],
		"header only": good[:bytes.Index(good, []byte("\n---"))+1],
		"plaintext":   []byte("AGE-SECRET-KEY-1QQQ\n"),
		"not scrypt":  notScrypt.Bytes(),
		"no identity": noIdentity.Bytes(),
	} {
		if err := os.WriteFile(path, contents, 0o600); err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		_, err := s.Unlock(testPassphrase)
		var de *DamagedError
		if !errors.As(err, &de) || de.Path != path || !strings.Contains(err.Error(), path) {
			t.Errorf("%s identity.age: %v, want a DamagedError naming it", name, err)
		}
		if strings.Contains(err.Error(), "AGE-SECRET-KEY") {
			t.Errorf("%s identity.age: error %q quotes the key", name, err)
		}
		if time.Since(start) > 5*time.Second {
			t.Errorf("%s identity.age took %v to refuse", name, time.Since(start))
		}
	}
}

func TestDamagedVault(t *testing.T) {
	s, v := newTestVault(t)
	path := filepath.Join(s.Dir(), vaultFile)

	// No backup yet: the error says so.
	os.WriteFile(path, []byte("age-encryption.org/v1\n"), 0o600)
	_, err := v.Load()
	if !errors.Is(err, ErrDamaged) || !strings.Contains(err.Error(), "no backup") {
		t.Errorf("damaged vault without backup: %v", err)
	}
	os.Remove(path)

	addAccounts(t, v, 0, 2)
	addAccounts(t, v, 2, 1)
	good := mustRead(t, path)
	bak := mustRead(t, path+bakSuffix)
	flipped := bytes.Clone(good)
	flipped[len(flipped)-20] ^= 1
	other, _ := age.GenerateX25519Identity()
	var wrongKey bytes.Buffer
	encrypt(&wrongKey, []byte(`{"version":1,"accounts":[]}`), other.Recipient())

	cases := map[string][]byte{
		"empty":      {},
		"garbage":    []byte("hello, world\n"),
		"bit flip":   flipped,
		"wrong key":  wrongKey.Bytes(),
		"long junk":  append([]byte("age-encryption.org/v1\n-> "), bytes.Repeat([]byte("A"), 10000)...),
		"header MAC": append(bytes.Clone(good[:bytes.Index(good, []byte("\n---"))+5]), good[bytes.Index(good, []byte("\n---"))+6:]...),
	}
	for n := 1; n < len(good); n += len(good) / 23 {
		cases["truncated to "+string(rune('0'+n%10))+"…"+strings.Repeat("x", n%7)] = good[:n]
	}
	cases["truncated by one"] = good[:len(good)-1]
	for name, contents := range cases {
		if err := os.WriteFile(path, contents, 0o600); err != nil {
			t.Fatal(err)
		}
		_, err := v.Load()
		var de *DamagedError
		if !errors.As(err, &de) || !errors.Is(err, ErrDamaged) {
			t.Errorf("%s: Load = %v, want a DamagedError", name, err)
			continue
		}
		if de.Path != path || de.Backup != path+bakSuffix {
			t.Errorf("%s: DamagedError{Path: %q, Backup: %q}", name, de.Path, de.Backup)
		}
		if msg := err.Error(); !strings.Contains(msg, path+" is damaged") || !strings.Contains(msg, "backup of the previous version is at "+path+bakSuffix) || len(msg) > 600 {
			t.Errorf("%s: message %q", name, msg)
		}
		if _, err := v.Update(func(*Data) error { return nil }); !errors.Is(err, ErrDamaged) {
			t.Errorf("%s: Update = %v, want ErrDamaged", name, err)
		}
		if !bytes.Equal(mustRead(t, path), contents) || !bytes.Equal(mustRead(t, path+bakSuffix), bak) {
			t.Errorf("%s: Update rewrote a damaged vault or its backup", name)
		}
	}

	// The backup is a vault.age: restoring it is a rename.
	if err := os.Rename(path+bakSuffix, path); err != nil {
		t.Fatal(err)
	}
	if d := mustLoad(t, v); len(d.Accounts) != 2 {
		t.Errorf("restored backup holds %d accounts, want 2", len(d.Accounts))
	}
}

func TestMissingVaultFile(t *testing.T) {
	s, v := newTestVault(t)
	path := filepath.Join(s.Dir(), vaultFile)
	// A Create interrupted after identity.age: an empty vault that works.
	os.Remove(path)
	if d := mustLoad(t, v); len(d.Accounts) != 0 {
		t.Errorf("missing vault.age loads as %d accounts", len(d.Accounts))
	}
	addAccounts(t, v, 0, 1)
	addAccounts(t, v, 1, 1)
	// Once there is a backup, a missing vault.age is damage, not emptiness.
	os.Remove(path)
	if _, err := v.Load(); !errors.Is(err, ErrDamaged) || !strings.Contains(err.Error(), path+bakSuffix) {
		t.Errorf("Load of a missing vault.age with a backup: %v", err)
	}
}

// writeVaultJSON encrypts plaintext to v, authenticated, and writes it as
// vault.age.
func writeVaultJSON(t *testing.T, v *Vault, plaintext string) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := encrypt(&buf, []byte(plaintext), v.recipient, authRecipient{v.tag}); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(v.store.Dir(), vaultFile), buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestNewerVersion(t *testing.T) {
	s, v := newTestVault(t)
	addAccounts(t, v, 0, 1)
	bak := mustRead(t, filepath.Join(s.Dir(), vaultFile+bakSuffix))
	ct := writeVaultJSON(t, v, `{"version":2,"accounts":"something new"}`)

	if _, err := v.Load(); !errors.Is(err, ErrNewerVersion) || errors.Is(err, ErrDamaged) {
		t.Errorf("Load = %v, want ErrNewerVersion", err)
	}
	called := false
	if _, err := v.Update(func(*Data) error { called = true; return nil }); !errors.Is(err, ErrNewerVersion) {
		t.Errorf("Update = %v, want ErrNewerVersion", err)
	}
	if called {
		t.Error("Update called fn on a newer vault")
	}
	if err := v.ChangePassphrase("new one", testWorkFactor); err != nil {
		t.Errorf("ChangePassphrase of a newer vault: %v", err)
	}
	if !bytes.Equal(mustRead(t, filepath.Join(s.Dir(), vaultFile)), ct) ||
		!bytes.Equal(mustRead(t, filepath.Join(s.Dir(), vaultFile+bakSuffix)), bak) {
		t.Error("a newer vault.age or its backup was rewritten")
	}
}

func TestVaultJSON(t *testing.T) {
	_, v := newTestVault(t)
	good := `{"id":"0123456789abcdef","created":"2024-01-02T03:04:05Z","name":"alice","secret":"JBSWY3DPEHPK3PXP","type":"totp","algorithm":"SHA1","digits":6,"period":30`
	for _, tc := range []struct {
		name, json string
		ok         bool
	}{
		{"minimal", `{"version":1,"accounts":[]}`, true},
		{"null accounts", `{"version":1,"accounts":null}`, true},
		{"no accounts", `{"version":1}`, true},
		{"unknown fields", `{"version":1,"color":"blue","accounts":[` + good + `,"icon":"🔑"}]}`, true},
		{"no version", `{"accounts":[]}`, false},
		{"version 0", `{"version":0,"accounts":[]}`, false},
		{"negative version", `{"version":-1,"accounts":[]}`, false},
		{"string version", `{"version":"1","accounts":[]}`, false},
		{"not JSON", `version: 1`, false},
		{"array", `[1]`, false},
		{"truncated JSON", `{"version":1,"accounts":[` + good, false},
		{"invalid account", `{"version":1,"accounts":[` + strings.Replace(good, `"digits":6`, `"digits":60`, 1) + `}]}`, false},
		{"non-canonical secret", `{"version":1,"accounts":[` + strings.Replace(good, "JBSWY3DPEHPK3PXP", "jbswy3dpehpk3pxp", 1) + `}]}`, false},
		{"no id", `{"version":1,"accounts":[` + strings.Replace(good, `"id":"0123456789abcdef"`, `"id":""`, 1) + `}]}`, false},
		{"same id twice", `{"version":1,"accounts":[` + good + `},` + strings.Replace(good, "JBSWY3DPEHPK3PXP", "GEZDGNBVGY3TQOJQ", 1) + `}]}`, false},
	} {
		writeVaultJSON(t, v, tc.json)
		d, err := v.Load()
		if tc.ok != (err == nil) {
			t.Errorf("%s: Load = %v", tc.name, err)
		}
		if err != nil && !errors.Is(err, ErrDamaged) {
			t.Errorf("%s: %v is not ErrDamaged", tc.name, err)
		}
		if err != nil && strings.Contains(err.Error(), "JBSWY3DPEHPK3PXP") {
			t.Errorf("%s: error %q quotes a secret", tc.name, err)
		}
		if err == nil && tc.name == "unknown fields" && (len(d.Accounts) != 1 || d.Accounts[0].Name != "alice") {
			t.Errorf("%s: loaded %+v", tc.name, d)
		}
	}
}

func TestUpdate(t *testing.T) {
	s, v := newTestVault(t)
	path := filepath.Join(s.Dir(), vaultFile)
	d := addAccounts(t, v, 0, 2)
	if len(d.Accounts) != 2 {
		t.Fatalf("Update returned %d accounts, want 2", len(d.Accounts))
	}
	if got := mustLoad(t, v); len(got.Accounts) != 2 || got.Accounts[1].ID != d.Accounts[1].ID || !got.Accounts[0].Created.Equal(d.Accounts[0].Created) {
		t.Errorf("Load after Update = %+v, want %+v", got, d)
	}
	before := mustRead(t, path)
	bakBefore := mustRead(t, path+bakSuffix)

	// fn's error comes back as it is, and nothing is written.
	errStop := errors.New("stop")
	if _, err := v.Update(func(d *Data) error { d.Accounts = nil; return errStop }); err != errStop {
		t.Errorf("Update = %v, want fn's error", err)
	}
	// An invalid result is refused, and nothing is written.
	if _, err := v.Update(func(d *Data) error { d.Accounts[0].Digits = 99; return nil }); err == nil || !strings.Contains(err.Error(), "not saved") {
		t.Errorf("Update saving an invalid account: %v", err)
	}
	if _, err := v.Update(func(d *Data) error { d.Accounts[1].ID = d.Accounts[0].ID; return nil }); err == nil {
		t.Error("Update saved two accounts with the same id")
	}
	if !bytes.Equal(mustRead(t, path), before) || !bytes.Equal(mustRead(t, path+bakSuffix), bakBefore) {
		t.Error("a failed Update wrote something")
	}
	if got := temps(t, s.Dir()); len(got) != 0 {
		t.Errorf("temporary files left: %v", got)
	}
}

func TestBackupHoldsPreviousState(t *testing.T) {
	s, v := newTestVault(t)
	path := filepath.Join(s.Dir(), vaultFile)
	if _, err := os.Stat(path + bakSuffix); err == nil {
		t.Error("a new vault has a backup")
	}
	addAccounts(t, v, 0, 1)
	first := mustRead(t, path)
	addAccounts(t, v, 1, 1)
	if !bytes.Equal(mustRead(t, path+bakSuffix), first) {
		t.Fatal("vault.age.bak is not the previous vault.age")
	}
	ct := mustRead(t, path+bakSuffix)
	d, err := v.decryptData(ct, nil)
	if err != nil || len(d.Accounts) != 1 {
		t.Errorf("backup decrypts to %v, %v; want 1 account", d, err)
	}
	if _, err := v.Update(func(d *Data) error { d.Remove(d.Accounts[0].ID); return nil }); err != nil {
		t.Fatal(err)
	}
	if d, _ := v.decryptData(mustRead(t, path+bakSuffix), nil); d == nil || len(d.Accounts) != 2 {
		t.Errorf("after a removal, the backup does not hold both accounts")
	}
}

func TestChangePassphrase(t *testing.T) {
	s, v := newTestVault(t)
	addAccounts(t, v, 0, 3)
	vaultBefore := mustRead(t, filepath.Join(s.Dir(), vaultFile))
	idBefore := mustRead(t, filepath.Join(s.Dir(), identityFile))

	if err := v.ChangePassphrase("", testWorkFactor); err != ErrEmptyPassphrase {
		t.Errorf("ChangePassphrase(\"\") = %v", err)
	}
	if err := v.ChangePassphrase("x", 23); err != ErrInvalidWorkFactor {
		t.Errorf("ChangePassphrase with work factor 23 = %v", err)
	}
	const newPass = "new passphrase"
	if err := v.ChangePassphrase(newPass, testWorkFactor+1); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Unlock(testPassphrase); !errors.Is(err, ErrWrongPassphrase) {
		t.Errorf("old passphrase: %v, want ErrWrongPassphrase", err)
	}
	u, err := s.Unlock(newPass)
	if err != nil {
		t.Fatalf("new passphrase: %v", err)
	}
	if u.Recipient() != v.Recipient() {
		t.Error("the identity changed")
	}
	if d := mustLoad(t, u); len(d.Accounts) != 3 {
		t.Errorf("vault has %d accounts after the change, want 3", len(d.Accounts))
	}
	if !bytes.Equal(mustRead(t, filepath.Join(s.Dir(), vaultFile)), vaultBefore) {
		t.Error("vault.age changed")
	}
	if !bytes.Equal(mustRead(t, filepath.Join(s.Dir(), identityFile+bakSuffix)), idBefore) {
		t.Error("identity.age.bak is not the previous identity.age")
	}
	hdr := mustRead(t, filepath.Join(s.Dir(), identityFile))
	if !bytes.Contains(hdr, []byte(" 11\n")) {
		t.Error("the new work factor is not in identity.age")
	}

	// The vault was deleted and created anew since v was unlocked: v's
	// identity must not replace the new one.
	os.RemoveAll(s.Dir())
	if _, err := s.Create("third", testWorkFactor); err != nil {
		t.Fatal(err)
	}
	if err := v.ChangePassphrase("fourth", testWorkFactor); err == nil {
		t.Error("ChangePassphrase overwrote the identity of another vault")
	}
	if _, err := s.Unlock("third"); err != nil {
		t.Errorf("the new vault no longer opens: %v", err)
	}
}

func TestStaleTempsRemoved(t *testing.T) {
	s, v := newTestVault(t)
	stale := []string{".vault.age.tmp123", ".vault.age.bak.tmp456", ".identity.age.tmp789"}
	for _, n := range stale {
		os.WriteFile(filepath.Join(s.Dir(), n), []byte("partial"), 0o600)
	}
	keep := filepath.Join(s.Dir(), "notes.txt")
	os.WriteFile(keep, nil, 0o600)
	addAccounts(t, v, 0, 1)
	if got := temps(t, s.Dir()); len(got) != 0 {
		t.Errorf("after a save, temporary files remain: %v", got)
	}
	if _, err := os.Stat(keep); err != nil {
		t.Error("a save removed a file that is not ours")
	}
}

func TestLockTimeout(t *testing.T) {
	s, v := newTestVault(t)
	release, err := lock(s.Dir())
	if err != nil {
		t.Fatal(err)
	}
	defer func(d time.Duration) { lockTimeout = d }(lockTimeout)
	lockTimeout = 200 * time.Millisecond
	start := time.Now()
	if _, err := v.Update(func(*Data) error { return nil }); err != ErrBusy {
		t.Errorf("Update while locked = %v, want ErrBusy", err)
	}
	if d := time.Since(start); d < lockTimeout {
		t.Errorf("gave up after %v, before the timeout", d)
	}
	if err := v.ChangePassphrase("x", testWorkFactor); err != ErrBusy {
		t.Errorf("ChangePassphrase while locked = %v, want ErrBusy", err)
	}
	// Readers don't wait.
	mustLoad(t, v)
	release()
	addAccounts(t, v, 0, 1)
}

func TestConcurrentWriters(t *testing.T) {
	s, _ := newTestVault(t)
	const writers, each = 2, 50
	var wg sync.WaitGroup
	for w := range writers {
		// Each goroutine has its own Vault, as separate processes would.
		v, err := s.Unlock(testPassphrase)
		if err != nil {
			t.Fatal(err)
		}
		wg.Go(func() {
			for i := range each {
				n := w*each + i
				if _, err := v.Update(func(d *Data) error {
					_, err := d.Add(testAccount("W", "acct", uint64(n)), time.Now())
					return err
				}); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	v, _ := s.Unlock(testPassphrase)
	checkAllAdded(t, mustLoad(t, v), writers*each)
}

// checkAllAdded checks that d holds exactly the test accounts 0..n-1.
func checkAllAdded(t *testing.T, d *Data, n int) {
	t.Helper()
	if len(d.Accounts) != n {
		t.Errorf("vault holds %d accounts, want %d", len(d.Accounts), n)
	}
	for i := range n {
		if _, ok := d.bySecret(testAccount("", "", uint64(i))); !ok {
			t.Errorf("account %d was lost", i)
		}
	}
}

func TestNewerVersionUnparseable(t *testing.T) {
	_, v := newTestVault(t)
	// Accounts of a newer version need not look like this version's.
	for _, js := range []string{
		`{"version":2,"accounts":{"new":"shape"}}`,
		`{"accounts":[{"digits":"six"}],"version":3}`,
	} {
		writeVaultJSON(t, v, js)
		if _, err := v.Load(); !errors.Is(err, ErrNewerVersion) {
			t.Errorf("Load of %s = %v, want ErrNewerVersion", js, err)
		}
	}
}

// TestBackupOfLinkedFile covers a writer killed after making vault.age.bak
// a link to vault.age but before renaming the new file over vault.age:
// rename(2) of one link over another of the same file does nothing.
func TestBackupOfLinkedFile(t *testing.T) {
	s, v := newTestVault(t)
	addAccounts(t, v, 0, 1)
	path := filepath.Join(s.Dir(), vaultFile)
	os.Remove(path + bakSuffix)
	if err := os.Link(path, path+bakSuffix); err != nil {
		t.Skip("no hard links here")
	}
	before := mustRead(t, path)
	addAccounts(t, v, 1, 1)
	if !bytes.Equal(mustRead(t, path+bakSuffix), before) {
		t.Error("vault.age.bak is not the previous vault.age")
	}
	if tmp := temps(t, s.Dir()); len(tmp) > 0 {
		t.Errorf("temporary files left: %v", tmp)
	}
}
