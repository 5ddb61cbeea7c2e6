package vault

import (
	"bufio"
	crand "crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/gofrs/flock"

	"github.com/vmfa/vmfa/internal/safefile"
	"github.com/vmfa/vmfa/internal/shellquote"
)

// Names of the files in a vault directory.
const (
	identityFile = "identity.age"
	vaultFile    = "vault.age"
	lockFile     = "vault.lock"
	bakSuffix    = ".bak"
	// Temporary files are hidden siblings of their target, named
	// ".<target>.tmp<random>", so that a writer holding the lock can tell
	// the ones a killed writer left behind.
	tmpMark = ".tmp"
)

// Size limits. A vault of a thousand accounts is about 300 KiB; the caps only
// stop a hostile or mangled file from making us allocate without bound.
const (
	maxVaultSize    = 64 << 20
	maxIdentitySize = 64 << 10
)

// lockTimeout is how long a writer waits for another to finish before giving
// up with ErrBusy. Saves take milliseconds, so only a stuck process (or a
// user who left a passphrase prompt open in a process holding the lock,
// which this package never does) makes anyone wait that long.
var lockTimeout = 10 * time.Second

var errTooLarge = errors.New("file is too large")

// Seams for the tests of durability, which no test can cut the power to
// check: traceDurable is told of each step that makes a save durable, as
// it is taken ("sync" of a file or a directory, "rename" or "link" of a
// file into place), and link makes hard links, which tests make fail as a
// file system without them does.
var (
	traceDurable = func(op, path string) {}
	link         = os.Link
)

// readFile reads the whole of path, refusing to read more than max bytes,
// or anything but a regular file (safefile.Open).
func readFile(path string, max int64) ([]byte, error) {
	f, err := safefile.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	size := int64(512)
	if fi, err := f.Stat(); err == nil {
		size = fi.Size()
	}
	b, err := readAll(f, size, max)
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > max {
		return nil, fmt.Errorf("%w: over %s", errTooLarge, sizeText(max))
	}
	return b, nil
}

// sizeText writes a size limit as people read it: "64 KiB", "64 MiB".
func sizeText(n int64) string {
	if n >= 1<<20 {
		return fmt.Sprintf("%d MiB", n>>20)
	}
	return fmt.Sprintf("%d KiB", n>>10)
}

// writeAtomic replaces dir/name with what write produces, keeping the
// previous version as dir/name.bak. It writes only the files that travel
// with a vault (vault.age, identity.age, recipients/), which OnChange hears of.
//
// The new content goes to a temporary file in the same directory, which is
// synced before anything else happens: until the final rename, dir/name is
// the old file, complete and untouched, whatever fails (a full disk, a
// crash, a kill). If modTime is not zero, it becomes the new file's: the
// time it was saved, by the Store's clock. Then keep, if not nil, keeps the
// old file elsewhere (a generation), durably, and returns how to undo that
// should what follows fail. The backup is made by linking (or, where links
// are not supported, copying) the old file to a temporary name and renaming
// that over name.bak, so there is no moment when dir/name is missing.
// Finally the directory is synced so that the rename survives a power cut.
//
// A dir/name that is a symbolic link is refused, not replaced: replacing it
// would leave the link's target a stale copy that its owner believes
// current, and writing through it would put the temporary file, the backup
// and the generations in a directory vmfa has not checked.
//
// The caller must hold the lock.
func writeAtomic(dir, name string, modTime time.Time, write func(io.Writer) error, keep func() (undo func(), err error)) error {
	target := filepath.Join(dir, name)
	if err := checkReplaceable(target); err != nil {
		return err
	}
	f, err := os.CreateTemp(dir, "."+name+tmpMark+"*")
	if err != nil {
		return fmt.Errorf("can't save %s, which is unchanged: %w", target, err)
	}
	tmp := f.Name()
	renamed := false
	defer func() {
		if !renamed {
			f.Close()
			os.Remove(tmp)
		}
	}()
	if err := writeSynced(f, write); err != nil {
		return fmt.Errorf("can't save %s, which is unchanged: %w", target, err)
	}
	if !modTime.IsZero() {
		if err := os.Chtimes(tmp, modTime, modTime); err != nil {
			return fmt.Errorf("can't save %s, which is unchanged: %w", target, err)
		}
	}
	undo := func() {}
	if keep != nil {
		if undo, err = keep(); err != nil {
			return fmt.Errorf("can't keep the previous version of %s in %s before saving it, so it is unchanged: %w", target, backupsDir, err)
		}
	}
	if err := backup(dir, name); err != nil {
		undo()
		return fmt.Errorf("can't back up %s before saving it, so it is unchanged: %w", target, err)
	}
	if err := os.Rename(tmp, target); err != nil {
		undo()
		return fmt.Errorf("can't save %s, which is unchanged: %w", target, err)
	}
	traceDurable("rename", target)
	travelWrites.Add(1)
	renamed = true
	if err := syncDir(dir); err != nil {
		return fmt.Errorf("saved %s, but a crash could still undo it: %w", target, err)
	}
	return nil
}

// LinkedFileError is the refusal to save a file of the vault that is a
// symbolic link: saving replaces the file, which would leave the one it
// points to a stale copy. The front end may add that the vault can be used
// where that file is instead.
type LinkedFileError struct {
	Path   string // the link, which is left as it is
	Target string // what it points to
}

func (e *LinkedFileError) Error() string {
	return fmt.Sprintf("can't save %s, which is unchanged: it is a symbolic link to %s, and saving replaces the file, which would leave %s a stale copy: put the file itself in its place ('mv %s %s')",
		e.Path, e.Target, e.Target, shellquote.Word(e.Target), shellquote.Word(e.Path))
}

// checkReplaceable refuses to replace a path that is a symbolic link, or
// anything but a regular file, saying what to do instead. A path that does
// not exist yet passes.
func checkReplaceable(path string) error {
	fi, err := os.Lstat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil
	case err != nil:
		return err
	case fi.Mode()&fs.ModeSymlink != 0:
		to, _ := os.Readlink(path)
		return &LinkedFileError{Path: path, Target: to}
	case !fi.Mode().IsRegular():
		return fmt.Errorf("can't save %s: it is not a regular file (%v)", path, fi.Mode().Type())
	}
	return nil
}

// writeSynced fills f, makes it 0600 whatever the umask, and syncs and
// closes it.
func writeSynced(f *os.File, write func(io.Writer) error) error {
	if err := f.Chmod(0o600); err != nil {
		return err
	}
	bw := bufio.NewWriter(f)
	if err := write(bw); err != nil {
		return err
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		return err
	}
	traceDurable("sync", f.Name())
	return f.Close()
}

// backup makes dir/name.bak a copy of dir/name, atomically. It does nothing
// if dir/name does not exist yet.
func backup(dir, name string) error {
	src := filepath.Join(dir, name)
	dst := src + bakSuffix
	tmp := filepath.Join(dir, "."+name+bakSuffix+tmpMark+randomHex(8))
	err := link(src, tmp)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		// Some file systems (FAT, some network and FUSE ones) have no
		// hard links.
		tmp, err = copyToTemp(src, dir, "."+name+bakSuffix+tmpMark+"*")
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		if err != nil {
			return err
		}
	}
	err = os.Rename(tmp, dst)
	// If dst already was a link to src (a writer was killed between
	// backing up and renaming), rename(2) does nothing and leaves tmp.
	os.Remove(tmp)
	return err
}

// copyToTemp copies src to a new synced temporary file in dir and returns
// its name.
func copyToTemp(src, dir, pattern string) (string, error) {
	in, err := safefile.Open(src)
	if err != nil {
		return "", err
	}
	defer in.Close()
	out, err := os.CreateTemp(dir, pattern)
	if err != nil {
		return "", err
	}
	err = writeSynced(out, func(w io.Writer) error {
		_, err := io.Copy(w, in)
		return err
	})
	if err != nil {
		out.Close()
		os.Remove(out.Name())
		return "", err
	}
	return out.Name(), nil
}

// syncDir makes renames in dir durable.
func syncDir(dir string) error {
	if runtime.GOOS == "windows" {
		// Directories can't be opened for syncing there; NTFS journals
		// renames itself.
		return nil
	}
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = d.Sync()
	if err == nil {
		traceDurable("sync", dir)
	}
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	return err
}

// removeStaleTemps deletes the temporary files that a writer killed between
// creating and renaming them left in dir. Every writer holds the lock, so
// when we hold it none of them is in use. Errors are ignored: a leftover
// temporary file wastes a little space, and the next save tries again.
func removeStaleTemps(dir string) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	for _, e := range entries {
		if isTemp(e.Name()) && e.Type().IsRegular() {
			os.Remove(filepath.Join(dir, e.Name()))
		}
	}
}

// isTemp reports whether name is one of our temporary files.
func isTemp(name string) bool {
	for _, target := range []string{vaultFile, identityFile} {
		for _, n := range []string{target, target + bakSuffix} {
			if strings.HasPrefix(name, "."+n+tmpMark) {
				return true
			}
		}
	}
	return false
}

// lock takes the exclusive advisory lock on dir/vault.lock, waiting up to
// lockTimeout for another writer to release it. The lock is per open file,
// so it also serializes goroutines of one process that use different Vaults.
//
// It refuses a directory others can write to (checkDir), and never follows
// a symbolic link at vault.lock: one planted there would make every writer
// create, or change the mode of, whatever it points to.
func lock(dir string) (release func(), err error) {
	if err := checkDir(dir); err != nil {
		return nil, err
	}
	l, err := newLock(filepath.Join(dir, lockFile))
	if err != nil {
		return nil, err
	}
	deadline := time.Now().Add(lockTimeout)
	delay := time.Millisecond
	for {
		ok, err := l.TryLock()
		if errors.Is(err, fs.ErrNotExist) {
			return nil, ErrNoVault
		}
		if err != nil {
			return nil, fmt.Errorf("can't lock the vault: %w", err)
		}
		if ok {
			break
		}
		if time.Now().After(deadline) {
			return nil, ErrBusy
		}
		// Jitter keeps two waiters from polling in step; the backoff keeps
		// a long wait cheap.
		time.Sleep(delay + rand.N(delay))
		delay = min(2*delay, 50*time.Millisecond)
	}
	removeStaleTemps(dir)
	writes := travelWrites.Load()
	return func() {
		l.Unlock()
		if travelWrites.Load() != writes {
			notifyChange(dir)
		}
	}, nil
}

// newLock returns the lock on vault.lock, which it creates if need be
// (safefile.NewLock: 0600, a regular file, never through a symbolic link).
func newLock(path string) (*flock.Flock, error) {
	l, err := safefile.NewLock(path)
	var notRegular *safefile.NotRegularError
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, ErrNoVault
	case errors.As(err, &notRegular):
		return nil, err
	case err != nil:
		if fi, lerr := os.Lstat(path); lerr == nil && fi.Mode()&fs.ModeSymlink != 0 {
			return nil, fmt.Errorf("%s is a symbolic link, which vmfa never follows: remove it ('rm %s')", path, shellquote.Word(path))
		}
		return nil, fmt.Errorf("can't lock the vault: %w", err)
	}
	return l, nil
}

func randomHex(n int) string {
	b := make([]byte, n)
	crand.Read(b) // never fails since Go 1.24
	return hex.EncodeToString(b)
}
