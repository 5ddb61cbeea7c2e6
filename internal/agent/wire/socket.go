//go:build unix

package wire

import (
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"syscall"
	"time"
)

// SocketPath returns the path of the socket of the vault directory dir: in
// $XDG_RUNTIME_DIR/vmfa, else in vmfa-UID in the temporary directory. It
// makes that directory 0700 if need be, and refuses it unless it is the
// user's own directory that no one else can enter.
func SocketPath(dir string) (string, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	runDir, err := runtimeDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(runDir, SocketName(filepath.Clean(abs))), nil
}

func runtimeDir() (string, error) {
	uid := os.Getuid()
	var dir string
	if x := os.Getenv("XDG_RUNTIME_DIR"); x != "" && filepath.IsAbs(x) {
		dir = filepath.Join(x, "vmfa")
	} else {
		dir = filepath.Join(os.TempDir(), fmt.Sprintf("vmfa-%d", uid))
	}
	if err := os.Mkdir(dir, 0o700); err != nil && !errors.Is(err, os.ErrExist) {
		return "", fmt.Errorf("can't make the agent's directory: %w", err)
	}
	if err := CheckRuntimeDir(dir, uid); err != nil {
		return "", err
	}
	return dir, nil
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
		return fmt.Errorf("%s, the agent's directory, is open to others (%v): run 'chmod 700 %s'", dir, fi.Mode().Perm(), dir)
	}
	return nil
}

// Do sends req to the agent listening on the socket path, on a connection
// of its own, and returns its response as it came, error codes included.
// With no agent there, it returns ErrNoAgent.
func Do(path string, req Request) (Response, error) {
	conn, err := net.DialTimeout("unix", path, ConnTimeout)
	if err != nil {
		// No socket, or one no agent listens on (a killed agent's).
		if errors.Is(err, syscall.ENOENT) || errors.Is(err, syscall.ECONNREFUSED) {
			return Response{}, ErrNoAgent
		}
		return Response{}, fmt.Errorf("can't reach the agent: %w", err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(ConnTimeout))
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
