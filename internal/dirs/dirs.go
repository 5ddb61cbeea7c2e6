// Package dirs says where vmfa keeps things: the one place for its
// directories, which follow the XDG base directory spec on Unix and each
// platform's custom elsewhere. It imports nothing of vmfa's, for the
// front end's start-up.
//
//	what                     variable, when set      else, on Unix
//	the vault (Vault)        $VMFA_DIR, as it is      $XDG_DATA_HOME/vmfa, else ~/.local/share/vmfa
//	settings.json (Settings) -                        $XDG_CONFIG_HOME/vmfa, else ~/.config/vmfa
//	the agent's (State)      -                        $XDG_STATE_HOME/vmfa, else ~/.local/state/vmfa
//
// The vault is data, not configuration: deleting ~/.config resets
// preferences (package settings) and must never delete the user's second
// factors. Its backups, generations and recipients live inside it.
//
// An XDG variable is followed on every OS when it is set to an absolute
// path, so that people who set it get what they asked for; a relative one
// is ignored, as the spec says. Without it, macOS keeps all three in
// ~/Library/Application Support/vmfa, Windows in %AppData%\vmfa, Plan 9 in
// $home/lib/vmfa (os.UserConfigDir).
//
// The agent's socket is in $XDG_RUNTIME_DIR/vmfa, else the runtime
// directory systemd made (/run/user/UID/vmfa), else vmfa-UID in the
// temporary directory, else State()/agent: that choice, which checks that
// no other user can enter the directory, is the agent's transport's
// (internal/agent/wire.SocketPath).
//
// When there is no home directory to find one in, the error is a
// *NoHomeError, which names the variable that would have said where.
package dirs

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
)

// Vault returns where the vault lives unless the user says otherwise (a
// --dir flag): $VMFA_DIR if set, else vmfa's data directory.
func Vault() (string, error) {
	if d := os.Getenv("VMFA_DIR"); d != "" {
		return d, nil
	}
	return dir("XDG_DATA_HOME", filepath.Join(".local", "share"), "the vault")
}

// Settings returns the directory of vmfa's settings file: its
// configuration directory.
func Settings() (string, error) {
	return dir("XDG_CONFIG_HOME", ".config", "vmfa's settings")
}

// State returns vmfa's state directory, where the agent keeps its socket
// when no runtime directory will do.
func State() (string, error) {
	return dir("XDG_STATE_HOME", filepath.Join(".local", "state"), "the agent's socket")
}

// dir returns vmfa's directory of one kind: $xdgVar/vmfa if that is set to
// an absolute path; else ~/unixDir/vmfa on Unix, and os.UserConfigDir()/vmfa
// on macOS, Windows and Plan 9. What it is for, as an error says it, is
// what: "the vault".
func dir(xdgVar, unixDir, what string) (string, error) {
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

// NoHomeError is the error when there is no home directory to find one of
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
