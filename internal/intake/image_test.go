package intake

import (
	"errors"
	"image"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"

	"github.com/vmfa/vmfa/internal/testenv"
	"github.com/vmfa/vmfa/otp/qr"
)

func TestCleanPath(t *testing.T) {
	dir := t.TempDir()
	spaced := filepath.Join(dir, "Screen Shot 1.png")
	if err := os.WriteFile(spaced, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	for in, want := range map[string]string{
		spaced:                                spaced, // exists as given
		"'" + spaced + "'":                    spaced, // GNOME Terminal, iTerm2
		`"` + spaced + `"`:                    spaced,
		strings.ReplaceAll(spaced, " ", `\ `): spaced, // macOS Terminal, kitty
		"  " + strings.ReplaceAll(spaced, " ", `\ `):       spaced,
		"file://" + strings.ReplaceAll(spaced, " ", "%20"): spaced,       // some file managers
		strings.ReplaceAll(spaced, " ", `\ `) + `\`:        spaced + `\`, // a backslash last escapes nothing
		`''`: "", // an empty path, quoted
		`'`:  `'`,
	} {
		if got := CleanPath(in); got != want {
			t.Errorf("CleanPath(%q) = %q, want %q", in, got, want)
		}
	}
	if home, err := os.UserHomeDir(); err == nil {
		if got := CleanPath("~/x.png"); got != filepath.Join(home, "x.png") {
			t.Errorf("CleanPath(~/x.png) = %q", got)
		}
	}
}

func TestReadImageFile(t *testing.T) {
	texts, err := ReadImageFile(filepath.Join("..", "..", "otp", "qr", "testdata", "screenshot-1x.png"))
	if err != nil || len(texts) != 1 || !strings.HasPrefix(texts[0], "otpauth://totp/Amazon%20Web%20Services:alice@123456789012?") {
		t.Fatalf("Decode = %q, %v", texts, err)
	}
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{fifo, dir, "/dev/zero"} {
		if _, err := ReadImageFile(p); err == nil || err.Error() != p+": not a regular file" {
			t.Errorf("ReadImageFile(%s) = %v", p, err)
		}
	}
	missing := filepath.Join(dir, "missing.png")
	if _, err := ReadImageFile(missing); !errors.Is(err, fs.ErrNotExist) || err.Error() != missing+": no such file or directory" {
		t.Errorf("Decode of a missing file = %v", err)
	}
}

// TestReadImage decodes an image held in memory, as the clipboard gives
// it, and names its source in errors.
func TestReadImage(t *testing.T) {
	t.Parallel()
	texts, err := ReadImage("clipboard image", testenv.QRPNG(t, githubURI, 300))
	if err != nil || len(texts) != 1 || texts[0] != githubURI {
		t.Fatalf("ReadImage = %q, %v", texts, err)
	}
	if _, err := ReadImage("clipboard image", []byte("hello")); !errors.Is(err, qr.ErrNotImage) || !strings.HasPrefix(err.Error(), "clipboard image: ") {
		t.Errorf("ReadImage of text = %v", err)
	}
	blank := testenv.PNG(t, image.NewGray(image.Rect(0, 0, 200, 200)))
	if _, err := ReadImage("clipboard image", blank); !errors.Is(err, qr.ErrNoQRCode) || err.Error() != "clipboard image: no QR code found" {
		t.Errorf("ReadImage of a blank picture = %v", err)
	}
}

// TestReadImageFiles reads real images: each image a unit, an export split
// over two images pooled into one, a bad image reported by name without
// holding back the others, and paths as terminals drop them.
func TestReadImageFiles(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	uris := migrationURIs(t)
	gh := testenv.WriteQR(t, filepath.Join(dir, "Screen Shot 1.png"), githubURI, 300)
	part1 := testenv.WriteQR(t, filepath.Join(dir, "part1.png"), uris["jc_1of3"], 600)
	part2 := testenv.WriteQR(t, filepath.Join(dir, "part2.png"), uris["jc_2of3"], 600)
	part3 := testenv.WriteQR(t, filepath.Join(dir, "part3.png"), uris["jc_3of3"], 600)
	link := testenv.WriteQR(t, filepath.Join(dir, "link.png"), "https://example.com/login", 300)
	missing := filepath.Join(dir, "missing.png")

	var read []string
	decode := func(path string) ([]string, error) { read = append(read, path); return ReadImageFile(path) }
	units, errs := ReadImageFiles([]string{part3, "'" + gh + "'", link, part1, missing, "file://" + part2}, decode)
	if !slices.Equal(read, []string{part3, gh, link, part1, missing, part2}) {
		t.Errorf("read %q", read)
	}
	if len(units) != 2 || units[0].Source != gh || units[0].Accounts[0].Issuer != "GitHub" ||
		units[1].Source != part3+", "+part1+", "+part2 || len(units[1].Accounts) != 22 {
		t.Fatalf("units %+v", units)
	}
	if len(errs) != 2 || errs[0].Error() != link+": QR code holds https://example.com/…, not an otpauth:// URI" ||
		!errors.Is(errs[1], fs.ErrNotExist) || !strings.HasPrefix(errs[1].Error(), missing+": ") {
		t.Errorf("errors %v", errs)
	}

	// Two images of three: the export's accounts are left out, said why.
	units, errs = ReadImageFiles([]string{gh, part1, part3}, ReadImageFile)
	if len(units) != 1 || len(errs) != 1 || errs[0].Error() != part1+", "+part3+": Google Authenticator export is incomplete: QR 2 of 3 missing; scan every QR code the export shows" {
		t.Errorf("an incomplete export: %+v, %v", units, errs)
	}
}

// TestQRUnit: the QR codes of one image as the units it is added as, or as
// one, with the corpus's picture of a Google Authenticator export.
func TestQRUnit(t *testing.T) {
	t.Parallel()
	export := testenv.SharedCorpus(t, "migration/scito/example_export.png")
	texts, err := ReadImageFile(export)
	if err != nil {
		t.Fatal(err)
	}
	u, err := QRUnit(export, texts)
	if err != nil || u.Source != export || len(u.Accounts) != 3 || u.Accounts[0].Label() != "Test1:test1@example1.com" {
		t.Fatalf("QRUnit = %+v, %v", u, err)
	}
	// An export of one QR code holds accounts of the image's own; the
	// parts of one of several make a unit apart.
	uris := migrationURIs(t)
	both := append([]string{githubURI, uris["jc_2of3"], uris["jc_1of3"], uris["jc_3of3"]}, texts...)
	units, err := QRUnits("shot.png", both)
	if err != nil || len(units) != 2 || units[0].Source != "shot.png" || len(units[0].Accounts) != 4 || units[1].Source != "shot.png" || len(units[1].Accounts) != 22 {
		t.Fatalf("QRUnits = %+v, %v", units, err)
	}
	if u, err := QRUnit("shot.png", both); err != nil || u.Source != "shot.png" || len(u.Accounts) != 26 || u.Accounts[4].Issuer != "ACME" {
		t.Fatalf("QRUnit of both = %+v, %v", u, err)
	}
	if _, err := QRUnit("shot.png", []string{githubURI, "hunter2"}); err == nil || err.Error() != "shot.png: QR code holds text of 7 characters, not an otpauth:// URI" {
		t.Errorf("QRUnit with a code that is no URI = %v", err)
	}
	if _, err := QRUnits("shot.png", []string{uris["jc_1of3"]}); err == nil || !strings.Contains(err.Error(), "shot.png: Google Authenticator export is incomplete") {
		t.Errorf("QRUnits of a part = %v", err)
	}
}

// TestReadScreen reads the OTP codes of every screen a capture gives,
// leaving other codes out.
func TestReadScreen(t *testing.T) {
	t.Parallel()
	screens := []image.Image{testenv.QRImage(t, "https://example.com/login", 300), testenv.QRImage(t, githubURI, 300)}
	texts, err := ReadScreen(func() ([]image.Image, error) { return screens, nil })
	if err != nil || !slices.Equal(texts, []string{githubURI}) {
		t.Fatalf("ReadScreen = %q, %v", texts, err)
	}
	units, err := QRUnits(ScreenSource, texts)
	if err != nil || len(units) != 1 || units[0].Source != "the screen" {
		t.Fatalf("the screen's units: %+v, %v", units, err)
	}
	blank := image.NewGray(image.Rect(0, 0, 200, 200))
	if _, err := ReadScreen(func() ([]image.Image, error) { return []image.Image{blank}, nil }); !errors.Is(err, qr.ErrNoQRCode) {
		t.Errorf("ReadScreen of a blank screen = %v", err)
	}
}
