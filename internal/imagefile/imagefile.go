// Package imagefile reads the QR codes of an image file named the way
// people name files in a terminal: typed, quoted, or dragged in.
package imagefile

import (
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"

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
	if len(s) >= 2 && (s[0] == '\'' || s[0] == '"') && s[len(s)-1] == s[0] {
		s = s[1 : len(s)-1]
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

// Decode returns the text of every QR code in the image at path. Its errors
// name the file.
func Decode(path string) ([]string, error) {
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
