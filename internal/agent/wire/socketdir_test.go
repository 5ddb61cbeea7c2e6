//go:build unix

package wire_test

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/vmfa/vmfa/internal/agent/wire"
	"github.com/vmfa/vmfa/internal/testenv"
)

// shortTempDir is a directory of the test's own with a short path: socket
// paths are limited to about 100 bytes.
func shortTempDir(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "vmfa-w")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	return dir
}

// TestSocketDirOfAnotherUser: with no XDG_RUNTIME_DIR, vmfa-UID in the
// temporary directory made first by another user (anyone can, in a shared
// /tmp, and the victim can't remove it from a sticky one), or anything else
// there, does not stop the agent: the socket goes to the user's own state
// directory, the same for every caller.
func TestSocketDirOfAnotherUser(t *testing.T) {
	if os.Getuid() != 0 {
		testenv.Skip(t, "making a directory of another user's needs root")
	}
	tmp, state := shortTempDir(t), shortTempDir(t)
	t.Setenv("XDG_RUNTIME_DIR", "")
	t.Setenv("TMPDIR", tmp)
	t.Setenv("XDG_STATE_HOME", state)
	// SocketName takes the clean path; the temporary directory need not be
	// one (gremlins' TMPDIR=$PWD/../gremlins.XXXXXX).
	vault := filepath.Clean(t.TempDir())
	squat := filepath.Join(tmp, fmt.Sprintf("vmfa-%d", os.Getuid()))
	fallback := filepath.Join(state, "vmfa", "agent", wire.SocketName(vault))
	for name, plant := range map[string]func() error{
		"a 0777 directory": func() error { return os.Mkdir(squat, 0o777) },
		"a symbolic link":  func() error { return os.Symlink(tmp, squat) },
		"a file":           func() error { return os.WriteFile(squat, nil, 0o666) },
	} {
		os.RemoveAll(squat)
		if err := plant(); err != nil {
			t.Fatal(err)
		}
		os.Chmod(squat, 0o777)
		if err := os.Lchown(squat, 65534, 65534); err != nil {
			t.Fatal(err)
		}
		for range 2 {
			if path, err := wire.SocketPath(vault); err != nil || path != fallback {
				t.Fatalf("%s of another user's at %s: %q, %v; want %s", name, squat, path, err, fallback)
			}
		}
		if err := wire.CheckRuntimeDir(filepath.Dir(fallback), os.Getuid()); err != nil {
			t.Fatal(err)
		}
	}
	// No one else's, it is the place, as before.
	os.RemoveAll(squat)
	if path, err := wire.SocketPath(vault); err != nil || path != filepath.Join(squat, wire.SocketName(vault)) {
		t.Fatalf("no one else's directory there: %q, %v", path, err)
	}
}

// TestSocketPathTooLong: a socket path over the system's limit is said, not
// left to bind's "invalid argument"; one of exactly the limit is taken, and
// binds.
func TestSocketPathTooLong(t *testing.T) {
	limit := len(syscall.RawSockaddrUnix{}.Path) - 1 // the path ends in a NUL
	base, vault := filepath.Clean(shortTempDir(t)), t.TempDir()
	// runDir/vmfa/agent-<16 hex>.sock: 33 bytes after runDir.
	for _, over := range []int{0, 1} {
		run := filepath.Join(base, strings.Repeat("d", limit-33-len(base)-1+over))
		if err := os.Mkdir(run, 0o700); err != nil {
			t.Fatal(err)
		}
		t.Setenv("XDG_RUNTIME_DIR", run)
		path, err := wire.SocketPath(vault)
		if over == 1 {
			if err == nil || !strings.Contains(err.Error(), "over the system's limit") {
				t.Fatalf("a socket path of %d bytes: %q, %v", limit+1, path, err)
			}
			continue
		}
		if err != nil || len(path) != limit {
			t.Fatalf("a socket path of %d bytes: %q (%d), %v", limit, path, len(path), err)
		}
		l, err := net.Listen("unix", path)
		if err != nil {
			t.Fatalf("binding a socket path of %d bytes: %v", limit, err)
		}
		l.Close()
	}
}

// TestSocketInSystemRuntimeDir: with no XDG_RUNTIME_DIR (cron, a
// credential_process started without the session's environment), the
// user's /run/user/UID, where systemd made it, is the place, so such a
// command finds the agent unlocked in a terminal; one that is not the
// user's own and private is passed by.
func TestSocketInSystemRuntimeDir(t *testing.T) {
	base, tmp := shortTempDir(t), shortTempDir(t)
	t.Setenv("XDG_RUNTIME_DIR", "")
	t.Setenv("TMPDIR", tmp)
	defer func(old string) { wire.SystemRuntimeDirs = old }(wire.SystemRuntimeDirs)
	wire.SystemRuntimeDirs = base
	run := filepath.Join(base, strconv.Itoa(os.Getuid()))
	vault := filepath.Clean(t.TempDir())
	tmpPath := filepath.Join(tmp, fmt.Sprintf("vmfa-%d", os.Getuid()), wire.SocketName(vault))
	if path, err := wire.SocketPath(vault); err != nil || path != tmpPath {
		t.Fatalf("no %s: %q, %v; want %s", run, path, err, tmpPath)
	}
	if err := os.Mkdir(run, 0o755); err != nil {
		t.Fatal(err)
	}
	if path, err := wire.SocketPath(vault); err != nil || path != tmpPath {
		t.Fatalf("%s open to others: %q, %v; want %s", run, path, err, tmpPath)
	}
	os.Chmod(run, 0o700)
	want := filepath.Join(run, "vmfa", wire.SocketName(vault))
	if path, err := wire.SocketPath(vault); err != nil || path != want {
		t.Fatalf("with %s: %q, %v; want %s", run, path, err, want)
	}
	if fi, err := os.Stat(filepath.Dir(want)); err != nil || fi.Mode().Perm() != 0o700 {
		t.Fatalf("%s: %v, %v; want a 0700 directory", filepath.Dir(want), fi, err)
	}
}
