package tui

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"strings"
	"testing"

	"github.com/vmfa/vmfa/otp/qr"
)

// TestRenderQRScans draws the half-block QR code back into pixels and
// decodes it: what a phone would read off the terminal.
func TestRenderQRScans(t *testing.T) {
	a := demo[0]
	if err := a.Normalize(); err != nil {
		t.Fatal(err)
	}
	s, err := renderQR(a.URI())
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(s, "\n")
	const px = 6
	w := len([]rune(lines[0]))
	img := image.NewGray(image.Rect(0, 0, (w+8)*px, (2*len(lines)+8)*px))
	for i := range img.Pix {
		img.Pix[i] = 0xff // a light frame around the code
	}
	for row, line := range lines {
		for x, r := range []rune(line) {
			// Ink is light: the code is drawn light-on-dark.
			top := r == '█' || r == '▀'
			bottom := r == '█' || r == '▄'
			for dy := range px {
				for dx := range px {
					if !top {
						img.Set((x+4)*px+dx, (2*row+4)*px+dy, color.Black)
					}
					if !bottom {
						img.Set((x+4)*px+dx, (2*row+5)*px+dy, color.Black)
					}
				}
			}
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	texts, err := qr.Decode(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if len(texts) != 1 || texts[0] != a.URI() {
		t.Fatalf("decoded %q, want the account's URI", texts)
	}
}
