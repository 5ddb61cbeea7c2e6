package tui

import (
	"bytes"
	"errors"
	"image"
	"image/draw"
	"image/png"
	"slices"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/vmfa/vmfa/internal/testenv"
)

// fakeScreens stands for the desktop: the pictures the add screen's capture
// key gets, and how many times it asked.
type fakeScreens struct {
	images []image.Image
	err    error
	calls  int
}

func (f *fakeScreens) capture() ([]image.Image, error) {
	f.calls++
	return f.images, f.err
}

// desktopWith draws QR codes of the texts side by side on a dark 1280×800
// screen, as windows showing them.
func desktopWith(t *testing.T, texts ...string) image.Image {
	t.Helper()
	d := image.NewRGBA(image.Rect(0, 0, 1280, 800))
	draw.Draw(d, d.Bounds(), image.NewUniform(image.Black), image.Point{}, draw.Src)
	for i, text := range texts {
		qr, err := png.Decode(bytes.NewReader(testenv.QRPNG(t, text, 300)))
		if err != nil {
			t.Fatal(err)
		}
		at := image.Pt(40+i*400, 100+i*50)
		draw.Draw(d, qr.Bounds().Add(at), qr, qr.Bounds().Min, draw.Src)
	}
	return d
}

// onScreenModel is an unlocked model whose screens are f's.
func onScreenModel(t *testing.T, f *fakeScreens) Model {
	t.Helper()
	s := newVault(t, demo...)
	cfg := untimed(testConfig(s, &fakeClock{t: t0}, &fakeClipboard{}))
	cfg.capture = f.capture
	m := newModel(cfg)
	m = send(m, tea.WindowSizeMsg{Width: 100, Height: 30})
	m = send(m, openVault(storeAdapter{s: s}, testPass))
	if !onList(m) {
		t.Fatalf("not on the list: %q", m.unlock.err)
	}
	return send(m, special(tea.KeyCtrlA))
}

// TestAddFromScreen: c on the add screen reads every OTP QR code on every
// screen and adds their accounts, as an image file's are added; a single
// TOTP account goes on to the enrollment view.
func TestAddFromScreen(t *testing.T) {
	hotpURI := "otpauth://hotp/Yubico:bob?secret=JBSWY3DPEHPK3PXQ&issuer=Yubico&counter=3"
	f := &fakeScreens{images: []image.Image{
		desktopWith(t, "https://example.com/not-an-account", newURI),
		desktopWith(t, hotpURI),
	}}
	m := onScreenModel(t, f)
	if v := m.View(); !strings.Contains(v, "the QR codes shown on the screen") || !strings.Contains(v, "QR code on screen") {
		t.Fatalf("the add screen does not offer the screen:\n%s", v)
	}
	m = send(m, keys("c"))
	if f.calls != 1 {
		t.Fatalf("the screen was captured %d times", f.calls)
	}
	if !onList(m) {
		t.Fatalf("on top: %T\n%s", m.top(), m.View())
	}
	var marked []string
	for _, e := range m.list.entries {
		if m.list.added[e.ID] {
			marked = append(marked, e.Label())
		}
	}
	if want := []string{"Fastmail:alice@fastmail.com", "Yubico:bob"}; !slices.Equal(marked, want) || len(m.accounts) != len(demo)+2 {
		t.Fatalf("added %q (%d accounts in all), want %q", marked, len(m.accounts), want)
	}

	// One TOTP account: the two codes AWS asks for.
	f = &fakeScreens{images: []image.Image{desktopWith(t, newURI)}}
	m = send(onScreenModel(t, f), keys("c"))
	if e := over[enrollScreen](t, m); e.entry.Label() != "Fastmail:alice@fastmail.com" {
		t.Fatalf("enrolling %s", e.entry.Label())
	}
}

// TestAddFromScreenErrors: a failed capture or a screen without a code is
// said on the add screen, which stays, and adds nothing.
func TestAddFromScreenErrors(t *testing.T) {
	for _, c := range []struct {
		name string
		f    *fakeScreens
		want string
	}{
		{"no display", &fakeScreens{err: errors.New("no screen to capture: DISPLAY and WAYLAND_DISPLAY are unset")}, "✗ no screen to capture: DISPLAY and WAYLAND_DISPLAY are unset"},
		{"no code", &fakeScreens{images: []image.Image{desktopWith(t)}}, "✗ no QR code on the screen"},
		{"a link only", &fakeScreens{images: []image.Image{desktopWith(t, "https://example.com/x")}}, "only https://example.com/…"},
	} {
		t.Run(c.name, func(t *testing.T) {
			m := send(onScreenModel(t, c.f), keys("c"))
			a := over[addScreen](t, m)
			if v := m.View(); a.busy || !strings.Contains(v, c.want) || len(m.accounts) != len(demo) {
				t.Fatalf("busy %v, %d accounts:\n%s", a.busy, len(m.accounts), v)
			}
			// The next try captures again.
			m = send(m, keys("c"))
			if c.f.calls != 2 {
				t.Fatalf("captured %d times", c.f.calls)
			}
		})
	}
}
