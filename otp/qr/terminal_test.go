package qr

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vmfa/vmfa/internal/testenv"
)

// TestTerminalScans draws the text Terminal returns back into pixels, as a
// terminal shows it (the blocks light on a dark background), and reads it with
// this package's decoder and with zbarimg, an independent one: what a phone
// reads off the screen is the text.
func TestTerminalScans(t *testing.T) {
	for _, text := range []string{aws, bob, "otpauth://totp/GitHub:alice?secret=JBSWY3DPEHPK3PXP&issuer=GitHub"} {
		s, err := Terminal(text)
		if err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(s, "\n")
		for i, l := range lines {
			if strings.Trim(l, "▀▄█ ") != "" {
				t.Fatalf("line %d holds characters other than half blocks: %q", i, l)
			}
			if n, w := len([]rune(l)), len([]rune(lines[0])); n != w {
				t.Fatalf("line %d is %d cells wide, line 0 %d", i, n, w)
			}
		}
		img := terminalPixels(lines)
		got, err := DecodeImage(img)
		if err != nil || len(got) != 1 || got[0] != text {
			t.Fatalf("decoded %q, %v; want %q", got, err, text)
		}
		zbar := testenv.Tool(t, "zbarimg")
		path := filepath.Join(t.TempDir(), "terminal.png")
		var buf bytes.Buffer
		if err := png.Encode(&buf, img); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, buf.Bytes(), 0o600); err != nil {
			t.Fatal(err)
		}
		out, err := exec.Command(zbar, "-q", "--raw", path).Output()
		if err != nil || strings.TrimSpace(string(out)) != text {
			t.Fatalf("zbarimg read %q (%v), want %q", out, err, text)
		}
	}
}

// terminalPixels paints half-block lines as a terminal with white ink on a
// black background does, 6 pixels a module, framed in white as the
// terminal's surroundings would be.
func terminalPixels(lines []string) image.Image {
	const px = 6
	w := len([]rune(lines[0]))
	img := image.NewGray(image.Rect(0, 0, (w+8)*px, (2*len(lines)+8)*px))
	for i := range img.Pix {
		img.Pix[i] = 0xff
	}
	for row, line := range lines {
		for x, r := range []rune(line) {
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
	return img
}
