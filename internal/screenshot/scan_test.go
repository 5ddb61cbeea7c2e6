package screenshot

import (
	"errors"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/vmfa/vmfa/internal/testenv"
	"github.com/vmfa/vmfa/otp/qr"
)

const (
	awsURI    = "otpauth://totp/Amazon%20Web%20Services:alice@123456789012?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&issuer=Amazon%20Web%20Services"
	githubURI = "otpauth://totp/GitHub:alice?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=GitHub"
)

// desktop is a dark screen with the images drawn at the given points.
func desktop(w, h int, at map[image.Point]image.Image) *image.RGBA {
	d := image.NewRGBA(image.Rect(0, 0, w, h))
	draw.Draw(d, d.Bounds(), image.NewUniform(image.Black), image.Point{}, draw.Src)
	for p, img := range at {
		draw.Draw(d, img.Bounds().Add(p), img, img.Bounds().Min, draw.Src)
	}
	return d
}

func captured(images ...image.Image) func() ([]image.Image, error) {
	return func() ([]image.Image, error) { return images, nil }
}

func TestScanReadsEveryScreen(t *testing.T) {
	aws := testenv.QRImage(t, awsURI, 240)
	github := testenv.QRImage(t, githubURI, 240)
	left := desktop(800, 600, map[image.Point]image.Image{{40, 300}: aws})
	right := desktop(800, 600, map[image.Point]image.Image{{500, 20}: github})
	got, err := Scan(captured(left, right))
	if err != nil || !slices.Equal(got, []string{awsURI, githubURI}) {
		t.Fatalf("Scan = %q, %v; want the code of each screen, in screen order", got, err)
	}
	// Mirrored monitors show the same code twice: it is one account.
	got, err = Scan(captured(left, left))
	if err != nil || !slices.Equal(got, []string{awsURI}) {
		t.Fatalf("mirrored: Scan = %q, %v", got, err)
	}
}

func TestScanLeavesOtherCodesOut(t *testing.T) {
	link := testenv.QRImage(t, "https://example.com/welcome", 240)
	aws := testenv.QRImage(t, awsURI, 240)
	got, err := Scan(captured(desktop(1000, 400, map[image.Point]image.Image{{20, 20}: link, {600, 20}: aws})))
	if err != nil || !slices.Equal(got, []string{awsURI}) {
		t.Fatalf("Scan = %q, %v; want only the otpauth:// code", got, err)
	}
	_, err = Scan(captured(desktop(600, 400, map[image.Point]image.Image{{20, 20}: link})))
	if err == nil || err.Error() != "no QR code on the screen holds an otpauth:// URI, only https://example.com/…" {
		t.Fatalf("a screen of a link only: %v", err)
	}
}

func TestScanErrors(t *testing.T) {
	_, err := Scan(captured(desktop(640, 480, nil), desktop(640, 480, nil)))
	if !errors.Is(err, qr.ErrNoQRCode) || err.Error() != "no QR code on the screen: show the whole code, uncovered, and try again"+noQRHint {
		t.Fatalf("empty screens: %v", err)
	}
	refused := errors.New("no screen to capture: test")
	if _, err := Scan(func() ([]image.Image, error) { return nil, refused }); err != refused {
		t.Fatalf("a failed capture: %v", err)
	}
	huge := blank{image.Rect(0, 0, 20000, 10000)} // over qr.MaxPixels
	if _, err := Scan(captured(desktop(64, 64, nil), huge)); err == nil || !strings.HasPrefix(err.Error(), "screen 1: ") {
		t.Fatalf("a screen too large: %v", err)
	}
}

// writePNG saves img for an X client to show.
func writePNG(t testing.TB, img image.Image) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "qr.png")
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := png.Encode(f, img); err != nil {
		t.Fatal(err)
	}
	return p
}

// blank is an image of any size that takes no memory.
type blank struct{ image.Rectangle }

func (blank) ColorModel() color.Model   { return color.GrayModel }
func (b blank) Bounds() image.Rectangle { return b.Rectangle }
func (blank) At(x, y int) color.Color   { return color.Black }
