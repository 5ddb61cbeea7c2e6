// Package vaultdir says where the vault lives. It is apart from package
// vault, whose crypto the front end of vmfa must not pay to start.
package vaultdir

import (
	"os"
	"path/filepath"

	"github.com/vmfa/vmfa/internal/xdgdir"
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
	return xdgdir.Dir("XDG_DATA_HOME", filepath.Join(".local", "share"), "the vault")
}
