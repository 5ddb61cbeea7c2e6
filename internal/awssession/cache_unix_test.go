//go:build unix

package awssession

import (
	"context"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestFileCacheFIFOs: a named pipe in the place of a session's file or of
// its lock made every 'vmfa aws' of that profile block until killed. Both
// are refused at once, naming the file.
func TestFileCacheFIFOs(t *testing.T) {
	v := newVault(t)
	c := &FileCache{Dir: t.TempDir(), Recipient: v.Recipient(), Decrypter: v, Now: time.Now}
	for _, name := range []string{"entry.age", "entry.lock"} {
		path := filepath.Join(c.Dir, name)
		if err := syscall.Mkfifo(path, 0o600); err != nil {
			t.Fatal(err)
		}
		done := make(chan error, 1)
		go func() {
			if name == "entry.lock" {
				_, err := c.Lock(context.Background(), "entry")
				done <- err
				return
			}
			_, _, err := c.Get("entry")
			done <- err
		}()
		select {
		case err := <-done:
			if err == nil || !strings.Contains(err.Error(), path+" is a named pipe, not a regular file") {
				t.Errorf("%s a named pipe: %v", name, err)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("%s a named pipe: still blocked after 5 s", name)
		}
	}
}
