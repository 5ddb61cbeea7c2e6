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
// up with ErrLocked. Saves take milliseconds, so only a stuck process (or a
// user who left a passphrase prompt open in a process holding the lock,
// which this package never does) makes anyone wait that long.
var lockTimeout = 10 * time.Second

var errTooLarge = errors.New("file is too large")

// readFile reads the whole of path, refusing to read more than max bytes.
func readFile(path string, max int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, max+1))
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
// previous version as dir/name.bak.
//
// The new content goes to a temporary file in the same directory, which is
// synced before anything else happens: until the final rename, dir/name is
// the old file, complete and untouched, whatever fails (a full disk, a
// crash, a kill). The backup is made by linking (or, where links are not
// supported, copying) the old file to a temporary name and renaming that
// over name.bak, so there is no moment when dir/name is missing. Finally the
// directory is synced so that the rename survives a power cut.
//
// The caller must hold the lock.
func writeAtomic(dir, name string, write func(io.Writer) error) error {
	target := filepath.Join(dir, name)
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
	if err := backup(dir, name); err != nil {
		return fmt.Errorf("can't back up %s before saving it, so it is unchanged: %w", target, err)
	}
	if err := os.Rename(tmp, target); err != nil {
		return fmt.Errorf("can't save %s, which is unchanged: %w", target, err)
	}
	renamed = true
	if err := syncDir(dir); err != nil {
		return fmt.Errorf("saved %s, but a crash could still undo it: %w", target, err)
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
	return f.Close()
}

// backup makes dir/name.bak a copy of dir/name, atomically. It does nothing
// if dir/name does not exist yet.
func backup(dir, name string) error {
	src := filepath.Join(dir, name)
	dst := src + bakSuffix
	tmp := filepath.Join(dir, "."+name+bakSuffix+tmpMark+randomHex(8))
	err := os.Link(src, tmp)
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
	in, err := os.Open(src)
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
func lock(dir string) (release func(), err error) {
	path := filepath.Join(dir, lockFile)
	l := flock.New(path, flock.SetPermissions(0o600))
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
			return nil, ErrLocked
		}
		// Jitter keeps two waiters from polling in step; the backoff keeps
		// a long wait cheap.
		time.Sleep(delay + rand.N(delay))
		delay = min(2*delay, 50*time.Millisecond)
	}
	if fi, err := os.Stat(path); err == nil && fi.Mode().Perm() != 0o600 && runtime.GOOS != "windows" {
		os.Chmod(path, 0o600)
	}
	removeStaleTemps(dir)
	return func() { l.Unlock() }, nil
}

func randomHex(n int) string {
	b := make([]byte, n)
	crand.Read(b) // never fails since Go 1.24
	return hex.EncodeToString(b)
}
