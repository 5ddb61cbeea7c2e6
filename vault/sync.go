package vault

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"unicode/utf8"

	"filippo.io/age"
)

// What a sync of the vault directory (internal/gitsync) needs of the vault:
// to hear of every change, to tell its vault from another, and to take a
// recipient's files from another copy of the directory. The vault itself
// never runs anything: it knows nothing of git.

// The files that travel between copies of a vault directory: everything
// else in it (steps.json, copies.json, backups/, the lock, .bak files) is
// this machine's own.
const (
	VaultFile      = vaultFile
	IdentityFile   = identityFile
	RecipientsDir  = recipientsDir
	RecipientKey   = recipientSuffix // recipients/NAME.age
	RecipientPub   = recipientPub    // recipients/NAME.pub
	MaxVaultSize   = maxVaultSize
	MaxKeyFileSize = maxIdentitySize
)

// ErrOtherVault is the error of a vault.age that is not encrypted to the
// vault's identity: another vault's.
var ErrOtherVault = errors.New("it is another vault's: it is not encrypted to this vault's key")

var onChange atomic.Pointer[func(dir string)]

// travelWrites counts the writes of the files that travel with a vault
// (vault.age, identity.age, recipients/): a lock's release tells OnChange
// only if one was written meanwhile, so that handing out a code, which
// writes steps.json alone, costs sync nothing. A write to another vault
// directory in between makes a call for nothing, which is harmless.
var travelWrites atomic.Uint64

// OnChange makes fn be called after every writer of a vault directory that
// changed vault.age, identity.age or a recipient releases its lock, with
// the directory's path as the Store was opened with it. It is the one
// place where a front end hears of every such change, from the CLI, the
// interface and the agent alike. fn runs in the writer's goroutine, after
// the write is complete and the lock released: it must be quick, and it
// can't fail the write.
func OnChange(fn func(dir string)) {
	if fn == nil {
		onChange.Store(nil)
		return
	}
	onChange.Store(&fn)
}

func notifyChange(dir string) {
	if fn := onChange.Load(); fn != nil {
		(*fn)(dir)
	}
}

// SameVault returns nil if ct, the contents of a vault.age, is encrypted to
// the vault's identity, and an error wrapping ErrOtherVault if it is not. It
// decrypts the header only (one unwrap, through the agent if the key is
// there); whether the contents are authentic is for the merge to check.
func (v *Vault) SameVault(ct []byte) error {
	_, err := age.Decrypt(bytes.NewReader(ct), v.identity)
	var noMatch *age.NoIdentityMatchError
	switch {
	case errors.As(err, &noMatch):
		return ErrOtherVault
	case errors.Is(err, ErrKeyUnavailable):
		return err
	case err != nil:
		return errors.New("it is not an age file")
	}
	return nil
}

// PutRecipient writes recipients/NAME.age and recipients/NAME.pub as key
// and pub, which come from another copy of the vault directory, replacing
// what is there, atomically and under the lock. key must be an age file and
// pub one line of text; whether key holds this vault's identity is checked
// when it is used (UnlockWithIdentities), since only its own key opens it.
func (s *Store) PutRecipient(name string, key, pub []byte) error {
	if err := CheckRecipientName(name); err != nil {
		return err
	}
	text := strings.TrimSpace(string(pub))
	if text == "" || strings.ContainsAny(text, "\r\n") || len(text) > maxRecipientText || !utf8.ValidString(text) {
		return fmt.Errorf("recipient %s: its .pub is not one line of public text", name)
	}
	if len(key) > maxIdentitySize {
		return fmt.Errorf("recipient %s: %w", name, errTooLarge)
	}
	if _, err := age.Decrypt(bytes.NewReader(key), formOnly{}); !errors.As(err, new(*age.NoIdentityMatchError)) {
		return fmt.Errorf("recipient %s: its .age is not an age file", name)
	}
	release, err := lock(s.dir)
	if err != nil {
		return err
	}
	defer release()
	dir, err := s.mkRecipientsDir()
	if err != nil {
		return err
	}
	removeStaleTemps(dir)
	for _, f := range []struct {
		name string
		data []byte
	}{{name + recipientPub, []byte(text + "\n")}, {name + recipientSuffix, key}} {
		err := writeAtomic(dir, f.name, s.now(), func(w io.Writer) error {
			_, err := w.Write(f.data)
			return err
		}, nil)
		if err != nil {
			return err
		}
	}
	return nil
}

// formOnly opens nothing: decrypting with it checks an age header's form.
type formOnly struct{}

func (formOnly) Unwrap([]*age.Stanza) ([]byte, error) { return nil, age.ErrIncorrectIdentity }

// TravellingFiles lists the files of the directory that travel, relative to
// it with forward slashes: vault.age, identity.age and recipients/NAME.age
// and NAME.pub of valid names, those that exist.
func (s *Store) TravellingFiles() ([]string, error) {
	var files []string
	for _, n := range []string{vaultFile, identityFile} {
		if fi, err := os.Lstat(s.path(n)); err == nil && fi.Mode().IsRegular() {
			files = append(files, n)
		}
	}
	entries, err := os.ReadDir(s.path(recipientsDir))
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	for _, e := range entries {
		n := e.Name()
		base, ok := strings.CutSuffix(n, recipientSuffix)
		if !ok {
			base, ok = strings.CutSuffix(n, recipientPub)
		}
		if ok && e.Type().IsRegular() && CheckRecipientName(base) == nil {
			files = append(files, recipientsDir+"/"+n)
		}
	}
	return files, nil
}

// ReadTravelling reads one of TravellingFiles, refusing more than the
// file's size limit.
func (s *Store) ReadTravelling(rel string) ([]byte, error) {
	max := int64(maxIdentitySize)
	if rel == vaultFile {
		max = maxVaultSize
	} else if strings.HasSuffix(rel, recipientPub) {
		max = maxRecipientText + 1
	}
	return readFile(filepath.Join(s.dir, filepath.FromSlash(rel)), max)
}
