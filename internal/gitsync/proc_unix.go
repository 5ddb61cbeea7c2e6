//go:build unix

package gitsync

import (
	"os/exec"
	"syscall"
)

// ownGroup runs cmd in a process group of its own, away from the terminal,
// so that a timeout kills git and whatever it started (ssh, a credential
// helper).
func ownGroup(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
}
