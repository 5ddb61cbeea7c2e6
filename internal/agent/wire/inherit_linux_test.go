package wire

import (
	"net"
	"os/exec"
	"strings"
	"testing"
)

// TestDoNotInherited: a program started while Do talks to the agent does
// not inherit its connection to the agent.
func TestDoNotInherited(t *testing.T) {
	var fds string
	path := listen(t, func(c net.Conn) {
		var req Request
		if ReadMessage(c, &req) != nil {
			return
		}
		// Do is waiting for the answer, its socket open: what does a child get?
		out, err := exec.Command("ls", "-l", "/proc/self/fd").CombinedOutput()
		if err != nil {
			fds = err.Error()
		} else {
			fds = string(out)
		}
		WriteMessage(c, Response{Status: &Status{PID: 42}})
	})
	if _, err := Do(path, Request{Op: OpStatus}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(fds, "/proc/") || strings.Contains(fds, "socket:") {
		t.Fatalf("a child started during Do has these files:\n%s", fds)
	}
}
