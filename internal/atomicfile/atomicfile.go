// Package atomicfile replaces files that may hold secrets: whole or not at
// all, and readable by their owner only.
package atomicfile

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"
)

// Write replaces path with b: the new content is written to a temporary file
// beside it (0600, whatever the umask) and synced, then renamed over path, and
// the directory is synced, so a crash leaves either the old file or the new
// one, never half of either, and no reader ever sees a partial file.
func Write(path string, b []byte) error {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, tempPattern(filepath.Base(path)))
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

// StaleAge is how old a temporary file of Write must be to be taken for one
// that a writer killed before its rename left: a live writer holds its own
// for milliseconds.
const StaleAge = time.Minute

// RemoveStaleTemps removes from dir the temporary files that killed Writes
// left, of the targets owned reports as the caller's (by their base name),
// once they are StaleAge old; they may hold secrets, and nothing reads them.
// Errors are ignored: the next call tries again.
func RemoveStaleTemps(dir string, owned func(target string) bool) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	for _, e := range entries {
		target, ok := tempTarget(e.Name())
		if !ok || !owned(target) || !e.Type().IsRegular() {
			continue
		}
		// File times are the system clock's, whatever vmfa's clock says.
		if fi, err := e.Info(); err == nil && time.Since(fi.ModTime()) > StaleAge {
			os.Remove(filepath.Join(dir, e.Name()))
		}
	}
}

// tempPattern is the os.CreateTemp pattern of Write's temporary file for
// the target of base name target.
func tempPattern(target string) string { return "." + target + ".tmp*" }

// tempTarget returns the base name of the file that Write's temporary file
// name (".TARGET.tmpDIGITS") was for.
func tempTarget(name string) (string, bool) {
	i := strings.LastIndex(name, ".tmp")
	if !strings.HasPrefix(name, ".") || i < 2 || len(name) == i+4 {
		return "", false
	}
	for _, r := range name[i+4:] {
		if r < '0' || r > '9' {
			return "", false
		}
	}
	return name[1:i], true
}
