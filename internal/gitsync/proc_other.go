//go:build !unix

package gitsync

import (
	"os/exec"
	"time"
)

// ownGroup bounds the wait for what git started once git is killed.
func ownGroup(cmd *exec.Cmd) { cmd.WaitDelay = 2 * time.Second }
