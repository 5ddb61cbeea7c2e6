package exporter

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/vmfa/vmfa/internal/intake"
	"github.com/vmfa/vmfa/internal/testenv"
	"github.com/vmfa/vmfa/otp"
	"github.com/vmfa/vmfa/otp/qr"
)

// bigExport is 23 accounts Google Authenticator can hold: three QR codes,
// the first two full.
func bigExport() []otp.Account {
	var many []otp.Account
	for i := range 23 {
		a := accountsOfEveryKind[i%2] // GitHub's short secret, AWS's long one
		a.Name = "user" + string(rune('A'+i)) + "@example.com"
		a.Secret = a.Secret[:len(a.Secret)-8] + strings.Repeat(string(rune('A'+i)), 8)
		many = append(many, a)
	}
	return many
}

// TestGooglePNGs draws the export QR codes as PNG files, then reads them
// back with the project's decoder and with zbarimg, an independent one.
func TestGooglePNGs(t *testing.T) {
	zbarimg := testenv.Tool(t, "zbarimg")
	want := bigExport()
	uris, _, err := Google(entriesOf(want), Random)
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "qr")
	if err := MakePrivateDir(dir); err != nil {
		t.Fatal(err)
	}
	var ours, theirs []string
	for i, uri := range uris {
		data, err := PNG(uri)
		if err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(dir, string(rune('1'+i))+".png")
		if err := WriteFile(path, data, false); err != nil {
			t.Fatal(err)
		}
		texts, err := qr.Decode(bytes.NewReader(data))
		if err != nil || len(texts) != 1 {
			t.Fatalf("QR code %d: our decoder read %d texts, %v", i+1, len(texts), err)
		}
		ours = append(ours, texts[0])
		out, err := exec.Command(zbarimg, "--quiet", "--raw", "-Sbinary", path).Output()
		if err != nil {
			t.Fatalf("zbarimg %s: %v", path, err)
		}
		theirs = append(theirs, strings.TrimSpace(string(out)))
	}
	for name, texts := range map[string][]string{"vmfa's decoder": ours, "zbarimg": theirs} {
		u, err := intake.QRUnit(name, texts)
		got := u.Accounts
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		sameAccounts(t, name, got, want)
	}
	for _, path := range []string{dir, filepath.Join(dir, "1.png")} {
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if perm := fi.Mode().Perm(); perm&0o077 != 0 {
			t.Errorf("%s has mode %04o: others can read it", path, perm)
		}
	}
}

func TestWriteFileRefusesToReplace(t *testing.T) {
	path := filepath.Join(t.TempDir(), "export.txt")
	if err := os.WriteFile(path, []byte("old"), 0o600); err != nil {
		t.Fatal(err)
	}
	err := WriteFile(path, []byte("new"), false)
	var exists *ExistsError
	if !errors.As(err, &exists) || exists.Path != path || !strings.Contains(err.Error(), "already exists") || strings.Contains(err.Error(), "\n") {
		t.Errorf("WriteFile over a file = %v", err)
	}
	if b, _ := os.ReadFile(path); string(b) != "old" {
		t.Errorf("the old file holds %q", b)
	}
	if err := WriteFile(path, []byte("new"), true); err != nil {
		t.Fatal(err)
	}
	fi, _ := os.Stat(path)
	if b, _ := os.ReadFile(path); string(b) != "new" || fi.Mode().Perm() != 0o600 {
		t.Errorf("with force: %q, mode %04o", b, fi.Mode().Perm())
	}
	open := t.TempDir()
	os.Chmod(open, 0o755)
	if err := MakePrivateDir(open); err == nil || !strings.Contains(err.Error(), "chmod 700") {
		t.Errorf("MakePrivateDir of a directory others can read = %v", err)
	}
}

// OtherPNGs lists only regular files named as an export's QR codes, other
// than the new export's own.
func TestOtherPNGs(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{PNGName(1, 3), PNGName(3, 3), PNGName(1, 2), PNGName(12, 12),
		"google-authenticator-4-of-3.png", "google-authenticator-0-of-3.png", "google-authenticator-01-of-3.png",
		"google-authenticator-1-of-3.png.bak", "x-google-authenticator-1-of-3.png", "notes.txt"} {
		if err := os.WriteFile(filepath.Join(dir, name), nil, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	os.Mkdir(filepath.Join(dir, PNGName(2, 3)), 0o700)
	os.Symlink(filepath.Join(dir, "notes.txt"), filepath.Join(dir, PNGName(1, 4)))
	got, err := OtherPNGs(dir, []string{PNGName(1, 2), PNGName(2, 2)})
	want := []string{filepath.Join(dir, PNGName(1, 3)), filepath.Join(dir, PNGName(12, 12)), filepath.Join(dir, PNGName(3, 3))}
	if err != nil || !slices.Equal(got, want) {
		t.Fatalf("OtherPNGs = %q, %v; want %q", got, err, want)
	}
	if _, err := OtherPNGs(filepath.Join(dir, "nosuch"), nil); err == nil {
		t.Fatal("no error for a directory that does not exist")
	}
}

// The command MakePrivateDir advises runs as it reads on a shell: a
// directory with a space is quoted.
func TestMakePrivateDirAdviceQuoted(t *testing.T) {
	open := filepath.Join(t.TempDir(), "my qr")
	if err := os.Mkdir(open, 0o755); err != nil {
		t.Fatal(err)
	}
	os.Chmod(open, 0o755)
	if err := MakePrivateDir(open); err == nil || !strings.Contains(err.Error(), "run chmod 700 '"+open+"', or") {
		t.Errorf("MakePrivateDir of a directory others can read = %v", err)
	}
}
