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
// (%AppData%\vmfa) and Plan 9. When there is no home to find it in, the
// error is a *NoHomeError about what: "the vault".
func Dir(xdgVar, unixDir, what string) (string, error) {
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
		return "", &NoHomeError{Var: xdgVar, What: what, Err: err}
	}
	return filepath.Join(base, "vmfa"), nil
}

// NoHomeError is Dir's error when there is no home directory to find one of
// vmfa's directories in, and Var, which would have named it, is unset.
type NoHomeError struct {
	Var  string // "XDG_DATA_HOME"
	What string // what the directory is for: "the vault"
	Err  error  // why there is no home
}

func (e *NoHomeError) Error() string {
	return fmt.Sprintf("can't find where to keep %s (%v)", e.What, e.Err)
}

func (e *NoHomeError) Unwrap() error { return e.Err }
