//go:build !unix

package testenv

// stopAgents has nothing to stop: there is no agent on Windows.
func stopAgents(run string) {}
