package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vmfa/vmfa/internal/agekey/agekeytest"
	"github.com/vmfa/vmfa/internal/testenv"
)

// Keys instead of the passphrase, end to end: ssh-keygen's and age-keygen's
// keys, the test plugin through the real plugin protocol, stock age.

const recipientsAt = "2026-11-24T10:00:10Z"

// sshKeygen makes a key pair in dir; it returns the private key's path.
func sshKeygen(t *testing.T, dir, name, typ, passphrase string) string {
	t.Helper()
	key := filepath.Join(dir, name)
	// One round of bcrypt for a passphrase, not 16: its cost, paid again by
	// every vmfa that opens the key, is not what is tested.
	args := []string{"-q", "-t", typ, "-N", passphrase, "-a", "1", "-C", name, "-f", key}
	if typ == "rsa" {
		args = append(args, "-b", "2048")
	}
	if out, err := exec.Command(testenv.Tool(t, "ssh-keygen"), args...).CombinedOutput(); err != nil {
		t.Fatalf("ssh-keygen: %v: %s", err, out)
	}
	return key
}

// vaultWithAWS makes a vault holding the AWS account and returns the code
// oathtool computes for it at recipientsAt.
func vaultWithAWS(t *testing.T, dir string) string {
	t.Helper()
	vaultOf(t, dir, awsURI)
	want, _ := testenv.OathTOTP(t, awsSecret, time.Date(2026, 11, 24, 10, 0, 10, 0, time.UTC))
	return want
}

// snapshot is every file of the vault directory and its contents.
func snapshot(t *testing.T, dir string) map[string]string {
	t.Helper()
	files := map[string]string{}
	root := filepath.Join(dir, "vault")
	filepath.Walk(root, func(p string, fi os.FileInfo, err error) error {
		if err == nil && fi.Mode().IsRegular() && filepath.Base(p) != "vault.lock" {
			b, _ := os.ReadFile(p)
			files[p] = string(b)
		}
		return nil
	})
	return files
}

func sameSnapshot(t *testing.T, before, after map[string]string) {
	t.Helper()
	for p, b := range before {
		if after[p] != b {
			t.Errorf("%s changed", p)
		}
	}
	for p := range after {
		if _, ok := before[p]; !ok {
			t.Errorf("%s appeared", p)
		}
	}
}

// oneLineError checks that a refusal is one line on stderr, exit 1.
func oneLineError(t *testing.T, r result, want string) {
	t.Helper()
	if r.code != 1 || r.stdout != "" || strings.Count(strings.TrimSpace(r.stderr), "\n") != 0 || !strings.Contains(r.stderr, want) {
		t.Fatalf("exit %d, stdout %q, stderr %q; want exit 1, one line with %q", r.code, r.stdout, r.stderr, want)
	}
}

func TestRecipientsSSH(t *testing.T) {
	parallel(t)
	dir := t.TempDir()
	want := vaultWithAWS(t, dir)
	keys := t.TempDir()
	laptop := sshKeygen(t, keys, "laptop", "ed25519", "")
	rsa := sshKeygen(t, keys, "old", "rsa", "")
	locked := sshKeygen(t, keys, "locked", "ed25519", "key passphrase")
	stranger := sshKeygen(t, keys, "stranger", "ed25519", "")

	expect(t, vmfa(t, dir, "", nil, "recipients", "list"), 0, "", "Only the passphrase opens the vault")
	expect(t, vmfa(t, dir, "", []string{pw}, "recipients", "add", "laptop", laptop+".pub"), 0, "", "Added laptop (ssh-ed25519)")
	rsaPub, _ := os.ReadFile(rsa + ".pub")
	expect(t, vmfa(t, dir, string(rsaPub), []string{pw}, "recipients", "add", "old", "-"), 0, "", "Added old (ssh-rsa)")
	lockedPub, _ := os.ReadFile(locked + ".pub")
	expect(t, vmfa(t, dir, "", []string{pw}, "recipients", "add", "locked", strings.TrimSpace(string(lockedPub))), 0, "", "Added locked")

	// list needs no key.
	r := vmfa(t, dir, "", nil, "recipients", "list")
	laptopPub, _ := os.ReadFile(laptop + ".pub")
	if r.code != 0 || !strings.Contains(r.stdout, "laptop  ssh-ed25519  "+strings.TrimSpace(string(laptopPub))+"\n") ||
		!strings.Contains(r.stdout, "old     ssh-rsa      ssh-rsa AAAA") {
		t.Fatalf("recipients list: %d %q %q", r.code, r.stdout, r.stderr)
	}
	var list []struct{ Name, Kind, Recipient, Path string }
	r = vmfa(t, dir, "", nil, "recipients", "list", "--json")
	if err := json.Unmarshal([]byte(r.stdout), &list); err != nil || len(list) != 3 || list[1].Name != "locked" || list[1].Kind != "ssh-ed25519" {
		t.Fatalf("recipients list --json: %q, %v", r.stdout, err)
	}

	// Each key opens the vault with no passphrase anywhere.
	expect(t, vmfa(t, dir, "", nil, "--identity", laptop, "code", "aws", "--at", recipientsAt), 0, want+"\n", "")
	expect(t, vmfa(t, dir, "", []string{"VMFA_IDENTITY=" + rsa}, "code", "aws", "--at", recipientsAt), 0, want+"\n", "")

	// Refusals: one line, exit 1, the vault as it was.
	before := snapshot(t, dir)
	garbage := filepath.Join(keys, "garbage")
	os.WriteFile(garbage, []byte("SECRETSTUFF not a key\n"), 0o600)
	binary := filepath.Join(keys, "binary")
	os.WriteFile(binary, []byte{0xff, 0xfe, 0, 1, 2}, 0o600)
	for _, c := range []struct{ key, want string }{
		{stranger, "this key is not a recipient of the vault at " + filepath.Join(dir, "vault") + ": add it with 'vmfa recipients add"},
		{garbage, "line 1 is not an age identity"},
		{binary, "is not a key file"},
		{laptop + ".pub", "is a public key: --identity takes the private key"},
		{filepath.Join(keys, "missing"), "can't read the key file"},
		{locked, "is protected by a passphrase and there is no terminal to ask for it"},
	} {
		r := vmfaDetached(t, dir, nil, "--identity", c.key, "code", "aws")
		oneLineError(t, r, c.want)
		if strings.Contains(r.stderr, "SECRETSTUFF") {
			t.Errorf("the error quotes the key file: %q", r.stderr)
		}
	}
	sameSnapshot(t, before, snapshot(t, dir))

	// Bad recipients and names: usage errors, nothing written.
	expect(t, vmfa(t, dir, "", []string{pw}, "recipients", "add", "a/b", laptop+".pub"), 2, "", "invalid recipient name")
	expect(t, vmfa(t, dir, "", []string{pw}, "recipients", "add", "x", "notakey"), 2, "", "neither a recipient")
	expect(t, vmfa(t, dir, "", []string{pw}, "recipients", "add", "x", laptop), 1, "", "is a private key")
	expect(t, vmfa(t, dir, "", []string{pw}, "recipients", "add", "x", "ssh-ed25519 AAAAbroken"), 1, "", "malformed SSH public key")
	expect(t, vmfa(t, dir, "", []string{pw}, "recipients", "add", "laptop", rsa+".pub"), 1, "", "already exists")
	sameSnapshot(t, before, snapshot(t, dir))

	// rm needs no key, and the key no longer opens the vault.
	expect(t, vmfa(t, dir, "", nil, "recipients", "rm", "laptop"), 0, "", "Removed laptop")
	oneLineError(t, vmfa(t, dir, "", nil, "--identity", laptop, "code", "aws"), "not a recipient")
	expect(t, vmfa(t, dir, "", nil, "recipients", "rm", "laptop"), 1, "", "no recipient of that name")

	// A forgotten passphrase: a key still opens the vault to set a new one.
	expect(t, vmfa(t, dir, "", []string{"VMFA_NEW_PASSPHRASE=new passphrase here", "VMFA_IDENTITY=" + rsa}, "passwd"), 0, "", "Passphrase changed")
	expect(t, vmfa(t, dir, "", []string{"VMFA_PASSPHRASE=new passphrase here"}, "code", "aws", "--at", recipientsAt), 0, want+"\n", "")
}

// TestRecipientsSSHPassphrase: an SSH key's own passphrase is asked on the
// terminal, only for it.
func TestRecipientsSSHPassphrase(t *testing.T) {
	parallel(t)
	dir := t.TempDir()
	want := vaultWithAWS(t, dir)
	locked := sshKeygen(t, t.TempDir(), "locked", "ed25519", "key passphrase")
	expect(t, vmfa(t, dir, "", []string{pw}, "recipients", "add", "locked", locked+".pub"), 0, "", "Added locked")

	term := onTerminal(t, dir, nil, true, nil, "--identity", locked, "code", "aws", "--at", recipientsAt)
	term.Expect("Passphrase for the SSH key " + locked)
	term.Type("key passphrase\r")
	if code, screen := term.Wait(); code != 0 || term.Stdout() != want+"\n" {
		t.Fatalf("exit %d, stdout %q, terminal %q", code, term.Stdout(), screen)
	}

	term = onTerminal(t, dir, nil, true, nil, "--identity", locked, "code", "aws")
	term.Expect("Passphrase for the SSH key")
	term.Type("wrong\r")
	if code, screen := term.Wait(); code != 1 || !strings.Contains(screen, "wrong passphrase for the SSH key "+locked) {
		t.Fatalf("wrong key passphrase: exit %d, terminal %q", code, screen)
	}
}

// TestRecipientsPlugin drives the real age plugin protocol: vmfa wraps the
// identity to a plugin recipient and unlocks with the plugin's identity,
// and stock age opens the file through the same plugin.
func TestRecipientsPlugin(t *testing.T) {
	// Not parallel: it sets $PATH (agekeytest.Install, t.Setenv).
	agekeytest.Install(t)
	dir := t.TempDir()
	want := vaultWithAWS(t, dir)
	recipient, identity := agekeytest.NewKey(t)
	idFile := filepath.Join(t.TempDir(), "yubikey-identity.txt")
	os.WriteFile(idFile, []byte("#       Serial: 0, Slot: 1\n#    Recipient: "+recipient+"\n"+identity+"\n"), 0o600)

	expect(t, vmfa(t, dir, "", []string{pw}, "recipients", "add", "token", recipient), 0, "", "Added token (plugin:vmfatest)")
	expect(t, vmfa(t, dir, "", nil, "recipients", "list"), 0, "token  plugin:vmfatest  "+recipient+"\n", "")

	r := vmfa(t, dir, "", nil, "--identity", idFile, "code", "aws", "--at", recipientsAt)
	expect(t, r, 0, want+"\n", "vmfa: age-plugin-vmfatest: "+agekeytest.Message)

	out, err := exec.Command(testenv.Tool(t, "age"), "-d", "-i", idFile, filepath.Join(dir, "vault", "recipients", "token.age")).Output()
	if err != nil || !strings.Contains(string(out), "AGE-SECRET-KEY-1") {
		t.Fatalf("stock age with the plugin: %v", err)
	}

	// Another key of the same plugin is not a recipient; a missing plugin
	// says what to install. Neither changes the vault.
	before := snapshot(t, dir)
	_, other := agekeytest.NewKey(t)
	otherFile := filepath.Join(t.TempDir(), "other.txt")
	os.WriteFile(otherFile, []byte(other+"\n"), 0o600)
	oneLineError(t, vmfa(t, dir, "", nil, "--identity", otherFile, "code", "aws"), "not a recipient of the vault")
	t.Setenv("PATH", os.Getenv("PATH")[strings.IndexByte(os.Getenv("PATH"), os.PathListSeparator)+1:])
	oneLineError(t, vmfa(t, dir, "", nil, "--identity", idFile, "code", "aws"), "the key needs age-plugin-vmfatest, which is not on $PATH")
	sameSnapshot(t, before, snapshot(t, dir))
}

// TestRecipientsAgeKey: an age-keygen key as a backup.
func TestRecipientsAgeKey(t *testing.T) {
	parallel(t)
	dir := t.TempDir()
	want := vaultWithAWS(t, dir)
	key := filepath.Join(t.TempDir(), "backup.txt")
	if out, err := exec.Command(testenv.Tool(t, "age-keygen"), "-o", key).CombinedOutput(); err != nil {
		t.Fatalf("age-keygen: %v: %s", err, out)
	}
	pub, err := exec.Command(testenv.Tool(t, "age-keygen"), "-y", key).Output()
	if err != nil {
		t.Fatal(err)
	}
	oneLineError(t, vmfa(t, dir, "", nil, "--identity", key, "code", "aws"), "no key opens the vault yet: the vault at "+filepath.Join(dir, "vault")+" opens only with its passphrase")
	expect(t, vmfa(t, dir, "", []string{pw}, "recipients", "add", "backup", strings.TrimSpace(string(pub))), 0, "", "Added backup (x25519)")
	expect(t, vmfa(t, dir, "", nil, "--identity", key, "code", "aws", "--at", recipientsAt), 0, want+"\n", "")
	expect(t, vmfa(t, dir, "", nil, "recipients", "add", "x", key), 1, "", "is a private key")

	// Completion of names needs no key; help explains the files.
	expect(t, vmfa(t, dir, "", nil, "__complete", "recipients", "rm", ""), 0, "backup\tx25519\n", "")
	expect(t, vmfa(t, dir, "", nil, "recipients", "--help"), 0, "recipients/NAME.age", "")
	expect(t, vmfa(t, dir, "", nil, "recipients", "add", "--help"), 0, "or -, to read it from standard input", "")
	expect(t, vmfa(t, dir, "", nil, "recipients", "add", "only-name"), 2, "", "accepts 2 arg(s)")
}
