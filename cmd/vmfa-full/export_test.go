package main

import (
	"encoding/base32"
	"fmt"
	"image"
	"image/color"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/vmfa/vmfa/internal/intake"
	"github.com/vmfa/vmfa/internal/testenv"
	"github.com/vmfa/vmfa/otp"
	"github.com/vmfa/vmfa/otp/qr"
	"github.com/vmfa/vmfa/vault"
)

// vmfa export, end to end: every format goes to a file or a pipe, and a
// fresh vault that imports it holds the same accounts, field for field.

// exportURIs are accounts of every type; Steam's and the 8-digit SHA256 one
// are what Google Authenticator cannot hold.
var exportURIs = []string{
	githubURI,
	githubURI2,
	"otpauth://hotp/Issuu:James?secret=YOOMIXWS5GN6RTBPUFFWKTW5M4&issuer=Issuu&counter=10299",
	"otpauth://steam/Steam:gaben?secret=JRZCL47CMXVOQMNPZR2F7J4RGI&issuer=Steam",
	"otpauth://totp/Airbnb:Elijah?secret=7ELGJSGXNCCTV3O6LKJWYFV2RA&issuer=Airbnb&algorithm=SHA512&digits=7&period=50",
}

// exportVault makes a vault holding exportURIs.
func exportVault(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	vaultOf(t, dir, exportURIs...)
	return dir
}

// vaultAccounts returns the accounts of the vault in dir, secrets included,
// through vmfa's own JSON export.
func vaultAccounts(t *testing.T, dir string) []otp.Account {
	t.Helper()
	r := vmfa(t, dir, "", []string{pw}, "export", "--format", "json")
	expect(t, r, 0, `"accounts"`, "")
	d, err := vault.ParseJSON([]byte(r.stdout))
	if err != nil {
		t.Fatal(err)
	}
	var accounts []otp.Account
	for _, e := range d.Accounts {
		accounts = append(accounts, e.Account)
	}
	return accounts
}

func TestExportImportRoundTrips(t *testing.T) {
	parallel(t)
	src := exportVault(t)
	want := vaultAccounts(t, src)
	if len(want) != len(exportURIs) {
		t.Fatalf("the vault holds %d accounts", len(want))
	}
	var googleFit []otp.Account
	for _, a := range want {
		if a.MigrationUnfit() == "" {
			googleFit = append(googleFit, a)
		}
	}
	for _, tc := range []struct {
		format string
		flags  []string
		want   []otp.Account
	}{
		{"uri", nil, want},
		{"json", nil, want},
		{"aegis", nil, want},
		{"aegis", []string{"--encrypt"}, want},
		{"google", nil, googleFit},
	} {
		name := strings.Join(append([]string{tc.format}, tc.flags...), " ")
		out := filepath.Join(t.TempDir(), "export")
		args := append([]string{"export", "--format", tc.format, "--output", out}, tc.flags...)
		r := vmfa(t, src, "", []string{pw, "VMFA_EXPORT_PASSPHRASE=phone password"}, args...)
		expect(t, r, 0, "", "Exported 5 account(s) to "+out)
		if tc.format == "google" && (!strings.Contains(r.stderr, "Left out Steam:gaben: Google Authenticator cannot hold Steam Guard accounts") ||
			!strings.Contains(r.stderr, "Left out GitHub:bob: Google Authenticator cannot hold 8-digit codes")) {
			t.Errorf("google: stderr %q does not name the accounts left out", r.stderr)
		}
		if fi, err := os.Stat(out); err != nil || fi.Mode().Perm() != 0o600 {
			t.Fatalf("%s: the export's mode: %v %v", name, fi.Mode(), err)
		}
		data, _ := os.ReadFile(out)
		for _, a := range want {
			if tc.flags != nil && strings.Contains(string(data), a.Secret) {
				t.Errorf("%s: a secret is in the clear", name)
			}
		}
		dst := t.TempDir()
		r = vmfa(t, dst, "", []string{pw, "VMFA_IMPORT_PASSPHRASE=phone password"}, "import", out)
		expect(t, r, 0, "", "imported, 0 already in the vault")
		if got := vaultAccounts(t, dst); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s: the import holds\n%+v\nwant\n%+v", name, got, tc.want)
		}
	}
}

// A subset: each QUERY designates one account, as with 'vmfa code'.
func TestExportQueries(t *testing.T) {
	parallel(t)
	dir := exportVault(t)
	r := vmfa(t, dir, "", []string{pw}, "export", "--format", "uri", "steam", "issuu")
	expect(t, r, 0, "otpauth://hotp/Issuu:James?secret=YOOMIXWS5GN6RTBPUFFWKTW5M4&issuer=Issuu&counter=10299\notpauth://steam/Steam:gaben?", "")
	if n := strings.Count(r.stdout, "\n"); n != 2 {
		t.Errorf("%d lines for two queries", n)
	}
	expect(t, vmfa(t, dir, "", []string{pw}, "export", "--format", "uri", "github"), 1, "", `"github" matches 2 accounts`)
	expect(t, vmfa(t, dir, "", []string{pw}, "export", "--format", "uri", "nothing"), 1, "", `no account matches "nothing"`)
}

// Refusals: one line each, and nothing written.
func TestExportRefusals(t *testing.T) {
	parallel(t)
	dir := exportVault(t)
	existing := filepath.Join(t.TempDir(), "old.txt")
	os.WriteFile(existing, []byte("keep me"), 0o600)
	for _, tc := range []struct {
		args   []string
		code   int
		stderr string
	}{
		{[]string{"export", "--format", "pdf"}, 2, `vmfa: unknown export format "pdf": use one of uri, aegis, google, json`},
		{[]string{"export"}, 2, "vmfa: --format is required"},
		{[]string{"export", "--format", "uri", "--encrypt"}, 2, "vmfa: --encrypt is for --format aegis"},
		{[]string{"export", "--format", "uri", "--png", t.TempDir()}, 2, "vmfa: --png is for --format google"},
		{[]string{"export", "--format", "uri", "--output", existing}, 1, "vmfa: " + existing + " already exists: choose another name, or --force to replace it"},
		{[]string{"export", "--format", "aegis", "--encrypt"}, 1, "set VMFA_EXPORT_PASSPHRASE"},
	} {
		r := vmfa(t, dir, "", []string{pw}, tc.args...)
		expect(t, r, tc.code, "", tc.stderr)
		if r.stdout != "" || strings.Count(r.stderr, "\n") > 2 {
			t.Errorf("%v: stdout %q, stderr %q", tc.args, r.stdout, r.stderr)
		}
	}
	if b, _ := os.ReadFile(existing); string(b) != "keep me" {
		t.Errorf("the existing file holds %q", b)
	}
	expect(t, vmfa(t, dir, "", []string{pw}, "export", "--format", "uri", "--output", existing, "--force"), 0, "", "Exported 5")
	if b, _ := os.ReadFile(existing); !strings.HasPrefix(string(b), "otpauth://") {
		t.Errorf("--force left %q", b)
	}
	// On a terminal, secrets are not printed.
	term := onTerminal(t, dir, []string{pw}, false, nil, "export", "--format", "uri")
	code, screen := term.Wait()
	if code != 2 || !strings.Contains(screen, "vmfa: refusing to print secrets on the terminal: use --output FILE, or a pipe") || strings.Contains(screen, "otpauth") {
		t.Errorf("exit %d, terminal %q", code, screen)
	}
}

// Google Authenticator's QR codes, shown on the terminal one by one: the
// blocks drawn are painted back into pixels and read with vmfa's decoder.
func TestExportGoogleOnTerminal(t *testing.T) {
	parallel(t)
	dir := exportVault(t)
	term := onTerminal(t, dir, []string{pw}, false, nil, "export", "--format", "google", "GitHub:alice", "issuu")
	// 100×24 is too small: a code cut or wrapped is no code.
	term.Expect("this one is 100×24: enlarge it and press Enter")
	term.Resize(50, 100)
	term.Type("\r")
	term.Expect("Google Authenticator export: QR code 1 of 1")
	term.Expect("Enter ends the export")
	term.Type("\r")
	code, screen := term.Wait()
	if code != 0 {
		t.Fatalf("exit %d: %q", code, screen)
	}
	start := strings.Index(screen, "Google Authenticator export: QR code 1 of 1")
	end := strings.Index(screen, "Scan it in Google Authenticator")
	var lines []string
	for _, l := range strings.Split(screen[start:end], "\n")[1:] {
		l = strings.TrimRight(ansiCodes.ReplaceAllString(l, ""), "\r")
		if l != "" {
			lines = append(lines, l)
		}
	}
	texts, err := qr.DecodeImage(blocksToPixels(lines))
	if err != nil {
		t.Fatalf("decoding the QR code on the terminal: %v", err)
	}
	u, err := intake.QRUnit("the terminal", texts)
	got := u.Accounts
	if err != nil || len(got) != 2 || got[0].Label() != "GitHub:alice" || got[1].Label() != "Issuu:James" || got[1].Counter != 10299 {
		t.Fatalf("the terminal's QR code holds %+v, %v", got, err)
	}
	if !strings.HasSuffix(strings.TrimSpace(screen), "Shown 1 QR code(s).") || !strings.Contains(screen[end:], "\x1b[2J") {
		t.Errorf("the QR code was not cleared from the screen: %q", screen[end:])
	}
}

// The same QR codes as PNG files, read back with zbarimg.
func TestExportGooglePNG(t *testing.T) {
	parallel(t)
	zbarimg := testenv.Tool(t, "zbarimg")
	dir := exportVault(t)
	pngs := filepath.Join(t.TempDir(), "qr")
	r := vmfa(t, dir, "", []string{pw}, "export", "--format", "google", "--png", pngs)
	expect(t, r, 0, "", "Wrote "+filepath.Join(pngs, "google-authenticator-1-of-1.png"))
	out, err := execOutput(zbarimg, "-q", "--raw", filepath.Join(pngs, "google-authenticator-1-of-1.png"))
	if err != nil {
		t.Fatal(err)
	}
	u, err := intake.QRUnit("the PNG", []string{strings.TrimSpace(out)})
	got := u.Accounts
	if err != nil || len(got) != 2 {
		t.Fatalf("zbarimg read %d accounts, %v", len(got), err)
	}
	fi, _ := os.Stat(pngs)
	if fi.Mode().Perm() != 0o700 {
		t.Errorf("the directory has mode %04o", fi.Mode().Perm())
	}
	expect(t, vmfa(t, dir, "", []string{pw}, "export", "--format", "google", "--png", pngs), 1, "", "already exists")
}

var ansiCodes = regexp.MustCompile(`\x1b\[[0-9;]*[A-Za-z]`)

// blocksToPixels paints half-block lines as a terminal does: light blocks
// on a dark background, 4 pixels a module, in a light frame.
func blocksToPixels(lines []string) image.Image {
	const px = 4
	w := len([]rune(lines[0]))
	img := image.NewGray(image.Rect(0, 0, (w+8)*px, (2*len(lines)+8)*px))
	for i := range img.Pix {
		img.Pix[i] = 0xff
	}
	for row, line := range lines {
		for x, r := range []rune(line) {
			light := [2]bool{r == '█' || r == '▀', r == '█' || r == '▄'}
			for half, l := range light {
				if l {
					continue
				}
				for dy := range px {
					for dx := range px {
						img.Set((x+4)*px+dx, (2*row+4+half)*px+dy, color.Black)
					}
				}
			}
		}
	}
	return img
}

func execOutput(name string, args ...string) (string, error) {
	out, err := exec.Command(name, args...).Output()
	return string(out), err
}

// Without VMFA_EXPORT_PASSPHRASE, --encrypt asks for the password twice on
// the terminal, without echo, and the export opens with it.
func TestExportEncryptAsksTwice(t *testing.T) {
	parallel(t)
	dir := exportVault(t)
	out := filepath.Join(t.TempDir(), "aegis.json")
	const password = "violet staple orbit canyon 42"
	term := onTerminal(t, dir, []string{pw}, false, nil, "export", "--format", "aegis", "--encrypt", "--output", out)
	term.Expect("Password for the export: ")
	term.Type(password + "\r")
	term.Expect("Repeat it: ")
	term.Type(password + "\r")
	code, screen := term.Wait()
	if code != 0 || strings.Contains(screen, password) {
		t.Fatalf("exit %d, terminal %q", code, screen)
	}
	r := vmfa(t, t.TempDir(), "", []string{pw, "VMFA_IMPORT_PASSPHRASE=" + password}, "import", out)
	expect(t, r, 0, "Added Steam:gaben", "5 imported")
}

// An export to PNG files that meets an existing one writes none: not the
// codes before it, secrets left on disk for an export that failed.
func TestExportGooglePNGWritesAllOrNone(t *testing.T) {
	parallel(t)
	dir := t.TempDir()
	var uris []string
	for i := range otp.MigrationBatchSize + 1 { // two QR codes
		uris = append(uris, fmt.Sprintf("otpauth://totp/Site%d:alice?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJ%c&issuer=Site%d", i, 'A'+i, i))
	}
	expect(t, vmfa(t, dir, strings.Join(uris, "\n"), []string{pw}, "add", "--uri"), 0, "Added", "")
	pngs := filepath.Join(t.TempDir(), "qr")
	if err := os.Mkdir(pngs, 0o700); err != nil {
		t.Fatal(err)
	}
	second := filepath.Join(pngs, "google-authenticator-2-of-2.png")
	if err := os.WriteFile(second, []byte("mine"), 0o600); err != nil {
		t.Fatal(err)
	}
	expect(t, vmfa(t, dir, "", []string{pw}, "export", "--format", "google", "--png", pngs), 1, "", second+" already exists")
	if names, _ := filepath.Glob(filepath.Join(pngs, "*")); len(names) != 1 {
		t.Errorf("the failed export left %q", names)
	}
}

// An export to PNG files in a directory that holds a larger earlier one
// (three QR codes; now two) leaves it one export: without --force it stops,
// changing nothing; with --force the earlier codes go once the new ones are
// written, and no other file is touched.
func TestExportGooglePNGReplacesEarlierExport(t *testing.T) {
	parallel(t)
	zbarimg := testenv.Tool(t, "zbarimg")
	dir := t.TempDir()
	var uris, queries []string
	for i := range 2*otp.MigrationBatchSize + 1 { // three QR codes
		secret := base32.StdEncoding.EncodeToString(fmt.Appendf(nil, "vmfa-export-secret%02d", i))
		uris = append(uris, fmt.Sprintf("otpauth://totp/Site%02d:alice?secret=%s&issuer=Site%02d", i, secret, i))
		if i <= otp.MigrationBatchSize { // two
			queries = append(queries, fmt.Sprintf("Site%02d:alice", i))
		}
	}
	expect(t, vmfa(t, dir, strings.Join(uris, "\n"), []string{pw}, "add", "--uri"), 0, "Added", "")
	pngs := filepath.Join(t.TempDir(), "qr")
	expect(t, vmfa(t, dir, "", []string{pw}, "export", "--format", "google", "--png", pngs), 0, "", "google-authenticator-3-of-3.png")
	mine := map[string]string{"notes.txt": "mine", "google-authenticator-1-of-3-copy.png": "mine", "google-authenticator-4-of-3.png": "mine",
		".notes.txt.tmp1": "mine"}
	// An export killed before renaming its last QR code into place left
	// this, an hour ago; the next export removes it, and no file of the
	// user's, however old and whatever its name.
	killed := filepath.Join(pngs, ".google-authenticator-3-of-3.png.tmp4242")
	for name, text := range mine {
		if err := os.WriteFile(filepath.Join(pngs, name), []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(killed, []byte("half a QR code"), 0o600); err != nil {
		t.Fatal(err)
	}
	hourAgo := time.Now().Add(-time.Hour)
	for _, name := range []string{".notes.txt.tmp1", filepath.Base(killed)} {
		if err := os.Chtimes(filepath.Join(pngs, name), hourAgo, hourAgo); err != nil {
			t.Fatal(err)
		}
	}
	list := func() []string {
		entries, _ := os.ReadDir(pngs)
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		return names
	}
	before := list()

	export := append([]string{"export", "--format", "google", "--png", pngs}, queries...)
	r := vmfa(t, dir, "", []string{pw}, export...)
	expect(t, r, 1, "", pngs+" holds the QR codes of an earlier export (google-authenticator-1-of-3.png, google-authenticator-2-of-3.png, google-authenticator-3-of-3.png): --force replaces them")
	if strings.Count(r.stderr, "\n") != 1 || !reflect.DeepEqual(list(), before) {
		t.Fatalf("without --force: stderr %q, the directory went from %q to %q", r.stderr, before, list())
	}

	r = vmfa(t, dir, "", []string{pw}, append(export, "--force")...)
	expect(t, r, 0, "", "Removed "+filepath.Join(pngs, "google-authenticator-3-of-3.png")+", of an earlier export")
	want := []string{".notes.txt.tmp1", "google-authenticator-1-of-2.png", "google-authenticator-1-of-3-copy.png", "google-authenticator-2-of-2.png", "google-authenticator-4-of-3.png", "notes.txt"}
	if got := list(); !reflect.DeepEqual(got, want) {
		t.Fatalf("after --force the directory holds %q, want %q", got, want)
	}
	for name, text := range mine {
		if b, _ := os.ReadFile(filepath.Join(pngs, name)); string(b) != text {
			t.Errorf("%s was changed", name)
		}
	}
	// What is left is the new export, whole: zbarimg reads its accounts,
	// from both files in one run, a line each.
	out, err := execOutput(zbarimg, "-q", "--raw", filepath.Join(pngs, "google-authenticator-1-of-2.png"), filepath.Join(pngs, "google-authenticator-2-of-2.png"))
	parts := strings.Fields(out)
	if err != nil || len(parts) != 2 {
		t.Fatalf("zbarimg read %q from the two files: %v", out, err)
	}
	u, err := intake.QRUnit("the PNGs", parts)
	read := u.Accounts
	if err != nil {
		t.Fatal(err)
	}
	if len(read) != len(queries) || read[0].Issuer != "Site00" || read[len(read)-1].Issuer != fmt.Sprintf("Site%02d", len(queries)-1) {
		t.Fatalf("zbarimg read %d accounts from the new export, want the %d asked for", len(read), len(queries))
	}
}
