//go:build !unix

package main

import "os/exec"

// detach: a Windows process outlives the one that started it already.
func detach(cmd *exec.Cmd) {}
