//go:build unix

package wire

import (
	"errors"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// listen serves the socket path with answer, on each connection, until the
// test ends.
func listen(t *testing.T, answer func(net.Conn)) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "vmfa-wire") // short: socket paths are limited
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	path := filepath.Join(dir, "s.sock")
	l, err := net.Listen("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				answer(c)
			}()
		}
	}()
	return path
}

func TestDo(t *testing.T) {
	path := listen(t, func(c net.Conn) {
		var req Request
		if ReadMessage(c, &req) == nil && req.Op == OpStatus {
			WriteMessage(c, Response{Status: &Status{PID: 42}})
		}
	})
	resp, err := Do(path, Request{Op: OpStatus})
	if err != nil || resp.Status == nil || resp.Status.PID != 42 {
		t.Fatalf("Do: %+v %v", resp, err)
	}
}

func TestDoNoAgent(t *testing.T) {
	dir := t.TempDir()
	if _, err := Do(filepath.Join(dir, "none.sock"), Request{Op: OpStatus}); !errors.Is(err, ErrNoAgent) {
		t.Errorf("no socket: %v", err)
	}
	// A socket a killed agent left: nothing listens.
	stale := filepath.Join(dir, "stale.sock")
	l, err := net.Listen("unix", stale)
	if err != nil {
		t.Fatal(err)
	}
	l.(*net.UnixListener).SetUnlinkOnClose(false)
	l.Close()
	if _, err := Do(stale, Request{Op: OpStatus}); !errors.Is(err, ErrNoAgent) {
		t.Errorf("a stale socket: %v", err)
	}
}

// TestDoBadAgent: an agent that hangs, hangs up or answers garbage costs
// the client ConnTimeout at the most, and an error.
func TestDoBadAgent(t *testing.T) {
	for name, answer := range map[string]func(net.Conn){
		"hangs":    func(c net.Conn) { time.Sleep(ConnTimeout + time.Second) },
		"hangs up": func(c net.Conn) {},
		"garbage":  func(c net.Conn) { c.Write([]byte("\x00\x00\x00\x05hello")) },
		"huge":     func(c net.Conn) { c.Write([]byte("\x7f\xff\xff\xff")) },
	} {
		t.Run(name, func(t *testing.T) {
			path := listen(t, answer)
			start := time.Now()
			_, err := Do(path, Request{Op: OpStatus})
			if took := time.Since(start); err == nil || took > ConnTimeout+time.Second {
				t.Fatalf("after %v: %v", took, err)
			}
			if !strings.Contains(err.Error(), "agent") || strings.Contains(err.Error(), "\n") {
				t.Fatalf("error %q", err)
			}
			if name == "hangs" && !strings.Contains(err.Error(), "did not answer: nothing within 2s") {
				t.Fatalf("a hanging agent: %q", err)
			}
		})
	}
}
