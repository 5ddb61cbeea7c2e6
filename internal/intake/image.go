package intake

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/vmfa/vmfa/internal/screenshot"
	"github.com/vmfa/vmfa/otp/qr"
)

// CleanPath undoes what terminals do to a path dragged into them (quotes,
// backslash-escaped spaces, file:// URLs) and expands a leading ~. A path
// that exists as given is returned unchanged.
func CleanPath(s string) string {
	if _, err := os.Stat(s); err == nil {
		return s
	}
	s = strings.TrimSpace(s)
	if q := unquote(s); q != s {
		s = q
	} else if strings.Contains(s, `\`) {
		var b strings.Builder
		for i := 0; i < len(s); i++ {
			if s[i] == '\\' && i+1 < len(s) {
				i++
			}
			b.WriteByte(s[i])
		}
		s = b.String()
	}
	if rest, ok := strings.CutPrefix(s, "file://"); ok {
		s = rest
		if u, err := url.PathUnescape(s); err == nil {
			s = u
		}
	}
	if s == "~" || strings.HasPrefix(s, "~/") {
		if home, err := os.UserHomeDir(); err == nil {
			s = filepath.Join(home, s[1:])
		}
	}
	return s
}

// ReadImageFile returns the text of every QR code in the image at path. Its
// errors name the file.
func ReadImageFile(path string) ([]string, error) {
	// Opening a FIFO would block, and /dev/zero never ends: only regular
	// files are read, and qr.Decode bounds what it reads of them.
	if fi, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("%s: %w", path, errors.Unwrap(err))
	} else if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("%s: not a regular file", path)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, errors.Unwrap(err))
	}
	defer f.Close()
	texts, err := qr.Decode(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return texts, nil
}

// ReadImage returns the text of every QR code in an encoded image held in
// memory (a clipboard's), called source in its errors.
func ReadImage(source string, data []byte) ([]string, error) {
	texts, err := qr.Decode(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", source, err)
	}
	return texts, nil
}

// ReadScreen returns the text of every OTP QR code on the screens capture
// takes pictures of (screenshot.Capture, or a test's own); see screenshot.Scan.
func ReadScreen(capture func() ([]image.Image, error)) ([]string, error) {
	return screenshot.Scan(capture)
}

// ScreenSource names the screen in errors and units.
const ScreenSource = "the screen"

// ReadImageFiles reads the images at paths (as typed or dragged in: see
// CleanPath) with read (ReadImageFile, perhaps with progress shown) into
// units (see Pool). An image that fails is reported in errs, by name, and
// does not hold back the others.
func ReadImageFiles(paths []string, read func(path string) ([]string, error)) (units []Unit, errs []error) {
	var pool Pool
	for _, path := range paths {
		name := CleanPath(path)
		texts, err := read(name)
		if err == nil {
			err = pool.Add(name, texts)
		}
		if err != nil {
			errs = append(errs, err)
		}
	}
	units, err := pool.Units()
	if err != nil {
		errs = append(errs, err)
	}
	return units, errs
}
