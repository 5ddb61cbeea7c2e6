package agekey_test

import (
	"bytes"
	"crypto/rand"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"filippo.io/age"
	"filippo.io/age/plugin"

	"github.com/vmfa/vmfa/internal/agekey"
	"github.com/vmfa/vmfa/internal/agekey/agekeytest"
	"github.com/vmfa/vmfa/internal/testenv"
	"github.com/vmfa/vmfa/vault"
)

func TestMain(m *testing.M) {
	agekeytest.RunPluginIfInvoked()
	os.Exit(m.Run())
}

// keygen runs ssh-keygen in dir and returns the private key's path and the
// public key's line.
func keygen(t *testing.T, dir, name string, args ...string) (string, string) {
	t.Helper()
	key := filepath.Join(dir, name)
	args = append([]string{"-q", "-C", "alice@laptop", "-f", key}, args...)
	if out, err := exec.Command(testenv.Tool(t, "ssh-keygen"), args...).CombinedOutput(); err != nil {
		t.Fatalf("ssh-keygen %v: %v: %s", args, err, out)
	}
	pub, err := os.ReadFile(key + ".pub")
	if err != nil {
		t.Fatal(err)
	}
	return key, strings.TrimSpace(string(pub))
}

func TestParseRecipient(t *testing.T) {
	dir := t.TempDir()
	_, ed := keygen(t, dir, "ed", "-t", "ed25519", "-N", "")
	_, rsa := keygen(t, dir, "rsa", "-t", "rsa", "-b", "2048", "-N", "")
	_, ecdsa := keygen(t, dir, "ecdsa", "-t", "ecdsa", "-N", "")
	x, _ := age.GenerateX25519Identity()
	hybrid, _ := age.GenerateHybridIdentity()
	data := make([]byte, 33)
	rand.Read(data)
	yubikey := plugin.EncodeRecipient("yubikey", data)
	edKey := strings.Join(strings.Fields(ed)[:2], " ") // no comment

	for _, c := range []struct{ in, text, kind string }{
		{x.Recipient().String(), x.Recipient().String(), "x25519"},
		{"  " + x.Recipient().String() + "\n", x.Recipient().String(), "x25519"},
		{hybrid.Recipient().String(), hybrid.Recipient().String(), "hybrid"},
		{ed, ed, "ssh-ed25519"},
		{rsa, rsa, "ssh-rsa"},
		{edKey + " alice\t@laptop  é", edKey + " alice @laptop é", "ssh-ed25519"},
		{yubikey, yubikey, "plugin:yubikey"},
	} {
		r, text, err := agekey.ParseRecipient(c.in, nil)
		if err != nil || r == nil || text != c.text || vault.RecipientKind(text) != c.kind {
			t.Errorf("ParseRecipient(%.30s…) = %v, %.30q, %v; want %s", c.in, r, text, err, c.kind)
		}
	}

	for _, c := range []struct{ in, want string }{
		{"", "empty"},
		{x.String(), "that is a private key"},
		{"AGE-PLUGIN-YUBIKEY-1QQQQQQ", "that is a private key"},
		{"-----BEGIN OPENSSH PRIVATE KEY-----", "that is a private key"},
		{ecdsa, "age can't encrypt to ecdsa-sha2-nistp256 SSH keys"},
		{"ssh-ed25519 AAAAnotbase64!!", "malformed SSH public key"},
		{"age1notbech32atallXYZ", "malformed age recipient"},
		{"age1 with spaces", "a recipient is one word"},
		{"hello", "not a recipient"},
		// A comment 'recipients list' would print: none that drives a terminal.
		{edKey + " alice\x1b]0;PWNED\a", "comment (after the key) holds control characters"},
		{edKey + " alice\u009b2J", "comment (after the key) holds control characters"},
		{edKey + " alice\x9b2J", "comment (after the key) holds control characters"},
	} {
		_, _, err := agekey.ParseRecipient(c.in, nil)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("ParseRecipient(%.30q): %v, want %q", c.in, err, c.want)
		} else if len(c.in) > 8 && strings.Contains(err.Error(), c.in) || strings.Contains(err.Error(), "\n") {
			t.Errorf("ParseRecipient(%.30q): the error quotes the input or spans lines: %v", c.in, err)
		}
	}
}

func TestReadRecipient(t *testing.T) {
	dir := t.TempDir()
	key, ed := keygen(t, dir, "ed", "-t", "ed25519", "-N", "")
	if _, text, err := agekey.ReadRecipient(strings.NewReader("# my laptop\n\n"+ed+"\n"), "ed.pub", nil); err != nil || text != ed {
		t.Errorf("ReadRecipient(ed.pub) = %q, %v", text, err)
	}
	priv, _ := os.ReadFile(key)
	for _, c := range []struct{ in, want string }{
		{string(priv), "ed is a private key"},
		{"# nothing\n", "holds no recipient"},
		{ed + "\n" + ed + "\n", "holds 2 recipients"},
		{strings.Repeat("x", 300<<10), "too large"},
	} {
		_, _, err := agekey.ReadRecipient(strings.NewReader(c.in), "ed", nil)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("ReadRecipient(%.20q): %v, want %q", c.in, err, c.want)
		}
	}
}

func TestReadIdentities(t *testing.T) {
	dir := t.TempDir()
	ed, _ := keygen(t, dir, "ed", "-t", "ed25519", "-N", "")
	rsa, _ := keygen(t, dir, "rsa", "-t", "rsa", "-b", "2048", "-N", "")
	locked, _ := keygen(t, dir, "locked", "-t", "ed25519", "-N", "key passphrase")
	pem, _ := keygen(t, dir, "pem", "-t", "rsa", "-b", "2048", "-m", "PEM", "-N", "key passphrase")
	ecdsa, _ := keygen(t, dir, "ecdsa", "-t", "ecdsa", "-N", "")
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	x, _ := age.GenerateX25519Identity()
	x2, _ := age.GenerateX25519Identity()
	_, pluginID := agekeytest.NewKey(t)
	ageFile := write("age.txt", "# created: 2026-01-01T00:00:00Z\n# public key: "+x.Recipient().String()+"\n"+x.String()+"\n\n"+x2.String()+"\n")
	pluginFile := write("plugin.txt", "#    Recipient: age1…\n"+pluginID+"\n")

	for path, n := range map[string]int{ageFile: 2, pluginFile: 1, ed: 1, rsa: 1, locked: 1, pem: 1} {
		ids, err := agekey.ReadIdentities(path, nil)
		if err != nil || len(ids) != n {
			t.Errorf("ReadIdentities(%s) = %d identities, %v; want %d", filepath.Base(path), len(ids), err, n)
		}
	}

	secret := "AGE-SECRET-KEY-1SECRETSECRETSECRET"
	os.Remove(pem + ".pub")
	sub := filepath.Join(dir, "sub")
	os.Mkdir(sub, 0o700)
	for _, c := range []struct{ path, want string }{
		{write("garbage", "hello "+secret+"\n"), "line 1 is not an age identity"},
		{write("bad-age", "# ok\n"+secret+"\n"), "line 2 is a malformed age identity"},
		{write("public", x.Recipient().String()+"\n"), "line 1 is a public key"},
		{write("empty", "# only comments\n\n"), "holds no key"},
		{write("binary", "\xff\xfe"+secret), "is not a key file"},
		{write("armored", "age-encryption.org/v1\n-> scrypt\n"), "is encrypted with age"},
		{write("bad-pem", "-----BEGIN OPENSSH PRIVATE KEY-----\n"+secret+"\n-----END OPENSSH PRIVATE KEY-----\n"), "is not a valid SSH private key"},
		{write("huge", strings.Repeat("#", 300<<10)), "too large"},
		{pem, "its public key is not in " + pem + ".pub"},
		{ecdsa, "an SSH key of a kind age can't use"},
		{filepath.Join(dir, "missing"), "can't read the key file"},
		{sub, "is a directory"},
	} {
		_, err := agekey.ReadIdentities(c.path, nil)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("ReadIdentities(%s): %v, want %q", filepath.Base(c.path), err, c.want)
			continue
		}
		if strings.Contains(err.Error(), "SECRETSECRET") || strings.Contains(err.Error(), "\n") {
			t.Errorf("ReadIdentities(%s): the error quotes the file or spans lines: %v", filepath.Base(c.path), err)
		}
	}
	var public *agekey.PublicKeyError
	if _, err := agekey.ReadIdentities(filepath.Join(dir, "public"), nil); !errors.As(err, &public) || public.Line != 1 {
		t.Errorf("ReadIdentities(public): %v, want a *PublicKeyError", err)
	}
}

// TestPluginRoundTrip wraps and unwraps a vault's identity through the test
// plugin, over the real protocol, with the plugin's message shown through
// the UI.
func TestPluginRoundTrip(t *testing.T) {
	s := vault.Open(filepath.Join(t.TempDir(), "vmfa"))
	v, err := s.Create("correct horse battery staple", 10)
	if err != nil {
		t.Fatal(err)
	}
	recipient, identity := agekeytest.NewKey(t)
	var msgs bytes.Buffer
	ui := agekey.TerminalUI(&msgs)
	r, text, err := agekey.ParseRecipient(recipient, ui)
	if err != nil {
		t.Fatal(err)
	}

	// Without the plugin on $PATH nothing is added.
	t.Setenv("PATH", t.TempDir())
	if err := v.AddRecipient("token", r, text); err == nil || !strings.Contains(err.Error(), "the key needs age-plugin-vmfatest, which is not on $PATH") {
		t.Errorf("adding with no plugin installed: %v", err)
	}
	if list, err := s.Recipients(); err != nil || len(list) != 0 {
		t.Errorf("after a failed add: %v, %v", list, err)
	}
	if entries, _ := os.ReadDir(filepath.Join(s.Dir(), "recipients")); len(entries) != 0 {
		t.Errorf("a failed add left %d files", len(entries))
	}

	agekeytest.Install(t)
	if err := v.AddRecipient("token", r, text); err != nil {
		t.Fatal(err)
	}
	idFile := filepath.Join(t.TempDir(), "id.txt")
	os.WriteFile(idFile, []byte(identity+"\n"), 0o600)
	ids, err := agekey.ReadIdentities(idFile, ui)
	if err != nil {
		t.Fatal(err)
	}
	v2, err := s.UnlockWithIdentities(ids...)
	if err != nil {
		t.Fatalf("UnlockWithIdentities through the plugin: %v", err)
	}
	if v2.Recipient() != v.Recipient() {
		t.Fatal("the plugin opened another identity")
	}
	if got := msgs.String(); got != "vmfa: age-plugin-vmfatest: "+agekeytest.Message+"\n" {
		t.Errorf("plugin messages: %q", got)
	}
}

// TestReadIdentitiesLongLine reads a key that follows a comment longer than
// bufio.Scanner's 64 KiB line, well within the size of a key file.
func TestReadIdentitiesLongLine(t *testing.T) {
	x, _ := age.GenerateX25519Identity()
	path := filepath.Join(t.TempDir(), "key.txt")
	content := "# " + strings.Repeat("x", 100<<10) + "\n" + x.String() + "\n"
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	ids, err := agekey.ReadIdentities(path, nil)
	if err != nil || len(ids) != 1 {
		t.Fatalf("ReadIdentities = %d identities, %v; want 1", len(ids), err)
	}
}
