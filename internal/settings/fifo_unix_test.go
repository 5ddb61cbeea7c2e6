//go:build unix

package settings

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/vmfa/vmfa/internal/safefile"
)

// written writes settings holding {"x": 7} in a new directory of the test's,
// 0700 in a 0700 parent, and returns them.
func written(t *testing.T) *File {
	t.Helper()
	f := Open(filepath.Join(t.TempDir(), "config", "vmfa"))
	if err := f.Set("x", 7); err != nil {
		t.Fatal(err)
	}
	return f
}

// TestSettingsFIFOs: a named pipe at settings.json or settings.lock blocked
// every read or write of the settings, and so every code; they are refused
// at once.
func TestSettingsFIFOs(t *testing.T) {
	for _, name := range []string{FileName, "settings.lock"} {
		f := written(t)
		path := filepath.Join(f.dir, name)
		os.Remove(path)
		if err := syscall.Mkfifo(path, 0o600); err != nil {
			t.Fatal(err)
		}
		done := make(chan error, 1)
		go func() {
			var x int
			_, err := f.Get("x", &x)
			if name != FileName {
				err = f.Set("x", 8)
			}
			done <- err
		}()
		select {
		case err := <-done:
			var nr *safefile.NotRegularError
			if !errors.As(err, &nr) || !strings.Contains(err.Error(), path+" is a named pipe, not a regular file") {
				t.Errorf("%s a named pipe: %v", name, err)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("%s a named pipe: still blocked after 5 s", name)
		}
	}
}
