//go:build unix

package wire

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"syscall"

	"github.com/vmfa/vmfa/internal/dirs"
	"github.com/vmfa/vmfa/internal/shellquote"
)

// SocketPath returns the path of the socket of the vault directory dir, in
// a directory no other user can make or enter: $XDG_RUNTIME_DIR/vmfa; else,
// where systemd made the user's runtime directory (/run/user/UID, 0700 and
// the user's), vmfa in it, so that a cron job or a credential_process
// without XDG_RUNTIME_DIR finds the agent unlocked in a terminal, as
// gpg-agent does; else vmfa-UID in the temporary directory, if no one else
// made it first; else
// vmfa/agent in the user's state directory ($XDG_STATE_HOME, else
// ~/.local/state; on macOS, where the temporary directory is the user's
// own, ~/Library/Application Support). It makes that directory 0700 if need
// be, and refuses it unless it is the user's own directory that no one else
// can enter.
//
// The state directory is the last resort rather than the place: a home on
// NFS may be shared between hosts, whose agents would take each other's
// lock, and some file systems hold no sockets.
func SocketPath(dir string) (string, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	runDir, err := runtimeDir()
	if err != nil {
		return "", err
	}
	path := filepath.Join(runDir, SocketName(filepath.Clean(abs)))
	if limit := len(syscall.RawSockaddrUnix{}.Path) - 1; len(path) > limit {
		return "", fmt.Errorf("the agent's socket %s is %d bytes long, over the system's limit of %d: set XDG_RUNTIME_DIR to a shorter directory of yours", path, len(path), limit)
	}
	return path, nil
}

// SystemRuntimeDirs holds the users' runtime directories that systemd
// makes (pam_systemd); a variable for tests.
var SystemRuntimeDirs = "/run/user"

func runtimeDir() (string, error) {
	uid := os.Getuid()
	if x := os.Getenv("XDG_RUNTIME_DIR"); x != "" && filepath.IsAbs(x) {
		return makeRuntimeDir(filepath.Join(x, "vmfa"), uid)
	}
	if run := filepath.Join(SystemRuntimeDirs, strconv.Itoa(uid)); CheckRuntimeDir(run, uid) == nil {
		return makeRuntimeDir(filepath.Join(run, "vmfa"), uid)
	}
	// In a shared /tmp anyone can make vmfa-UID first, and no one but
	// root can remove it from a sticky /tmp: someone else's is passed by.
	tmp := filepath.Join(os.TempDir(), fmt.Sprintf("vmfa-%d", uid))
	os.Mkdir(tmp, 0o700)
	if isOwnDir(tmp, uid) {
		return tmp, CheckRuntimeDir(tmp, uid)
	}
	state, err := dirs.State()
	if err != nil {
		return "", err
	}
	if err := os.MkdirAll(state, 0o700); err != nil {
		return "", fmt.Errorf("can't make the agent's directory: %w", err)
	}
	return makeRuntimeDir(filepath.Join(state, "agent"), uid)
}

// makeRuntimeDir makes dir 0700 if it is not there, and checks it
// (CheckRuntimeDir).
func makeRuntimeDir(dir string, uid int) (string, error) {
	if err := os.Mkdir(dir, 0o700); err != nil && !errors.Is(err, os.ErrExist) {
		return "", fmt.Errorf("can't make the agent's directory: %w", err)
	}
	if err := CheckRuntimeDir(dir, uid); err != nil {
		return "", err
	}
	return dir, nil
}

// isOwnDir reports whether dir is a directory (not a link to one) of uid's.
func isOwnDir(dir string, uid int) bool {
	fi, err := os.Lstat(dir)
	if err != nil || !fi.IsDir() {
		return false
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	return ok && int(st.Uid) == uid
}

// CheckRuntimeDir refuses dir as the sockets' directory unless it is a
// directory of uid's that no one else can enter.
func CheckRuntimeDir(dir string, uid int) error {
	fi, err := os.Lstat(dir)
	if err != nil {
		return err
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	switch {
	case !fi.IsDir():
		return fmt.Errorf("%s, the agent's directory, is not a directory: remove it", dir)
	case !ok || int(st.Uid) != uid:
		return fmt.Errorf("%s, the agent's directory, is not yours: remove it, or set XDG_RUNTIME_DIR", dir)
	case fi.Mode().Perm()&0o077 != 0:
		return fmt.Errorf("%s, the agent's directory, is open to others (%v): run 'chmod 700 %s'", dir, fi.Mode().Perm(), shellquote.Word(dir))
	}
	return nil
}

// Do sends req to the agent listening on the socket path, on a connection
// of its own, and returns its response as it came, error codes included.
// With no agent there, it returns ErrNoAgent.
//
// It uses the socket's file descriptor directly, blocking, with the
// deadline as the socket's timeouts: package net, its poller and its
// goroutines would cost the front end's start-up most of a millisecond.
func Do(path string, req Request) (Response, error) {
	// Not inherited by a child started meanwhile, as package net does it.
	syscall.ForkLock.RLock()
	fd, err := syscall.Socket(syscall.AF_UNIX, syscall.SOCK_STREAM, 0)
	if err == nil {
		syscall.CloseOnExec(fd)
	}
	syscall.ForkLock.RUnlock()
	if err != nil {
		return Response{}, fmt.Errorf("can't reach the agent: %w", err)
	}
	conn := os.NewFile(uintptr(fd), path)
	defer conn.Close()
	if err := syscall.Connect(fd, &syscall.SockaddrUnix{Name: path}); err != nil {
		// No socket, or one no agent listens on (a killed agent's).
		if errors.Is(err, syscall.ENOENT) || errors.Is(err, syscall.ECONNREFUSED) {
			return Response{}, ErrNoAgent
		}
		return Response{}, fmt.Errorf("can't reach the agent: %w", err)
	}
	timeout := syscall.NsecToTimeval(ConnTimeout.Nanoseconds())
	for _, opt := range []int{syscall.SO_RCVTIMEO, syscall.SO_SNDTIMEO} {
		if err := syscall.SetsockoptTimeval(fd, syscall.SOL_SOCKET, opt, &timeout); err != nil {
			return Response{}, fmt.Errorf("can't reach the agent: %w", err)
		}
	}
	werr := WriteMessage(conn, req)
	// A refusal comes before the request is read, so the write can fail
	// with the answer already there to read.
	var resp Response
	if err := ReadMessage(conn, &resp); err != nil {
		if werr != nil {
			return Response{}, fmt.Errorf("can't reach the agent: %w", werr)
		}
		return Response{}, fmt.Errorf("the agent did not answer: %w", err)
	}
	return resp, nil
}
