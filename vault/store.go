package vault

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"filippo.io/age"

	"github.com/vmfa/vmfa/internal/shellquote"
)

// Store is a vault directory. It holds no secrets and does no I/O until one
// of its methods needs to.
type Store struct {
	dir string
	now func() time.Time // the clock that dates saves
}

// Open returns the Store in dir, which need not exist yet.
func Open(dir string) *Store {
	return &Store{dir: dir, now: time.Now}
}

// Dir returns the directory of the Store.
func (s *Store) Dir() string { return s.dir }

func (s *Store) path(name string) string { return filepath.Join(s.dir, name) }

// Exists reports whether the Store holds a vault.
//
// A directory that holds any file of a vault (vault.age, a backup, a
// generation) but not identity.age holds an incomplete vault: Exists returns
// true and an *IncompleteError that says what is missing and how to restore
// it, so that no caller takes it for "no vault" and creates a new one over
// the last copy. A directory that others can write to is refused (checkDir).
func (s *Store) Exists() (bool, error) {
	if err := checkDir(s.dir); err != nil {
		return false, err
	}
	_, err := os.Lstat(s.path(identityFile))
	if err == nil {
		return true, nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return false, err
	}
	if err := s.incomplete(); err != nil {
		return true, err
	}
	return false, nil
}

// incomplete returns an *IncompleteError if the directory holds any file of
// a vault but identity.age, and nil if it holds none.
func (s *Store) incomplete() error {
	var present []string
	for _, n := range []string{identityFile + bakSuffix, vaultFile, vaultFile + bakSuffix} {
		if _, err := os.Lstat(s.path(n)); err == nil {
			present = append(present, n)
		}
	}
	if gens, _ := s.generations(); len(gens) > 0 {
		present = append(present, fmt.Sprintf("%d earlier versions in %s", len(gens), backupsDir))
	}
	if len(present) == 0 {
		return nil
	}
	e := &IncompleteError{Dir: s.dir, Present: present}
	if present[0] == identityFile+bakSuffix {
		e.Restore = fmt.Sprintf("restore it with 'mv %s %s' (the backup opens with the passphrase you had before the last change)",
			shellquote.Word(s.path(identityFile+bakSuffix)), shellquote.Word(s.path(identityFile)))
	} else {
		e.Restore = "restore identity.age from your own backups, or move the directory away to start over"
	}
	return e
}

// checkWorkFactor maps 0 to DefaultWorkFactor and refuses what age would
// refuse or what would take minutes to unlock.
func checkWorkFactor(wf int) (int, error) {
	if wf == 0 {
		return DefaultWorkFactor, nil
	}
	if wf < 1 || wf > MaxWorkFactor {
		return 0, ErrInvalidWorkFactor
	}
	return wf, nil
}

// Create makes a new vault: the directory (0700) if needed, a new X25519
// identity in identity.age, encrypted with passphrase at the given scrypt work
// factor (0 means DefaultWorkFactor), and an empty vault.age.
//
// It returns ErrExists if the directory already holds a vault. Two processes
// racing to create the same vault are serialized by the lock: one wins, the
// other gets ErrExists.
func (s *Store) Create(passphrase string, workFactor int) (*Vault, error) {
	if passphrase == "" {
		return nil, ErrEmptyPassphrase
	}
	wf, err := checkWorkFactor(workFactor)
	if err != nil {
		return nil, err
	}
	if err := checkMemory(wf, "creating a vault", "choose a lower work factor (18 needs 256 MiB)"); err != nil {
		return nil, err
	}
	if err := checkDir(s.dir); err != nil { // before making it, if need be
		return nil, err
	}
	if err := s.mkdir(); err != nil {
		return nil, err
	}
	release, err := lock(s.dir)
	if err != nil {
		return nil, err
	}
	defer release()

	// An incomplete vault is an ErrExists too: the user may have a copy of
	// identity.age somewhere, and a new vault would overwrite the backups.
	if ok, err := s.Exists(); err != nil {
		return nil, err
	} else if ok {
		return nil, fmt.Errorf("%w in %s", ErrExists, s.dir)
	}

	id, err := age.GenerateX25519Identity()
	if err != nil {
		return nil, err
	}
	v := newVault(s, id, s.now())
	s.unmark() // another vault's, moved away
	// identity.age goes first: it is what Exists looks for, and Load reads a
	// missing vault.age with no backup as an empty vault, so a crash between
	// the two writes leaves a working, empty vault rather than one that
	// blocks Create forever.
	if err := v.writeIdentity(passphrase, wf); err != nil {
		return nil, err
	}
	if _, err := v.save(&Data{Version: Version, Accounts: []Entry{}}); err != nil {
		return nil, err
	}
	return v, nil
}

// NotDirError is the error for a vault directory, or one of the vault's
// own such as backups/, that is something other than a directory.
type NotDirError struct{ Path string }

func (e *NotDirError) Error() string { return e.Path + " is not a directory" }

// mkdir creates the vault directory, 0700 whatever the umask. A directory
// that already exists is left as it is: it is the user's.
func (s *Store) mkdir() error {
	if s.dir == "" {
		// Open("") is the caller's mistake: every front end names one.
		return errors.New("the vault directory's path is empty")
	}
	fi, err := os.Stat(s.dir)
	if err == nil {
		if !fi.IsDir() {
			return &NotDirError{Path: s.dir}
		}
		return nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	if err := os.MkdirAll(s.dir, 0o700); err != nil {
		return err
	}
	return os.Chmod(s.dir, 0o700)
}

// Unlock decrypts identity.age with passphrase. It costs one scrypt.
//
// It returns ErrNoVault if there is no vault, ErrWrongPassphrase if the
// passphrase does not open identity.age, and a *DamagedError if the file
// can't be read back.
//
// age's scrypt is not a robust AEAD, so a bit flipped in the wrapped key of
// identity.age looks exactly like a wrong passphrase; nothing can tell them
// apart.
func (s *Store) Unlock(passphrase string) (*Vault, error) {
	if passphrase == "" {
		return nil, ErrEmptyPassphrase
	}
	if err := checkDir(s.dir); err != nil {
		return nil, err
	}
	ct, err := readFile(s.path(identityFile), maxIdentitySize)
	if errors.Is(err, fs.ErrNotExist) {
		if err := s.incomplete(); err != nil {
			return nil, err
		}
		return nil, ErrNoVault
	}
	if errors.Is(err, errTooLarge) {
		return nil, s.damaged(identityFile, err)
	}
	if err != nil {
		return nil, err
	}
	if err := checkIdentityWorkFactor(s.path(identityFile), ct); err != nil {
		return nil, err
	}
	id, created, err := decryptIdentity(ct, passphrase, MaxWorkFactor)
	if errors.Is(err, ErrWrongPassphrase) {
		return nil, err
	}
	if err != nil {
		return nil, s.damaged(identityFile, err)
	}
	return newVault(s, id, created), nil
}

// damaged wraps err, the reason name can't be read, in a *DamagedError that
// points at the backup if there is one, and for vault.age at the
// generations.
func (s *Store) damaged(name string, err error) error {
	e := &DamagedError{Path: s.path(name), Err: err}
	if fi, err := os.Stat(e.Path + bakSuffix); err == nil && fi.Mode().IsRegular() {
		e.Backup = e.Path + bakSuffix
	}
	if name == vaultFile {
		gens, _ := s.generations()
		e.Generations = len(gens)
	}
	return e
}

// decryptIdentity decrypts the contents of an identity.age, and parses the
// X25519 identity in it and the time of its "# created:" comment, if any.
func decryptIdentity(ct []byte, passphrase string, maxWorkFactor int) (*age.X25519Identity, time.Time, error) {
	si, err := age.NewScryptIdentity(passphrase)
	if err != nil {
		return nil, time.Time{}, ErrEmptyPassphrase
	}
	si.SetMaxWorkFactor(maxWorkFactor)
	pt, err := decrypt(ct, maxIdentitySize, si)
	defer clear(pt)
	var noMatch *age.NoIdentityMatchError
	if errors.As(err, &noMatch) {
		// A file with a single scrypt stanza that the passphrase can't open.
		if len(noMatch.StanzaTypes) == 1 && noMatch.StanzaTypes[0] == "scrypt" {
			return nil, time.Time{}, ErrWrongPassphrase
		}
		return nil, time.Time{}, errors.New("it is not encrypted with a passphrase")
	}
	if err != nil {
		return nil, time.Time{}, err
	}

	return parseIdentity(pt)
}

// parseIdentity parses the plaintext of identity.age, or of a recipients
// file: one X25519 identity and the time of its "# created:" comment, if
// any.
func parseIdentity(pt []byte) (*age.X25519Identity, time.Time, error) {
	var (
		id      *age.X25519Identity
		created time.Time
		err     error
	)
	sc := bufio.NewScanner(bytes.NewReader(pt))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if c, ok := strings.CutPrefix(line, "# created: "); ok {
			created, _ = time.Parse(time.RFC3339, c)
		}
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if id != nil {
			return nil, time.Time{}, errors.New("it holds more than one identity")
		}
		// age's parse errors are not included: they may quote the key.
		if id, err = age.ParseX25519Identity(line); err != nil {
			return nil, time.Time{}, errors.New("it holds something other than an age X25519 identity")
		}
	}
	if sc.Err() != nil || id == nil {
		return nil, time.Time{}, errors.New("it holds no age X25519 identity")
	}
	return id, created, nil
}

// decrypt decrypts a whole age file held in memory, reading at most max bytes
// of plaintext. On any error it returns no plaintext: age authenticates the
// payload chunk by chunk, so a truncated or corrupted file is only detected
// on the way, and nothing read before that can be trusted.
func decrypt(ct []byte, max int64, ids ...age.Identity) ([]byte, error) {
	r, err := age.Decrypt(bytes.NewReader(ct), ids...)
	if err != nil {
		var noMatch *age.NoIdentityMatchError
		if errors.As(err, &noMatch) || errors.Is(err, ErrKeyUnavailable) || errors.Is(err, ErrUnauthenticated) {
			return nil, err
		}
		// age quotes the malformed header line, which in a file that is
		// not what vmfa wrote could be anything, plaintext secrets included.
		return nil, errors.New("its header is not a valid age header")
	}
	pt, err := readAll(r, int64(len(ct)), max) // the plaintext is shorter
	if err != nil {
		return nil, err // age's payload errors quote nothing
	}
	if int64(len(pt)) > max {
		clear(pt)
		return nil, errTooLarge
	}
	return pt, nil
}

// readAll reads r to its end, or to max+1 bytes, into a buffer made for
// size bytes: one allocation where size is right, and no copies left
// behind (uncleared) by a buffer that grows. On an error it clears what it
// read.
func readAll(r io.Reader, size, max int64) ([]byte, error) {
	b := make([]byte, 0, min(size, max)+1)
	for int64(len(b)) <= max {
		if len(b) == cap(b) {
			full := b
			b = slices.Grow(b, len(b))
			clear(full)
		}
		n, err := r.Read(b[len(b):cap(b)])
		b = b[:len(b)+n]
		if err == io.EOF {
			return b, nil
		}
		if err != nil {
			clear(b)
			return nil, err
		}
	}
	return b, nil
}
