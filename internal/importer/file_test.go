package importer

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// ReadFile reads at most MaxFileSize bytes: readLimited reads a file of
// its limit whole and refuses one a byte larger (a small limit here, as 64
// MiB would cost every run of the tests seconds).
func TestReadLimited(t *testing.T) {
	path := filepath.Join(t.TempDir(), "export")
	data := bytes.Repeat([]byte("x"), 1<<20+1)
	os.WriteFile(path, data[:1<<20], 0o600)
	if got, err := readLimited(path, 1<<20); err != nil || !bytes.Equal(got, data[:1<<20]) {
		t.Errorf("a file of the limit: %d bytes read, %v", len(got), err)
	}
	os.WriteFile(path, data, 0o600)
	if got, err := readLimited(path, 1<<20); err == nil || err.Error() != "over 1 MiB" {
		t.Errorf("a file a byte over the limit: %d bytes read, %v", len(got), err)
	}
}
