package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/vmfa/vmfa/internal/testenv"
)

// Terminal controls from outside (an export, a URI, an SSH key's comment,
// a server's answer) reach the terminal written out, never raw: the repros
// of issue 19, item 7, through the built program.

// hostileOSC sets the terminal's title and clears the screen.
const hostileOSC = "\x1b]0;PWNED\a\x1b[2J"

// rawControls lists the terminal controls found raw in s: ESC, BEL, DEL and
// C1 (CSI, OSC, ST…) as characters, and bytes that are not UTF-8 (0x9b is
// CSI to a terminal in an 8-bit mode).
func rawControls(s string) []string {
	var found []string
	for i, r := range s {
		switch {
		case r == utf8.RuneError && !strings.HasPrefix(s[i:], "\ufffd"):
			found = append(found, fmt.Sprintf("byte %#x", s[i]))
		case r == 0x1b || r == '\a' || r == 0x7f || 0x80 <= r && r <= 0x9f:
			found = append(found, fmt.Sprintf("%U", r))
		}
	}
	return found
}

// noRawControls fails if a control reached stdout or stderr raw, or if
// stderr does not show want, the visible form of what was there.
func noRawControls(t *testing.T, what string, r result, want string) {
	t.Helper()
	if found := rawControls(r.stdout + r.stderr); len(found) > 0 {
		t.Errorf("%s: %s raw on the terminal: stdout %q, stderr %q", what, strings.Join(found, ", "), r.stdout, r.stderr)
	}
	if !strings.Contains(r.stderr+r.stdout, want) {
		t.Errorf("%s: stdout %q, stderr %q; want %q shown", what, r.stdout, r.stderr, want)
	}
}

func writeFile(t *testing.T, path, text string) string {
	t.Helper()
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// jsonString is s as a JSON string.
func jsonString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// aegisExport is a plain Aegis export of one TOTP account.
func aegisExport(issuer, name, algo string) string {
	return fmt.Sprintf(`{"version":1,"header":{"slots":null,"params":null},"db":{"version":1,"entries":[
{"type":"totp","uuid":"3ae6f1ad-2e65-4ed2-a953-1ec0dff2386d","name":%s,"issuer":%s,"icon":null,
"info":{"secret":"4SJHB4GSD43FZBAI7C2HLRJGPQ","algo":%s,"digits":6,"period":30}}]}}`, jsonString(name), jsonString(issuer), jsonString(algo))
}

// twoFASExport is a plain 2FAS backup (schema 4) of one TOTP account.
func twoFASExport(issuer, name, algorithm string) string {
	return fmt.Sprintf(`{"schemaVersion":4,"services":[{"name":%s,"secret":"4SJHB4GSD43FZBAI7C2HLRJGPQ",
"otp":{"account":%s,"digits":6,"period":30,"algorithm":%s,"tokenType":"TOTP"}}]}`, jsonString(issuer), jsonString(name), jsonString(algorithm))
}

// The unsupported-algorithm message, from a URI list, an Aegis export's
// algo and a 2FAS backup's algorithm, refused and with --skip-unsupported.
func TestImportAlgorithmControlsEscaped(t *testing.T) {
	parallel(t)
	dir := t.TempDir()
	files := map[string]string{
		"uri": writeFile(t, filepath.Join(dir, "uris.txt"),
			"otpauth://totp/Deno:Mason?secret=4SJHB4GSD43FZBAI7C2HLRJGPQ&algorithm=%1B%5D0%3BPWNED%07%1B%5B2J\n"),
		"aegis": writeFile(t, filepath.Join(dir, "aegis.json"), aegisExport("Deno", "Mason", hostileOSC)),
		"2fas":  writeFile(t, filepath.Join(dir, "backup.2fas"), twoFASExport("Deno", "Mason", hostileOSC)),
	}
	for name, file := range files {
		r := vmfa(t, dir, "", []string{pw}, "import", file)
		if r.code != 1 {
			t.Errorf("%s: exit %d, stderr %q; want 1", name, r.code, r.stderr)
		}
		noRawControls(t, name, r, `\x1b]0;PWNED\x07\x1b[2J`)
		r = vmfa(t, dir, "", []string{pw}, "import", "--skip-unsupported", file)
		noRawControls(t, name+" --skip-unsupported", r, `Skipped Deno:Mason (the \x1b]0;PWNED\x07\x1b[2J algorithm)`)
	}
}

// A label holding controls in the messages that name the account: refused
// (the name has a control character) and skipped (an unsupported
// algorithm); and a file name holding C1 controls, as characters and as
// raw bytes, in the messages that name the file.
func TestImportLabelControlsEscaped(t *testing.T) {
	parallel(t)
	dir := t.TempDir()
	for _, c := range []struct {
		name, file, text, want string
		skipWant               string // with --skip-unsupported, if not ""
	}{
		{"refused, C1 CSI", "csi.json", aegisExport("Deno", "\u009b2J", "SHA1"), `Deno:\u009b2J`, ""},
		{"refused, C1 OSC", "osc.2fas", twoFASExport("\u009d0;PWNED\u009c", "Mason", "SHA1"), `\u009d0;PWNED\u009c:Mason`, ""},
		{"refused, ESC", "esc.json", aegisExport(hostileOSC, "Mason", "SHA1"), `\x1b]0;PWNED\x07\x1b[2J:Mason`, ""},
		{"skipped, C1 CSI", "skip.json", aegisExport("Deno", "\u009b2J", "MD5"), `Deno:\u009b2J (the MD5 algorithm)`,
			`Skipped Deno:\u009b2J (the MD5 algorithm)`},
		{"file name, raw bytes 0x9b 0x9d", "export\x9b2J\x9d0;PWNED\x9c.txt", "not an export", `export\x9b2J\x9d0;PWNED\x9c.txt: unrecognized file`, ""},
		{"file name, C1", "export\u009b2J.txt", "not an export", `export\u009b2J.txt: unrecognized file`, ""},
		{"file name, imported", "\x9b2J.txt", "otpauth://totp/Deno:Mason?secret=4SJHB4GSD43FZBAI7C2HLRJGPQ\notpauth://totp/Other:x?secret=GEZDGNBVGY3TQOJQ&algorithm=MD5\n",
			`\x9b2J.txt: 1 account(s) of a kind`, `\x9b2J.txt: 1 imported`},
	} {
		file := writeFile(t, filepath.Join(dir, c.file), c.text)
		r := vmfa(t, dir, "", []string{pw}, "import", file)
		if r.code != 1 {
			t.Errorf("%s: exit %d, stderr %q; want 1", c.name, r.code, r.stderr)
		}
		noRawControls(t, c.name, r, c.want)
		if c.skipWant != "" {
			r = vmfa(t, dir, "", []string{pw}, "import", "--skip-unsupported", file)
			noRawControls(t, c.name+" --skip-unsupported", r, c.skipWant)
		}
	}
}

// An SSH public key whose comment holds terminal controls is refused by
// recipients add; one already in a vault (added before that refusal) is
// listed written out.
func TestRecipientsCommentControls(t *testing.T) {
	parallel(t)
	dir := t.TempDir()
	vaultWithAWS(t, dir)
	key := sshKeygen(t, t.TempDir(), "laptop", "ed25519", "")
	pub, err := os.ReadFile(key + ".pub")
	if err != nil {
		t.Fatal(err)
	}
	fields := strings.Fields(string(pub))
	hostile := fields[0] + " " + fields[1] + " alice@laptop" + hostileOSC + "\u009b2J\n"
	hostilePub := writeFile(t, filepath.Join(dir, "hostile.pub"), hostile)

	before := snapshot(t, dir)
	r := vmfa(t, dir, "", []string{pw}, "recipients", "add", "laptop", hostilePub)
	oneLineError(t, r, "comment")
	noRawControls(t, "recipients add", r, "control character")
	r = vmfa(t, dir, hostile, []string{pw}, "recipients", "add", "laptop", "-")
	oneLineError(t, r, "comment")
	sameSnapshot(t, before, snapshot(t, dir))

	// As an older vmfa would have kept it.
	expect(t, vmfa(t, dir, "", []string{pw}, "recipients", "add", "laptop", key+".pub"), 0, "", "Added laptop")
	writeFile(t, filepath.Join(dir, "vault", "recipients", "laptop.pub"), hostile)
	r = vmfa(t, dir, "", nil, "recipients", "list")
	noRawControls(t, "recipients list", r, `alice@laptop\x1b]0;PWNED\x07\x1b[2J\u009b2J`)
	r = vmfa(t, dir, "", nil, "recipients", "list", "--json")
	noRawControls(t, "recipients list --json", r, `alice@laptop\u001b]0;PWNED\u0007\u001b[2J\u009b2J`)
}

// An STS error whose message holds C1 controls.
func TestSTSErrorControlsEscaped(t *testing.T) {
	parallel(t)
	s := newAWS(t)
	sts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/xml")
		w.WriteHeader(http.StatusForbidden)
		fmt.Fprint(w, `<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type>`+
			"<Code>Denied\u009b2J</Code><Message>no\u009b2J\u009d0;PWNED\u009c way</Message></Error><RequestId>1</RequestId></ErrorResponse>")
	}))
	defer sts.Close()
	r := s.vmfa(t, []string{"AWS_ENDPOINT_URL_STS=" + sts.URL}, "aws", "credentials", "--profile", "base")
	if r.code != 1 {
		t.Errorf("exit %d, stderr %q; want 1", r.code, r.stderr)
	}
	noRawControls(t, "aws credentials", r, `Denied\u009b2J: no\u009b2J\u009d0;PWNED\u009c way`)
}

// The front end names its own path when it cannot find vmfa-full: a
// directory name holding controls is written out.
func TestFrontEndControlsEscaped(t *testing.T) {
	parallel(t)
	dir := t.TempDir()
	b, err := os.ReadFile(vmfaBin)
	if err != nil {
		t.Fatal(err)
	}
	hostileDir := filepath.Join(t.TempDir(), "d"+hostileOSC+"\u009b2J\x9d")
	if err := os.Mkdir(hostileDir, 0o700); err != nil {
		t.Fatal(err)
	}
	front := testenv.WriteExecutable(t, filepath.Join(hostileDir, "vmfa"), b, 0o755)
	r := runBin(t, front, dir, "", []string{"VMFA_AGENT=off"}, "list")
	if r.code != 1 {
		t.Errorf("exit %d, stderr %q; want 1", r.code, r.stderr)
	}
	if found := rawControls(r.stdout + r.stderr); len(found) > 0 {
		t.Errorf("%s raw on the terminal: stderr %q", strings.Join(found, ", "), r.stderr)
	}
}
