package screenshot

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/vmfa/vmfa/otp/qr"
)

// Without the Screen Recording permission, screencapture shows the desktop
// without its windows rather than failing.
const noQRHint = " (if it is on screen, allow your terminal in System Settings › Privacy & Security › Screen Recording)"

// maxDisplays is how many files screencapture is given: it writes one per
// display and ignores the rest.
const maxDisplays = 16

// capture runs screencapture, which can only write files: into a directory
// only we can read, each read and deleted at once.
func capture() ([]image.Image, error) {
	dir, err := os.MkdirTemp("", "vmfa-screen-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir) // MkdirTemp made it 0700
	args := []string{"-x", "-t", "png"}
	for i := range maxDisplays {
		args = append(args, filepath.Join(dir, fmt.Sprintf("%d.png", i)))
	}
	var stderr bytes.Buffer
	cmd := exec.Command("/usr/sbin/screencapture", args...)
	cmd.Stderr = &stderr
	runErr := cmd.Run()
	var images []image.Image
	for _, name := range args[3:] {
		data, err := os.ReadFile(name)
		os.Remove(name)
		if errors.Is(err, os.ErrNotExist) {
			break
		}
		if err != nil {
			return nil, err
		}
		// Read as an image file is (see qr.ReadImage).
		img, err := qr.ReadImage(bytes.NewReader(data))
		if errors.Is(err, qr.ErrNoQRCode) {
			continue // too narrow to hold one
		}
		if err != nil {
			return nil, fmt.Errorf("screencapture's picture of the screen: %w", err)
		}
		images = append(images, img)
	}
	if len(images) == 0 {
		msg, _, _ := strings.Cut(strings.TrimSpace(stderr.String()), "\n")
		if msg == "" && runErr != nil {
			msg = runErr.Error()
		}
		return nil, fmt.Errorf("the screen could not be captured (%s): allow your terminal in System Settings › Privacy & Security › Screen Recording, then restart it", msg)
	}
	return images, nil
}
