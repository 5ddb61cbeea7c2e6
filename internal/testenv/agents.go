package testenv

import (
	"os"
	"testing"
)

// AgentRuntimeDir returns a runtime directory of the test's own for the vmfa
// processes it starts (their XDG_RUNTIME_DIR), so that the agents they start
// and the lock files agents leave are never in the user's own, nor in
// vmfa-UID in the temporary directory. When the test ends, the agents
// serving there are stopped, by the pids they give, and the directory is
// removed. Its path is short: a socket's path is limited to about 100 bytes.
func AgentRuntimeDir(t testing.TB) string {
	t.Helper()
	run, err := os.MkdirTemp("", "vmfa-run")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		stopAgents(run)
		os.RemoveAll(run)
	})
	return run
}
