//go:build unix

package safefile

import (
	"errors"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// TestOpenRefusesWithoutBlocking: a named pipe, a directory, a device and a
// socket are refused at once, each named; a regular file, also through a
// symbolic link, opens.
func TestOpenRefusesWithoutBlocking(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	regular := filepath.Join(dir, "regular")
	os.WriteFile(regular, []byte("x"), 0o600)
	link := filepath.Join(dir, "link")
	os.Symlink(regular, link)
	sock := filepath.Join(dir, "sock")
	if fd, err := syscall.Socket(syscall.AF_UNIX, syscall.SOCK_STREAM, 0); err == nil {
		syscall.Bind(fd, &syscall.SockaddrUnix{Name: sock})
		defer syscall.Close(fd)
	}
	for path, want := range map[string]string{
		fifo:        fifo + " is a named pipe, not a regular file",
		dir:         dir + " is a directory, not a regular file",
		"/dev/null": "/dev/null is a character device, not a regular file",
		sock:        "", // sockets can't be opened at all: ENXIO
	} {
		done := make(chan error, 1)
		go func() {
			f, err := Open(path)
			if err == nil {
				f.Close()
			}
			done <- err
		}()
		select {
		case err := <-done:
			var nr *NotRegularError
			if err == nil || want != "" && (!errors.As(err, &nr) || err.Error() != want) {
				t.Errorf("Open(%s) = %v, want %q", path, err, want)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("Open(%s) still blocked after 5 s", path)
		}
	}
	for _, p := range []string{regular, link} {
		f, err := Open(p)
		if err != nil {
			t.Errorf("Open(%s): %v", p, err)
			continue
		}
		f.Close()
	}
	if _, err := NewLock(fifo); !errors.As(err, new(*NotRegularError)) {
		t.Errorf("NewLock on a named pipe: %v", err)
	}
	if _, err := NewLock(link); err == nil {
		t.Error("NewLock followed a symbolic link")
	}
}
