// Package settings is vmfa's file of non-secret preferences: one JSON object
// in settings.json under the user's configuration directory, each preference
// under its own key, so that one feature's setting never disturbs another's.
//
// Nothing secret belongs here: secrets live in the vault. The file is still
// written as private (0600 in a 0700 directory) since it says which servers
// and services the user deals with. Settings that someone else could have
// written (in a directory others can write to, or someone else's) are
// refused, as the vault is: a planted clock correction would move every code.
package settings

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/vmfa/vmfa/internal/atomicfile"
	"github.com/vmfa/vmfa/internal/dirs"
	"github.com/vmfa/vmfa/internal/safefile"
)

// FileName is the settings file's name inside its directory.
const FileName = "settings.json"

// maxSize bounds what is read: settings are a few hundred bytes, and a huge
// file is a mistake, not preferences.
const maxSize = 1 << 20

// File is the settings file in one directory. Reading a missing file, or a
// missing directory, finds no settings; the first Set creates both.
type File struct {
	dir string
}

// Open returns the settings file in dir, without touching the disk.
func Open(dir string) *File { return &File{dir: dir} }

// Default opens the settings file in vmfa's configuration directory
// (dirs.Settings).
func Default() (*File, error) {
	dir, err := dirs.Settings()
	if err != nil {
		return nil, err
	}
	return Open(dir), nil
}

// Path is the settings file's path, for messages.
func (f *File) Path() string { return filepath.Join(f.dir, FileName) }

// Get decodes the value under key into v and reports whether there was one.
func (f *File) Get(key string, v any) (bool, error) {
	all, err := f.read()
	if err != nil {
		return false, err
	}
	raw, ok := all[key]
	if !ok {
		return false, nil
	}
	if err := json.Unmarshal(raw, v); err != nil {
		return false, fmt.Errorf("%s: %q is not what vmfa wrote (%v): fix it, or remove the key", f.Path(), key, err)
	}
	return true, nil
}

// Set stores v under key, keeping every other key as it was.
func (f *File) Set(key string, v any) error {
	raw, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return f.update(func(all map[string]json.RawMessage) bool {
		all[key] = raw
		return true
	})
}

// Delete removes key and reports whether it was there.
func (f *File) Delete(key string) (bool, error) {
	var found bool
	err := f.update(func(all map[string]json.RawMessage) bool {
		_, found = all[key]
		delete(all, key)
		return found
	})
	return found, err
}

// read returns the file's keys; a missing file has none. A file that
// someone else could have written is refused (checkTrusted).
func (f *File) read() (map[string]json.RawMessage, error) {
	all := map[string]json.RawMessage{}
	fh, err := safefile.Open(f.Path())
	if errors.Is(err, fs.ErrNotExist) {
		return all, nil
	}
	if err != nil {
		return nil, err
	}
	defer fh.Close()
	if err := f.checkTrusted(fh); err != nil {
		return nil, err
	}
	b, err := io.ReadAll(io.LimitReader(fh, maxSize+1))
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", f.Path(), err)
	}
	if len(b) > maxSize {
		return nil, fmt.Errorf("%s is over %d KiB, which is not settings: move it away", f.Path(), maxSize>>10)
	}
	if err := json.Unmarshal(b, &all); err != nil {
		return nil, fmt.Errorf("%s is not a JSON object (%v): fix it, or delete it to start over", f.Path(), err)
	}
	if all == nil { // the file says null
		all = map[string]json.RawMessage{}
	}
	return all, nil
}

// update changes the keys under a lock, so that two vmfa processes setting
// different keys never lose each other's change, and writes the file if
// change says so.
func (f *File) update(change func(map[string]json.RawMessage) bool) error {
	if err := f.checkTrusted(nil); err != nil {
		return err
	}
	if err := os.MkdirAll(f.dir, 0o700); err != nil {
		return fmt.Errorf("can't create %s for vmfa's settings: %w", f.dir, err)
	}
	lock, err := safefile.NewLock(filepath.Join(f.dir, "settings.lock"))
	if err != nil {
		return fmt.Errorf("can't lock vmfa's settings: %w", err)
	}
	if err := lock.Lock(); err != nil {
		return fmt.Errorf("can't lock vmfa's settings in %s: %w", f.dir, err)
	}
	defer lock.Unlock()
	all, err := f.read()
	if err != nil {
		return err
	}
	if !change(all) {
		return nil
	}
	b, err := json.MarshalIndent(all, "", "  ")
	if err != nil {
		return err
	}
	return atomicfile.Write(f.Path(), append(b, '\n'))
}

// ErrUntrusted is what reading settings that someone else could have
// written returns: a planted clock correction would move every code.
var ErrUntrusted = errors.New("not trusted")

// checkTrusted refuses settings that someone other than the user could have
// written, with an error wrapping ErrUntrusted and a *safefile.UntrustedError
// that names what is at fault. Its directory is checked as the vault's is:
// the user's, writable by no one else, and held by directories that only
// the user and root can change (safefile.CheckAncestors). The file, fh if
// it is open, must be the user's and writable by no one else.
func (f *File) checkTrusted(fh *os.File) error {
	err := f.checkDir()
	if err == nil && fh != nil {
		var fi fs.FileInfo
		if fi, err = fh.Stat(); err == nil {
			err = safefile.CheckOwned(f.Path(), fi)
		}
	}
	var u *safefile.UntrustedError
	if errors.As(err, &u) {
		return fmt.Errorf("%s is %w: %w, so someone else could have written it", f.Path(), ErrUntrusted, err)
	}
	return err
}

// checkDir checks the settings' directory, if it exists, and what holds it.
func (f *File) checkDir() error {
	if fi, err := os.Stat(f.dir); err == nil {
		if err := safefile.CheckOwned(f.dir, fi); err != nil {
			return err
		}
	} else if !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return safefile.CheckAncestors(f.dir)
}
