// Package vaultdir says where the vault lives. It is apart from package
// vault, whose crypto the front end of vmfa must not pay to start.
package vaultdir

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
)

// Default returns where the vault lives unless the user says otherwise:
// $VMFA_DIR if set; else $XDG_DATA_HOME/vmfa if set (on every OS, so people
// who set it get what they asked for); else the platform's place for
// application data: ~/.local/share/vmfa on Unix, ~/Library/Application
// Support/vmfa on macOS, %AppData%\vmfa on Windows.
//
// The vault is data, not configuration: deleting ~/.config must not delete
// the user's second factors, which is why Unix uses the data directory.
func Default() (string, error) {
	if d := os.Getenv("VMFA_DIR"); d != "" {
		return d, nil
	}
	// The XDG spec says relative paths are invalid and must be ignored.
	if d := os.Getenv("XDG_DATA_HOME"); d != "" && filepath.IsAbs(d) {
		return filepath.Join(d, "vmfa"), nil
	}
	switch runtime.GOOS {
	case "darwin", "ios", "windows", "plan9":
		d, err := os.UserConfigDir()
		if err != nil {
			return "", fmt.Errorf("can't find where to keep the vault (%v): set VMFA_DIR", err)
		}
		return filepath.Join(d, "vmfa"), nil
	}
	home, err := os.UserHomeDir()
	if err == nil && home == "" {
		err = errors.New("$HOME is empty")
	}
	if err != nil {
		return "", fmt.Errorf("can't find where to keep the vault (%v): set VMFA_DIR", err)
	}
	return filepath.Join(home, ".local", "share", "vmfa"), nil
}
