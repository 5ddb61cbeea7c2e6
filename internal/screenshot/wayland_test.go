//go:build !darwin && !windows

package screenshot

import (
	"errors"
	"image"
	"slices"
	"strings"
	"testing"

	"github.com/vmfa/vmfa/internal/testenv"
	"github.com/vmfa/vmfa/otp/qr"
)

// TestCaptureWayland reads the QR codes a real Wayland client shows on the
// two monitors of a wlroots compositor, through grim.
func TestCaptureWayland(t *testing.T) {
	w := testenv.Sway(t, "800x600", "640x480")
	for _, kv := range w.Env() {
		k, v, _ := strings.Cut(kv, "=")
		t.Setenv(k, v)
	}
	t.Setenv("DISPLAY", ":4093") // Xwayland's, which would show no Wayland window: not asked
	if _, err := Scan(Capture); !errors.Is(err, qr.ErrNoQRCode) {
		t.Fatalf("empty screens: %v", err)
	}
	w.ShowImage(t, 2, writePNG(t, testenv.QRImage(t, awsURI, 240)))
	images, err := Capture()
	if err != nil || len(images) != 1 || images[0].Bounds() != image.Rect(0, 0, 1440, 600) {
		t.Fatalf("Capture = %d images, %v; want one of both monitors, 1440×600", len(images), err)
	}
	if got, err := Scan(Capture); err != nil || !slices.Equal(got, []string{awsURI}) {
		t.Fatalf("a code on the second monitor: %q, %v", got, err)
	}
	w.ShowImage(t, 1, writePNG(t, testenv.QRImage(t, githubURI, 200)))
	got, err := Scan(Capture)
	slices.Sort(got)
	if err != nil || !slices.Equal(got, []string{awsURI, githubURI}) {
		t.Fatalf("a code on each monitor: %q, %v", got, err)
	}
}

func TestCaptureWaylandWithoutGrim(t *testing.T) {
	t.Setenv("WAYLAND_DISPLAY", "wayland-1")
	t.Setenv("PATH", t.TempDir())
	_, err := Capture()
	if err == nil || !strings.HasPrefix(err.Error(), "reading the screen under Wayland needs grim: install it") {
		t.Fatalf("no grim: %v", err)
	}
}
