//go:build !unix

package main

import (
	"errors"
	"os"
	"os/exec"
	"os/signal"
)

// codeFromAgent prints nothing: there is no agent on Windows.
func codeFromAgent(args []string) (printed bool) { return false }

// runFull runs vmfa-full with args, env and this process's stdio, and
// exits with its exit code: Windows has no exec. It returns only if
// vmfa-full can't be started.
func runFull(path string, args, env []string) error {
	// Ctrl-C reaches every process of the console: vmfa-full decides what
	// it means, and this one waits for its exit status.
	signal.Ignore(os.Interrupt)
	cmd := exec.Command(path, args[1:]...)
	cmd.Env = env
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	err := cmd.Run()
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		os.Exit(exit.ExitCode())
	}
	if err != nil {
		return err
	}
	os.Exit(0)
	return nil
}
