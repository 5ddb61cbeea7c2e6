package tui

import (
	"errors"
	"os"
	"runtime"
	"syscall"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/vmfa/vmfa/internal/clipboard"
	"github.com/vmfa/vmfa/vault"
)

// Codes left on the clipboard by a vmfa that died before clearing them.
//
// Every code copied is recorded in the vault directory until it is cleared
// (copyCmd, vault.Store.RecordCopy), by account and time step or counter,
// never as the code. Once the vault is open, the interface computes again
// the codes recorded by processes no longer running and clears each one the
// clipboard still holds, by the route it went: natively or through tmux,
// where the clipboard is read back first, so a text the user copied since
// is left alone. A code sent by OSC 52 is not cleared: that clipboard
// cannot be read back, and overwriting it blind would lose whatever the
// user copied since. A record whose process still runs is that process's
// to clear.

// clearLeftoversCmd clears the codes that processes no longer running left
// on the clipboard, computed from d, and forgets their records.
func clearLeftoversCmd(c Clipboard, v Vault, d *vault.Data) tea.Cmd {
	return func() tea.Msg {
		store := v.Store()
		copies, err := store.Copies()
		if err != nil {
			return nil
		}
		cleared := false
		for _, rec := range copies {
			if running(rec.PID) {
				continue
			}
			route := clipboard.Route(rec.Route)
			if code, err := d.CopiedCode(rec); err == nil && route != clipboard.ViaOSC52 {
				ok, _ := c.ClearVia(code, route)
				cleared = cleared || ok
			}
			_ = store.ForgetCopy(rec)
		}
		if cleared {
			return toastMsg{text: "cleared a code an earlier vmfa left on the clipboard"}
		}
		return nil
	}
}

// running reports whether the process pid runs: a signal 0 reaches it, or
// is refused for want of permission (another user's process has taken the
// number). On Windows, where there are no signals, finding it is enough.
func running(pid int) bool {
	if pid <= 0 {
		return false
	}
	p, err := os.FindProcess(pid)
	if err != nil {
		return false
	}
	if runtime.GOOS == "windows" {
		p.Release()
		return true
	}
	err = p.Signal(syscall.Signal(0))
	return err == nil || errors.Is(err, syscall.EPERM)
}
