package awssession

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"filippo.io/age"

	"github.com/vmfa/vmfa/internal/atomicfile"
	"github.com/vmfa/vmfa/internal/safefile"
)

// Cache keeps secrets by name until they expire. The agent's memory is one
// (its client has these two methods); FileCache, encrypted to the vault
// beside it, is the other.
type Cache interface {
	// Get returns the secret put under name, or ok=false if there is none
	// or it has expired.
	Get(name string) (secret []byte, ok bool, err error)
	// Put keeps secret under name for ttl, replacing any before it.
	Put(name string, secret []byte, ttl time.Duration) error
}

// Locker is a Cache that can make the processes that miss an entry at once
// fetch it one at a time, so that they spend one code and one STS call.
type Locker interface {
	// Lock waits, until ctx is done, to hold name's lock.
	Lock(ctx context.Context, name string) (unlock func(), err error)
}

// Decrypter opens what was encrypted to a recipient: the unlocked vault.
type Decrypter interface {
	Decrypt(ct []byte, max int64) ([]byte, error)
}

// maxCached bounds what Get decrypts: a session is well under a kilobyte.
const maxCached = 64 << 10

// FileCache keeps each secret in its own file, Dir/NAME.age, encrypted to
// an age recipient (the vault's), so that it is never in clear on disk and
// only the unlocked vault reads it back. The directory is 0700, the files
// 0600, each written whole and renamed into place.
type FileCache struct {
	Dir       string
	Recipient string // "age1…"
	Decrypter Decrypter
	Now       func() time.Time
}

// cachedSecret is the plaintext of a cache file.
type cachedSecret struct {
	Expires time.Time `json:"expires"`
	Secret  []byte    `json:"secret"`
}

func (c *FileCache) path(name string) (string, error) {
	if name == "" || filepath.Base(name) != name || name[0] == '.' {
		return "", fmt.Errorf("cache entry name %q is not a plain file name", name)
	}
	return filepath.Join(c.Dir, name+".age"), nil
}

// Get decrypts the file of name. An expired entry is removed; a file that
// does not decrypt is an error, since only the vault's recipient writes there.
func (c *FileCache) Get(name string) ([]byte, bool, error) {
	s, ok, err := c.entry(name)
	return s.Secret, ok, err
}

// entry is Get with the entry's expiry.
func (c *FileCache) entry(name string) (cachedSecret, bool, error) {
	p, err := c.path(name)
	if err != nil {
		return cachedSecret{}, false, err
	}
	ct, err := readCached(p)
	if errors.Is(err, fs.ErrNotExist) {
		return cachedSecret{}, false, nil
	}
	if err != nil {
		return cachedSecret{}, false, err
	}
	pt, err := c.Decrypter.Decrypt(ct, maxCached)
	defer clear(pt)
	if err != nil {
		return cachedSecret{}, false, fmt.Errorf("%s does not open with this vault (%v): delete it", p, err)
	}
	var s cachedSecret
	if err := json.Unmarshal(pt, &s); err != nil {
		return cachedSecret{}, false, fmt.Errorf("%s is damaged: delete it", p)
	}
	if !s.Expires.After(c.Now()) {
		clear(s.Secret)
		os.Remove(p)
		return cachedSecret{}, false, nil
	}
	return s, true, nil
}

// Names lists the entries on disk, expired ones included, in no order.
func (c *FileCache) Names() ([]string, error) {
	files, err := os.ReadDir(c.Dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var names []string
	for _, f := range files {
		if name, ok := strings.CutSuffix(f.Name(), ".age"); ok && name != "" && name[0] != '.' && f.Type().IsRegular() {
			names = append(names, name)
		}
	}
	return names, nil
}

// Delete removes the entry of name, and its lock file; one that is not
// there is no error.
func (c *FileCache) Delete(name string) error {
	p, err := c.path(name)
	if err != nil {
		return err
	}
	if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	os.Remove(strings.TrimSuffix(p, ".age") + ".lock")
	return nil
}

// readCached reads a cache file, which must be a regular file
// (safefile.Open): a named pipe there must not hang every AWS session.
func readCached(path string) ([]byte, error) {
	f, err := safefile.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(f)
}

// Put encrypts secret to the recipient and writes it under name.
func (c *FileCache) Put(name string, secret []byte, ttl time.Duration) error {
	p, err := c.path(name)
	if err != nil {
		return err
	}
	r, err := age.ParseX25519Recipient(c.Recipient)
	if err != nil {
		return fmt.Errorf("the vault's recipient is not an age X25519 recipient: %v", err)
	}
	pt, err := json.Marshal(cachedSecret{Expires: c.Now().Add(ttl).UTC(), Secret: secret})
	defer clear(pt)
	if err != nil {
		return err
	}
	var ct bytes.Buffer
	w, err := age.Encrypt(&ct, r)
	if err != nil {
		return err
	}
	if _, err := w.Write(pt); err != nil {
		return err
	}
	if err := w.Close(); err != nil {
		return err
	}
	if err := c.mkdir(); err != nil {
		return err
	}
	// An encrypted session each, never read again.
	atomicfile.RemoveStaleTemps(c.Dir, func(target string) bool { return strings.HasSuffix(target, ".age") })
	return atomicfile.Write(p, ct.Bytes())
}

// Lock takes an advisory lock on Dir/NAME.lock.
func (c *FileCache) Lock(ctx context.Context, name string) (func(), error) {
	p, err := c.path(name)
	if err != nil {
		return nil, err
	}
	if err := c.mkdir(); err != nil {
		return nil, err
	}
	l, err := safefile.NewLock(strings.TrimSuffix(p, ".age") + ".lock")
	if err != nil {
		return nil, fmt.Errorf("can't lock the AWS session cache: %w", err)
	}
	ok, err := l.TryLockContext(ctx, 20*time.Millisecond)
	if err != nil || !ok {
		return nil, fmt.Errorf("waiting for another vmfa fetching the same AWS session: %v", err)
	}
	return func() { l.Unlock() }, nil
}

// mkdir makes the cache directory, or tightens the one there to 0700
// (MkdirAll leaves an existing one as it is): a session is as good as a
// password.
func (c *FileCache) mkdir() error {
	if err := os.MkdirAll(c.Dir, 0o700); err != nil {
		return err
	}
	return os.Chmod(c.Dir, 0o700)
}
