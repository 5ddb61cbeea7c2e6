// Package atomicfile replaces files that may hold secrets: whole or not at
// all, and readable by their owner only.
package atomicfile

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
)

// Write replaces path with b: the new content is written to a temporary file
// beside it (0600, whatever the umask) and synced, then renamed over path, and
// the directory is synced, so a crash leaves either the old file or the new
// one, never half of either, and no reader ever sees a partial file.
func Write(path string, b []byte) error {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return fmt.Errorf("can't save %s, which is unchanged: %w", path, err)
	}
	defer os.Remove(tmp.Name()) // fails harmlessly once renamed
	err = tmp.Chmod(0o600)
	if err == nil {
		_, err = tmp.Write(b)
	}
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		return fmt.Errorf("can't save %s, which is unchanged: %w", path, err)
	}
	if runtime.GOOS == "windows" {
		return nil // directories can't be synced there; NTFS journals renames
	}
	d, err := os.Open(dir)
	if err == nil {
		err = d.Sync()
		d.Close()
	}
	if err != nil {
		return fmt.Errorf("saved %s, but a crash could still undo it: %w", path, err)
	}
	return nil
}
