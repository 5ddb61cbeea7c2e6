//go:build unix

package agekey_test

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/vmfa/vmfa/internal/agekey"
)

// TestPubFileBounded: the .pub beside a PEM key with a passphrase is read
// up to a bound, like the key itself, not until an end that may never come
// (here a pipe whose writer never closes it).
func TestPubFileBounded(t *testing.T) {
	dir := t.TempDir()
	pem, _ := keygen(t, dir, "pem", "-t", "rsa", "-b", "2048", "-m", "PEM", "-N", "key passphrase")
	pub := pem + ".pub"
	os.Remove(pub)
	if err := syscall.Mkfifo(pub, 0o600); err != nil {
		t.Fatal(err)
	}
	stop := make(chan struct{})
	defer close(stop)
	go func() {
		f, err := os.OpenFile(pub, os.O_WRONLY, 0)
		if err != nil {
			return
		}
		defer f.Close()
		f.Write([]byte(strings.Repeat("x", 1<<20)))
		<-stop
	}()
	done := make(chan error, 1)
	go func() {
		_, err := agekey.ReadIdentities(pem, nil)
		done <- err
	}()
	select {
	case err := <-done:
		if err == nil || !strings.Contains(err.Error(), filepath.Base(pub)) {
			t.Fatalf("ReadIdentities: %v, want an error about %s", err, filepath.Base(pub))
		}
	case <-time.After(10 * time.Second):
		t.Fatal("ReadIdentities still reads the .pub after 10 s")
	}
}
