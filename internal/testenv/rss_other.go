//go:build !linux

package testenv

import (
	"os/exec"
	"testing"
)

// RunMeasured skips: peak memory is measured on Linux only.
func RunMeasured(t testing.TB, cmd *exec.Cmd, stdin string) (Result, int64) {
	Skip(t, "peak memory is measured on Linux only")
	return Result{}, 0
}
