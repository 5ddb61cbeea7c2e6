//go:build !darwin && !windows

package screenshot

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"os"
	"os/exec"
	"strings"

	"github.com/vmfa/vmfa/otp/qr"
)

const noQRHint = ""

// capture reads Wayland's screens when a Wayland session is running (its X
// server, Xwayland, would show only the X windows), else X11's.
func capture() ([]image.Image, error) {
	switch {
	case os.Getenv("WAYLAND_DISPLAY") != "":
		return captureWayland()
	case os.Getenv("DISPLAY") != "":
		return captureX11(os.Getenv("DISPLAY"))
	}
	return nil, ErrNoDisplay
}

// captureWayland has grim write a PNG of every output, laid out as they are
// on the desktop, to a pipe.
func captureWayland() ([]image.Image, error) {
	if _, err := exec.LookPath("grim"); err != nil {
		return nil, errors.New("reading the screen under Wayland needs grim: install it (package grim), or save a screenshot and give its file")
	}
	var out, stderr bytes.Buffer
	cmd := exec.Command("grim", "-")
	cmd.Stdout, cmd.Stderr = &out, &stderr
	if err := cmd.Run(); err != nil {
		msg, _, _ := strings.Cut(strings.TrimSpace(stderr.String()), "\n")
		if msg == "" {
			msg = err.Error()
		}
		// GNOME and KDE do not let grim in (no wlr-screencopy).
		return nil, fmt.Errorf("grim could not capture the screen (%s): save a screenshot and give its file instead", msg)
	}
	// Read as an image file is: its size checked first, and a PNG read
	// straight to what the search needs (its luminance).
	img, err := qr.ReadImage(&out)
	if errors.Is(err, qr.ErrNoQRCode) {
		return nil, noQRError{}
	}
	if err != nil {
		return nil, fmt.Errorf("grim's picture of the screen: %w", err)
	}
	return []image.Image{img}, nil
}
