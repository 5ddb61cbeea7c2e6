package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vmfa/vmfa/internal/testenv"
)

// vmfa import, end to end, on the Aegis importer fixtures of the shared
// corpus (read from there, never copied) and on files of its own.

const (
	importPW  = "VMFA_IMPORT_PASSPHRASE=test"
	v7Secret  = "JRZCL47CMXVOQMNPZR2F7J4RGI" // Boeing:Sophia, Steam
	v1Secret  = "4SJHB4GSD43FZBAI7C2HLRJGPQ" // Deno:Mason
	aegisList = "Deno\tMason\ttotp\nSPDX\tJames\ttotp\nAirbnb\tElijah\ttotp\nIssuu\tJames\thotp\nAir Canada\tBenjamin\thotp\nWWE\tMason\thotp\nBoeing\tSophia\tsteam\n"
)

func exportFile(t *testing.T, name string) string {
	return testenv.SharedCorpus(t, filepath.Join("app-exports", name))
}

// vaultBytes is the vault file, to check that a refused import left it as
// it was.
func vaultBytes(t *testing.T, dir string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "vault", "vault.age"))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func noImportSecrets(t *testing.T, r result) {
	t.Helper()
	for _, s := range []string{v1Secret[:12], v7Secret[:12], "testtest"} {
		if strings.Contains(r.stdout+r.stderr, s) {
			t.Fatalf("output leaks a secret: %q %q", r.stdout, r.stderr)
		}
	}
}

func TestImport(t *testing.T) {
	parallel(t)
	dir := t.TempDir()
	r := vmfa(t, dir, "", []string{pw}, "import", exportFile(t, "aegis_plain.json"))
	expect(t, r, 0, "Added Deno:Mason\nAdded SPDX:James\nAdded Airbnb:Elijah\nAdded Issuu:James\nAdded Air Canada:Benjamin\nAdded WWE:Mason\nAdded Boeing:Sophia\n", "7 imported, 0 already in the vault")
	expect(t, r, 0, "", "3 HOTP account(s)")
	noImportSecrets(t, r)
	expect(t, vmfa(t, dir, "", []string{pw}, "list"), 0, aegisList, "")

	// The Steam account's code, from ValvePython/node-steam-totp's algorithm
	// (see otp/steam_test.go for the vector).
	expect(t, vmfa(t, dir, "", []string{pw}, "code", "sophia", "--at", "1800000000"), 0, "34467\n", "")
	var js struct{ Code string }
	r = vmfa(t, dir, "", []string{pw}, "code", "boeing", "--at", "1800000000", "--json")
	if err := json.Unmarshal([]byte(r.stdout), &js); err != nil || js.Code != "34467" {
		t.Fatalf("code --json = %q, %v", r.stdout, err)
	}
	// HOTP counters come with the accounts: WWE's next code is counter 10300's.
	if r := vmfa(t, dir, "", []string{pw}, "code", "wwe"); r.code != 0 || len(strings.TrimSpace(r.stdout)) != 8 {
		t.Fatalf("code wwe = %+v", r)
	}

	// Importing again: every account is a duplicate, and nothing changes.
	before := vaultBytes(t, dir)
	r = vmfa(t, dir, "", []string{pw}, "import", exportFile(t, "stratum_plain.json"))
	expect(t, r, 1, "", "already in the vault as Deno:Mason; nothing was imported (--skip-existing imports the others)")
	if !bytes.Equal(before, vaultBytes(t, dir)) {
		t.Fatal("a refused import changed the vault")
	}
	r = vmfa(t, dir, "", []string{pw}, "import", "--skip-existing", exportFile(t, "stratum_plain.json"))
	expect(t, r, 0, "", "0 imported, 7 already in the vault")
	expect(t, r, 0, "", "Skipped Boeing:Sophia (already in the vault as Boeing:Sophia)")
}

func TestImportEncrypted(t *testing.T) {
	parallel(t)
	dir := t.TempDir()
	enc := exportFile(t, "encrypted/aegis_encrypted.json")
	// A wrong password: one line, exit 1, no vault created.
	r := vmfa(t, dir, "", []string{pw, "VMFA_IMPORT_PASSPHRASE=wrong"}, "import", enc)
	expect(t, r, 1, "", "aegis_encrypted.json: wrong password, or the file is damaged\n")
	if strings.Count(r.stderr, "\n") != 1 {
		t.Errorf("stderr is not one line: %q", r.stderr)
	}
	if _, err := os.Stat(filepath.Join(dir, "vault")); err == nil {
		t.Error("a failed import created the vault")
	}
	// No password and no terminal to ask on.
	expect(t, vmfa(t, dir, "", []string{pw}, "import", enc), 1, "", "set VMFA_IMPORT_PASSPHRASE")

	r = vmfa(t, dir, "", []string{pw, importPW}, "import", enc)
	expect(t, r, 0, "Added Boeing:Sophia\n", "7 imported")
	noImportSecrets(t, r)

	// Several files: all are read first, and one bad file imports nothing.
	other := t.TempDir()
	r = vmfa(t, other, "", []string{pw, "VMFA_IMPORT_PASSPHRASE=testtest"}, "import",
		exportFile(t, "encrypted/authy_encrypted.xml"), exportFile(t, "encrypted/2fas_authenticator_encrypted_v4.2fas"), filepath.Join(other, "missing.json"))
	expect(t, r, 1, "", "2fas_authenticator_encrypted_v4.2fas: 2FAS backup: wrong password, or the file is damaged\n")
	for _, want := range []string{"missing.json: no such file or directory\n", "vmfa: nothing was imported\n"} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("stderr lacks %q: %q", want, r.stderr)
		}
	}
	if _, err := os.Stat(filepath.Join(other, "vault")); err == nil {
		t.Error("a failed import created the vault")
	}
	// Two files of one import in one transaction.
	r = vmfa(t, other, "", []string{pw, "VMFA_IMPORT_PASSPHRASE=testtest"}, "import",
		exportFile(t, "encrypted/authy_encrypted.xml"), exportFile(t, "battle_net_authenticator.xml"))
	expect(t, r, 0, "Added Deno:Mason\nAdded SPDX:James\nAdded Airbnb:Elijah\nAdded Battle.net:US-2211-2050-3346\n", "")
}

func TestImportFormats(t *testing.T) {
	parallel(t)
	dir := t.TempDir()
	plain := exportFile(t, "plain.txt")
	expect(t, vmfa(t, dir, "", []string{pw}, "import", "--format", "winauth", plain), 0, "Added Mason:WinAuth\n", "")
	if r := vmfa(t, dir, "", []string{pw}, "import", "--format", "nope", plain); r.code != 2 || !strings.Contains(r.stderr, "unknown format \"nope\": use one of uri, winauth, aegis") {
		t.Errorf("--format nope: %+v", r)
	}
	if r := vmfa(t, dir, "", []string{pw}, "import"); r.code != 2 {
		t.Errorf("import without a file exited %d", r.code)
	}
	expect(t, vmfa(t, dir, "", []string{pw}, "import", qrImage("screenshot-1x.png")), 1, "", "the file is an image: add the QR codes in it with 'vmfa add FILE'")
	// --format overrides detection, and a file that is not that format says so.
	expect(t, vmfa(t, dir, "", []string{pw}, "import", "--format", "aegis", plain), 1, "", "plain.txt: Aegis vault: not valid JSON")
	r := vmfa(t, dir, "", []string{pw}, "import", "--help")
	for _, f := range []string{"google-authenticator-db", "totp-authenticator", "VMFA_IMPORT_PASSPHRASE"} {
		if !strings.Contains(r.stdout, f) {
			t.Errorf("--help lacks %q", f)
		}
	}
	expect(t, vmfa(t, dir, "", []string{pw}, "__complete", "import", "--format", "aut"), 0, "authy\tAuthy", "")
}

func TestImportUnsupported(t *testing.T) {
	parallel(t)
	dir := t.TempDir()
	file := filepath.Join(dir, "aegis.json")
	entry := func(typ, name, algo string) string {
		return `{"type":"` + typ + `","name":"` + name + `","issuer":"Bank","info":{"secret":"` + v1Secret + name + `","algo":"` + algo + `","digits":6,"period":30}}`
	}
	vaultJSON := `{"version":1,"header":{"slots":null,"params":null},"db":{"version":3,"entries":[` +
		entry("totp", "ALICE", "SHA1") + "," + entry("motp", "CAROL", "MD5") + "," + entry("totp", "DAVE", "MD5") + `]}}`
	if err := os.WriteFile(file, []byte(vaultJSON), 0o600); err != nil {
		t.Fatal(err)
	}
	r := vmfa(t, dir, "", []string{pw}, "import", file)
	expect(t, r, 1, "", "aegis.json: 2 account(s) of a kind vmfa cannot generate codes for: Bank:CAROL (mOTP), Bank:DAVE (the MD5 algorithm); --skip-unsupported imports the others\n")
	if _, err := os.Stat(filepath.Join(dir, "vault")); err == nil {
		t.Error("a refused import created the vault")
	}
	r = vmfa(t, dir, "", []string{pw}, "import", "--skip-unsupported", file)
	expect(t, r, 0, "Added Bank:ALICE\n", "Skipped Bank:CAROL (mOTP): vmfa cannot generate its codes\nSkipped Bank:DAVE (the MD5 algorithm)")
	noImportSecrets(t, r)

	// An invalid secret is not "unsupported": the file is refused.
	bad := strings.Replace(vaultJSON, v1Secret+"ALICE", "not*base32", 1)
	os.WriteFile(file, []byte(bad), 0o600)
	expect(t, vmfa(t, dir, "", []string{pw}, "import", "--skip-unsupported", file), 1, "", "account 1 (Bank:ALICE): secret is not valid base32")
}

// The password of an encrypted export is asked on the terminal, without
// echo, and asked again when it is wrong. The terminal is tmux's, with a
// server of the test's own.
func TestImportPasswordPrompt(t *testing.T) {
	parallel(t)
	testenv.Tool(t, "tmux")
	dir := t.TempDir()
	enc := exportFile(t, "encrypted/authy_encrypted.xml")
	socket := fmt.Sprintf("vmfa-import-%d", os.Getpid())
	tmux := func(args ...string) string {
		t.Helper()
		out, err := exec.Command("tmux", append([]string{"-L", socket, "-f", "/dev/null"}, args...)...).CombinedOutput()
		if err != nil {
			t.Fatalf("tmux %v: %v: %s", args, err, out)
		}
		return string(out)
	}
	waitFor := func(want string) string {
		t.Helper()
		for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(50 * time.Millisecond) {
			scr := tmux("capture-pane", "-p", "-t", "imp")
			if strings.Contains(scr, want) {
				return scr
			}
			if time.Now().After(deadline) {
				t.Fatalf("the screen never showed %q:\n%s", want, scr)
			}
		}
	}
	args := []string{"new-session", "-d", "-s", "imp", "-x", "120", "-y", "30"}
	for _, kv := range testenv.Env(t, dir, pw) {
		args = append(args, "-e", kv)
	}
	tmux(append(args, "sh")...)
	t.Cleanup(func() { exec.Command("tmux", "-L", socket, "kill-server").Run() })
	tmux("send-keys", "-t", "imp", vmfaBin+" import "+enc+"; echo EXIT=$?", "Enter")
	waitFor("Password of " + enc)
	tmux("send-keys", "-t", "imp", "-l", "wrongpass")
	tmux("send-keys", "-t", "imp", "Enter")
	waitFor("Wrong password, try again.")
	tmux("send-keys", "-t", "imp", "-l", "testtest")
	tmux("send-keys", "-t", "imp", "Enter")
	scr := waitFor("EXIT=0")
	if !strings.Contains(scr, "Added Airbnb:Elijah") || strings.Contains(scr, "testtest") || strings.Contains(scr, "wrongpass") {
		t.Fatalf("screen:\n%s", scr)
	}
}
