// Package xdgdir finds vmfa's directories the way the XDG base directory
// spec and each platform's custom say, for the vault (data) and the
// settings (configuration) alike.
package xdgdir

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
)

// Dir returns vmfa's directory of one kind: $xdgVar/vmfa if that is set to
// an absolute path (on every OS, so people who set it get what they asked
// for); else ~/unixDir/vmfa on Unix, and the platform's place for
// application data on macOS (~/Library/Application Support/vmfa), Windows
// (%AppData%\vmfa) and Plan 9. what and fix complete the error when there
// is no home to find it in: "can't find where to keep WHAT (…): FIX".
func Dir(xdgVar, unixDir, what, fix string) (string, error) {
	// The XDG spec says relative paths are invalid and must be ignored.
	if d := os.Getenv(xdgVar); d != "" && filepath.IsAbs(d) {
		return filepath.Join(d, "vmfa"), nil
	}
	var base string
	var err error
	switch runtime.GOOS {
	case "darwin", "ios", "windows", "plan9":
		base, err = os.UserConfigDir()
	default:
		base, err = os.UserHomeDir()
		if err == nil && base == "" {
			err = errors.New("$HOME is empty")
		}
		base = filepath.Join(base, unixDir)
	}
	if err != nil {
		return "", fmt.Errorf("can't find where to keep %s (%v): %s", what, err, fix)
	}
	return filepath.Join(base, "vmfa"), nil
}
