package tui

import (
	"bytes"
	"errors"
	"image"
	"image/color"
	"image/png"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/vmfa/vmfa/otp"
	"github.com/vmfa/vmfa/otp/qr"
)

// decodeScreenQR finds the QR code in a frame (the lines drawn in half
// blocks, cut to the ink's columns), draws it back into pixels as the
// terminal shows it and decodes it: what a phone reads off the screen.
func decodeScreenQR(v string) ([]string, error) {
	var lines [][]rune
	left, right := 1<<30, -1
	for _, l := range strings.Split(v, "\n") {
		if !strings.ContainsAny(l, "█▀▄") {
			continue
		}
		r := []rune(l)
		lines = append(lines, r)
		for i, c := range r {
			if c != ' ' {
				left, right = min(left, i), max(right, i)
			}
		}
	}
	if right < 0 {
		return nil, errors.New("no QR code on screen")
	}
	var code []string
	for _, r := range lines {
		for len(r) <= right {
			r = append(r, ' ')
		}
		code = append(code, string(r[left:right+1]))
	}
	return decodeHalfBlocks(code)
}

// decodeHalfBlocks draws half-block QR lines (light ink on dark) back into
// pixels, framed in light, and decodes them.
func decodeHalfBlocks(lines []string) ([]string, error) {
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
		return nil, err
	}
	return qr.Decode(&buf)
}

// TestQRDialogFits80x24: the dialog shows the demo AWS account's QR code
// on an 80×24 terminal, and what a phone reads off the screen is the
// account.
func TestQRDialogFits80x24(t *testing.T) {
	s := newVault(t, demo...)
	m := unlocked(t, s, &fakeClock{t: t0}, &fakeClipboard{}, 80, 24)
	m = send(m, special(tea.KeyDown)) // Amazon Web Services
	m = send(m, special(tea.KeyTab))
	m = send(m, keys("q"))
	m = send(m, keys("y"))
	if d := over[qrDialog](t, m); d.code == "" {
		t.Fatalf("no QR code:\n%s", m.View())
	}
	v := m.View()
	checkFrame(t, v, 80, 24)
	if strings.Contains(v, "too small") {
		t.Fatalf("the QR code does not fit 80×24:\n%s", v)
	}
	texts, err := decodeScreenQR(v)
	if err != nil {
		t.Fatalf("%v:\n%s", err, v)
	}
	if len(texts) != 1 {
		t.Fatalf("decoded %q", texts)
	}
	got, err := otp.ParseURI(texts[0])
	if err != nil {
		t.Fatal(err)
	}
	want := demo[1]
	if err := want.Normalize(); err != nil {
		t.Fatal(err)
	}
	if got != want {
		t.Fatalf("the QR code holds %+v, want %+v", got, want)
	}
	// Any key closes it, and the drawn code goes with the dialog.
	m = send(m, keys("x"))
	if !onList(m) {
		t.Fatalf("the QR code stays: %T", m.top())
	}
}

// TestDeleteDialogTellsTheTruth: a deleted account's secret lives on in
// the earlier versions of the vault; the dialog says so, and how to get it
// back, instead of "erased".
func TestDeleteDialogTellsTheTruth(t *testing.T) {
	s := newVault(t, demo...)
	m := unlocked(t, s, &fakeClock{t: t0}, &fakeClipboard{}, 100, 30)
	m = send(m, special(tea.KeyTab))
	m = send(m, keys("d"))
	v := m.View()
	flat := strings.Join(strings.Fields(strings.NewReplacer("│", " ").Replace(v)), " ")
	if strings.Contains(flat, "erased") {
		t.Errorf("the dialog says the secret is erased:\n%s", v)
	}
	for _, want := range []string{"vault.age.bak", "backups/", "until they age out", "vmfa history", "vmfa restore"} {
		if !strings.Contains(flat, want) {
			t.Errorf("the dialog does not say %q:\n%s", want, v)
		}
	}
	m = send(m, keys("y"))
	if !onList(m) || len(m.accounts) != len(demo)-1 {
		t.Fatalf("not deleted: %d accounts", len(m.accounts))
	}
}
