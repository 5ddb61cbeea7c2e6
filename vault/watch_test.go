package vault

import (
	"os"
	"path/filepath"
	"testing"
)

// TestStamp: a stamp changes with every save by any writer, even one that
// keeps the size and, on a file system with a coarse clock, the time; it
// does not change without a save.
func TestStamp(t *testing.T) {
	s, reader := newTestVault(t)
	addAccounts(t, reader, 0, 2)
	before, err := reader.Stamp()
	if err != nil {
		t.Fatal(err)
	}
	if again, err := reader.Stamp(); err != nil || !again.Equal(before) {
		t.Fatalf("two stamps of one version differ (%v)", err)
	}
	if _, err := reader.Load(); err != nil {
		t.Fatal(err)
	}
	if again, _ := reader.Stamp(); !again.Equal(before) {
		t.Fatal("loading changed the stamp")
	}

	// Another process (another Vault on the directory) saves a version of
	// the same size (no change: a change is stamped, merge.go, which
	// lengthens the file), and the clock does not move.
	writer, err := s.Unlock(testPassphrase)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(s.Dir(), vaultFile)
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := writer.Update(func(d *Data) error { return nil }); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(path, fi.ModTime(), fi.ModTime()); err != nil {
		t.Fatal(err)
	}
	after, err := reader.Stamp()
	if err != nil {
		t.Fatal(err)
	}
	if nfi, _ := os.Stat(path); nfi.Size() != fi.Size() {
		t.Fatalf("the test's change altered the size (%d to %d)", fi.Size(), nfi.Size())
	}
	if after.Equal(before) {
		t.Fatal("a save of the same size at the same time went unseen")
	}

	// A missing vault.age has the zero stamp.
	if err := os.Rename(path, path+".moved"); err != nil {
		t.Fatal(err)
	}
	gone, err := reader.Stamp()
	if err != nil || !gone.Equal(Stamp{}) || gone.Equal(after) {
		t.Fatalf("missing file: %v, equal to zero %v", err, gone.Equal(Stamp{}))
	}
}
