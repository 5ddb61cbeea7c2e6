// Package screenshot reads the QR codes shown on the screen, so that an
// account can be enrolled without saving a screenshot first.
//
// Capture takes the picture of every screen the way the desktop allows it:
// X11 through the X protocol (every root window, which holds all the
// monitors of its screen), Wayland through grim, macOS through screencapture,
// Windows through GDI. The pictures stay in memory: they come through pipes
// or the X connection, and the one tool that insists on writing a file
// (macOS's screencapture) writes it in a private temporary directory, from
// which it is read and deleted at once.
package screenshot

import (
	"errors"
	"fmt"
	"image"
	"slices"
	"strings"

	"github.com/vmfa/vmfa/otp"
	"github.com/vmfa/vmfa/otp/qr"
)

// ErrNoDisplay is returned when there is no desktop session to capture.
var ErrNoDisplay = errors.New("no screen to capture: DISPLAY and WAYLAND_DISPLAY are unset")

// noQRError is Scan's error when no screen shows a QR code: qr.ErrNoQRCode,
// in the words of a screen.
type noQRError struct{}

func (noQRError) Error() string {
	return "no QR code on the screen: show the whole code, uncovered, and try again" + noQRHint
}
func (noQRError) Unwrap() error { return qr.ErrNoQRCode }

// Capture returns a picture of each screen (on X11, of each root window,
// which spans all the monitors of its screen).
func Capture() ([]image.Image, error) { return capture() }

// Scan captures the screens with capture (Capture, or a test's own) and
// returns the text of every distinct otpauth:// and otpauth-migration://
// QR code on them, screen by screen in reading order. A code shown on two
// mirrored monitors counts once.
//
// Other QR codes are left out: unlike an image the user picked, a desktop
// may show unrelated codes (a link on a web page) beside the one to enroll.
// Only when no code is an OTP one does the error say what the others are.
// When there is no QR code at all, the error wraps qr.ErrNoQRCode.
func Scan(capture func() ([]image.Image, error)) ([]string, error) {
	captured, err := capture()
	if err != nil {
		return nil, err
	}
	// Each picture is dropped from the list as it is read, so that a large
	// one's memory goes to the search once its luminance is made (see
	// qr.DecodeImage); from a copy of the list, which capture may keep.
	images := slices.Clone(captured)
	captured = nil
	var texts, others []string
	for i, img := range images {
		images[i] = nil
		found, err := qr.DecodeImage(img)
		if errors.Is(err, qr.ErrNoQRCode) {
			continue
		}
		if err != nil {
			if len(images) > 1 {
				return nil, fmt.Errorf("screen %d: %w", i, err)
			}
			return nil, fmt.Errorf("screen: %w", err)
		}
		for _, t := range found {
			var notOTP *otp.NotOTPError
			if _, _, err := otp.Parse(t); errors.As(err, &notOTP) {
				if !slices.Contains(others, notOTP.What) {
					others = append(others, notOTP.What)
				}
			} else if !slices.Contains(texts, t) {
				texts = append(texts, t) // a bad otpauth:// URI is reported when added
			}
		}
	}
	switch {
	case len(texts) > 0:
		return texts, nil
	case len(others) > 0:
		return nil, fmt.Errorf("no QR code on the screen holds an otpauth:// URI, only %s", strings.Join(others, ", "))
	}
	return nil, noQRError{}
}
