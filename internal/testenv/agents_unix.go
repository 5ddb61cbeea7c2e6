//go:build unix

package testenv

import (
	"path/filepath"
	"syscall"

	"github.com/vmfa/vmfa/internal/agent/wire"
)

// stopAgents stops the agents listening in the runtime directory run.
func stopAgents(run string) {
	socks, _ := filepath.Glob(filepath.Join(run, "vmfa", "*.sock"))
	for _, sock := range socks {
		if resp, err := wire.Do(sock, wire.Request{Op: wire.OpStatus}); err == nil && resp.Status != nil && resp.Status.PID > 0 {
			syscall.Kill(resp.Status.PID, syscall.SIGTERM)
		}
	}
}
