package vault

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"filippo.io/age"
	"filippo.io/age/agessh"
	"golang.org/x/crypto/ssh"

	"github.com/vmfa/vmfa/internal/testenv"
)

// ageKey makes a key pair with age-keygen; it returns the identity file and
// the recipient.
func ageKey(t *testing.T) (idFile, recipient string) {
	t.Helper()
	idFile = filepath.Join(t.TempDir(), "key.txt")
	if out, err := exec.Command(testenv.Tool(t, "age-keygen"), "-o", idFile).CombinedOutput(); err != nil {
		t.Fatalf("age-keygen: %v: %s", err, out)
	}
	out, err := exec.Command(testenv.Tool(t, "age-keygen"), "-y", idFile).Output()
	if err != nil {
		t.Fatalf("age-keygen -y: %v", err)
	}
	return idFile, strings.TrimSpace(string(out))
}

// sshKey makes a key pair with ssh-keygen (typ ed25519 or rsa), protected
// by passphrase if it is not empty; it returns the private key file and the
// public key's line.
func sshKey(t *testing.T, typ, passphrase string) (keyFile, public string) {
	t.Helper()
	keyFile = filepath.Join(t.TempDir(), "id_"+typ)
	args := []string{"-q", "-t", typ, "-N", passphrase, "-C", "test@vmfa", "-f", keyFile}
	if typ == "rsa" {
		args = append(args, "-b", "2048")
	}
	if out, err := exec.Command(testenv.Tool(t, "ssh-keygen"), args...).CombinedOutput(); err != nil {
		t.Fatalf("ssh-keygen %v: %v: %s", args, err, out)
	}
	return keyFile, strings.TrimSpace(string(mustRead(t, keyFile+".pub")))
}

func sshRecipient(t *testing.T, public string) age.Recipient {
	t.Helper()
	r, err := agessh.ParseRecipient(public)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func addRecipient(t *testing.T, v *Vault, name string, r age.Recipient, text string) {
	t.Helper()
	if err := v.AddRecipient(name, r, text); err != nil {
		t.Fatalf("AddRecipient(%s): %v", name, err)
	}
}

// checkStockAgeOpens decrypts recipients/NAME.age with the age command and
// the key in keyFile and checks that it holds the vault's identity.
func checkStockAgeOpens(t *testing.T, s *Store, v *Vault, name, keyFile string) {
	t.Helper()
	path := filepath.Join(s.Dir(), recipientsDir, name+recipientSuffix)
	out, err := exec.Command(testenv.Tool(t, "age"), "-d", "-i", keyFile, path).Output()
	if err != nil {
		t.Fatalf("age -d -i %s %s: %v", keyFile, path, err)
	}
	checkHoldsIdentity(t, v, out)
}

func checkHoldsIdentity(t *testing.T, v *Vault, out []byte) {
	t.Helper()
	ids, err := age.ParseIdentities(bytes.NewReader(out))
	if err != nil || len(ids) != 1 {
		t.Fatalf("the recipients file holds %d identities (%v)", len(ids), err)
	}
	x, ok := ids[0].(*age.X25519Identity)
	if !ok || x.Recipient().String() != v.Recipient() || !bytes.Contains(out, []byte("# public key: "+v.Recipient())) {
		t.Fatalf("the recipients file holds another identity than the vault's")
	}
}

// TestRecipientsStockAge adds an age key and SSH keys of both kinds and
// checks that stock age opens each file with its key, and vmfa with the
// same key.
func TestRecipientsStockAge(t *testing.T) {
	s, v := newTestVault(t)
	addAccounts(t, v, 0, 3)
	ageFile, ageRecipient := ageKey(t)
	edFile, edPublic := sshKey(t, "ed25519", "")
	rsaFile, rsaPublic := sshKey(t, "rsa", "")

	x, err := age.ParseX25519Recipient(ageRecipient)
	if err != nil {
		t.Fatal(err)
	}
	addRecipient(t, v, "backup", x, ageRecipient)
	addRecipient(t, v, "laptop", sshRecipient(t, edPublic), edPublic)
	addRecipient(t, v, "old-rsa", sshRecipient(t, rsaPublic), rsaPublic)

	for name, key := range map[string]string{"backup": ageFile, "laptop": edFile, "old-rsa": rsaFile} {
		checkStockAgeOpens(t, s, v, name, key)
	}

	list, err := Open(s.Dir()).Recipients()
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, ri := range list {
		got = append(got, ri.Name+" "+ri.Kind+" "+ri.Recipient)
	}
	want := []string{"backup x25519 " + ageRecipient, "laptop ssh-ed25519 " + edPublic, "old-rsa ssh-rsa " + rsaPublic}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("Recipients:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}

	// vmfa opens the vault with each key, and with the identity stock age
	// printed.
	want3 := len(mustLoad(t, v).Accounts)
	for _, key := range []string{ageFile, edFile, rsaFile} {
		var ids []age.Identity
		if key == ageFile {
			f, _ := os.Open(key)
			ids, err = age.ParseIdentities(f)
			f.Close()
		} else {
			var id age.Identity
			id, err = agessh.ParseIdentity(mustRead(t, key))
			ids = []age.Identity{id}
		}
		if err != nil {
			t.Fatal(err)
		}
		v2, err := Open(s.Dir()).UnlockWithIdentities(ids...)
		if err != nil {
			t.Fatalf("UnlockWithIdentities(%s): %v", filepath.Base(key), err)
		}
		if n := len(mustLoad(t, v2).Accounts); n != want3 || v2.Recipient() != v.Recipient() {
			t.Fatalf("unlocked with %s: %d accounts, recipient %s", filepath.Base(key), n, v2.Recipient())
		}
	}
}

// TestRecipientsFiles checks modes, the refusal to replace or to take a
// bad name, and that rm leaves nothing of the key behind.
func TestRecipientsFiles(t *testing.T) {
	s, v := newTestVault(t)
	edFile, edPublic := sshKey(t, "ed25519", "")
	r := sshRecipient(t, edPublic)
	addRecipient(t, v, "laptop", r, edPublic+"\n")

	dir := filepath.Join(s.Dir(), recipientsDir)
	if fi, err := os.Stat(dir); err != nil || fi.Mode().Perm() != 0o700 {
		t.Errorf("recipients/ mode %v, %v; want 0700", fi.Mode().Perm(), err)
	}
	for _, n := range []string{"laptop.age", "laptop.pub"} {
		if fi, err := os.Stat(filepath.Join(dir, n)); err != nil || fi.Mode().Perm() != 0o600 {
			t.Errorf("%s mode %v, %v; want 0600", n, fi.Mode().Perm(), err)
		}
	}
	before := mustRead(t, filepath.Join(dir, "laptop.age"))
	var exists *RecipientError
	if err := v.AddRecipient("laptop", r, edPublic); !errors.Is(err, ErrRecipientExists) || !errors.As(err, &exists) || exists.Name != "laptop" {
		t.Errorf("adding laptop again: %v, want ErrRecipientExists", err)
	}
	if !bytes.Equal(before, mustRead(t, filepath.Join(dir, "laptop.age"))) {
		t.Error("a refused add changed laptop.age")
	}
	for _, bad := range []string{"", "../x", "a/b", ".hidden", "-rf", "with space", strings.Repeat("n", 65), "tab\tname", "naïve"} {
		if err := v.AddRecipient(bad, r, edPublic); !errors.Is(err, ErrInvalidRecipient) {
			t.Errorf("AddRecipient(%q): %v, want ErrInvalidRecipient", bad, err)
		}
	}
	if err := v.AddRecipient("two-lines", r, edPublic+"\n"+edPublic); err == nil {
		t.Error("a two-line recipient text was accepted")
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 2 {
		t.Errorf("recipients/ holds %d files after refused adds, want 2", len(entries))
	}
	for _, good := range []string{"aZ09.z_A-9+@", strings.Repeat("n", 64)} {
		if err := CheckRecipientName(good); err != nil {
			t.Errorf("CheckRecipientName(%q): %v", good, err)
		}
	}
	// The longest text taken, a key with a long comment, is listed whole
	// (its .pub, with a newline, was once too long to read back).
	long := edPublic + " " + strings.Repeat("c", maxRecipientText-len(edPublic)-1)
	addRecipient(t, v, "long", r, long)
	if list, err := s.Recipients(); err != nil || len(list) != 2 || list[1].Recipient != long || time.Since(list[1].Added) > time.Minute {
		t.Errorf("after adding a %d-byte key: %+v, %v", len(long), list, err)
	}
	if err := s.RemoveRecipient("long"); err != nil {
		t.Fatal(err)
	}

	id, err := agessh.ParseIdentity(mustRead(t, edFile))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.RemoveRecipient("laptop"); err != nil {
		t.Fatal(err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("recipients/ holds %d files after rm, want none", len(entries))
	}
	if _, err := s.UnlockWithIdentities(id); !errors.Is(err, ErrNoRecipientsAdded) {
		t.Errorf("unlock after rm: %v, want ErrNoRecipientsAdded", err)
	}
	if err := s.RemoveRecipient("laptop"); !errors.Is(err, ErrNoRecipient) {
		t.Errorf("rm twice: %v, want ErrNoRecipient", err)
	}
}

// TestUnlockWithIdentitiesErrors: a key the vault does not know, a vault
// without keys, no vault, a recipients file of another vault.
func TestUnlockWithIdentitiesErrors(t *testing.T) {
	s, v := newTestVault(t)
	_, edPublic := sshKey(t, "ed25519", "")
	strangerFile, _ := sshKey(t, "ed25519", "")
	stranger, err := agessh.ParseIdentity(mustRead(t, strangerFile))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.UnlockWithIdentities(stranger); !errors.Is(err, ErrNoRecipientsAdded) || !strings.Contains(err.Error(), s.Dir()) {
		t.Errorf("no recipients yet: %v", err)
	}
	addRecipient(t, v, "laptop", sshRecipient(t, edPublic), edPublic)
	_, err = s.UnlockWithIdentities(stranger)
	if !errors.Is(err, ErrNotARecipient) || !strings.Contains(err.Error(), s.Dir()) {
		t.Errorf("a stranger's key: %v", err)
	}
	if _, err := Open(filepath.Join(t.TempDir(), "none")).UnlockWithIdentities(stranger); !errors.Is(err, ErrNoVault) {
		t.Errorf("no vault: %v, want ErrNoVault", err)
	}

	// A recipients file copied from another vault opens, but holds an
	// identity vault.age is not encrypted to.
	s2, v2 := newTestVault(t)
	ageFile, ageRecipient := ageKey(t)
	x, _ := age.ParseX25519Recipient(ageRecipient)
	addRecipient(t, v2, "backup", x, ageRecipient)
	copied := mustRead(t, filepath.Join(s2.Dir(), recipientsDir, "backup.age"))
	if err := os.WriteFile(filepath.Join(s.Dir(), recipientsDir, "backup.age"), copied, 0o600); err != nil {
		t.Fatal(err)
	}
	f, _ := os.Open(ageFile)
	ids, _ := age.ParseIdentities(f)
	f.Close()
	var stale *RecipientError
	if _, err := s.UnlockWithIdentities(ids...); !errors.As(err, &stale) || stale.Name != "backup" || !strings.Contains(err.Error(), "holds another identity") {
		t.Errorf("another vault's recipients file: %v, want a RecipientError naming backup, to remove", err)
	}

	// A key that fails to answer, here an SSH key given a wrong
	// passphrase, says why: its recipients file is not damaged.
	lockedFile, lockedPublic := sshKey(t, "ed25519", "right")
	addRecipient(t, v, "locked", sshRecipient(t, lockedPublic), lockedPublic)
	pub, _, _, _, err := ssh.ParseAuthorizedKey([]byte(lockedPublic))
	if err != nil {
		t.Fatal(err)
	}
	wrong, err := agessh.NewEncryptedSSHIdentity(pub, mustRead(t, lockedFile), func() ([]byte, error) { return []byte("wrong"), nil })
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.UnlockWithIdentities(wrong); err == nil || errors.Is(err, ErrDamaged) || !strings.Contains(err.Error(), "SSH key") {
		t.Errorf("an SSH key given a wrong passphrase: %v, want what the key said", err)
	}
}

// TestRecipientsDirSymlink: a recipients/ that is a link is neither read
// nor written through.
func TestRecipientsDirSymlink(t *testing.T) {
	s, v := newTestVault(t)
	_, edPublic := sshKey(t, "ed25519", "")
	elsewhere := t.TempDir()
	if err := os.Symlink(elsewhere, filepath.Join(s.Dir(), recipientsDir)); err != nil {
		t.Fatal(err)
	}
	if err := v.AddRecipient("laptop", sshRecipient(t, edPublic), edPublic); err == nil || !strings.Contains(err.Error(), "symbolic link") {
		t.Errorf("add through a link: %v", err)
	}
	if _, err := s.Recipients(); err == nil {
		t.Error("Recipients read through a link")
	}
	if entries, _ := os.ReadDir(elsewhere); len(entries) != 0 {
		t.Errorf("%d files written through the link", len(entries))
	}
}

func TestRecipientKind(t *testing.T) {
	for text, want := range map[string]string{
		"age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p":          "x25519",
		"age1yubikey1qwt50d05nh5vutpdzmlg5wn80xq5negm4uj9ghv0snvdd3yysf5yw3rhl3t": "plugin:yubikey",
		"age1se1qgg72x2qfk9wg3wh0qg9u0v7l5dkq4jx69fv80p6wdus3ftg6flwg5dz2dp":      "plugin:se",
		"age1tpm1qg86fn5esp30u9h6jy6zvu9gcsvnac09vn8jzjxt8s3qtlcv5h2x287wm36":     "plugin:tpm",
		"age1pq1abc":    "hybrid",
		"ssh-ed25519 A": "ssh-ed25519",
		"ssh-rsa A c":   "ssh-rsa",
		"whatever":      "unknown",
	} {
		if got := RecipientKind(text); got != want {
			t.Errorf("RecipientKind(%.20s…) = %q, want %q", text, got, want)
		}
	}
}

// Listing the keys of a directory that holds no vault says there is none,
// rather than that only the passphrase opens it.
func TestRecipientsWithoutVault(t *testing.T) {
	if list, err := Open(t.TempDir()).Recipients(); !errors.Is(err, ErrNoVault) {
		t.Errorf("Recipients with no vault = %v, %v; want ErrNoVault", list, err)
	}
}
