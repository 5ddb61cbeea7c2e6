package vault

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"filippo.io/age"

	"github.com/vmfa/vmfa/internal/safefile"
	"github.com/vmfa/vmfa/otp"
)

// Keys other than the passphrase.
//
// identity.age is the vault's identity encrypted with the passphrase. Each
// recipient added with AddRecipient gets a copy of the same identity
// encrypted to its key instead, in recipients/NAME.age, in the format of
// age-keygen, so that stock age opens it:
//
//	age -d -i ~/.ssh/id_ed25519 recipients/laptop.age
//
// prints the identity (AGE-SECRET-KEY-1…) that opens vault.age. Beside it,
// recipients/NAME.pub holds the recipient as the user gave it, one line of
// public text: an age file does not say whom it is encrypted to, and the
// list of keys must be readable without unlocking the vault (and without
// touching a hardware key).
const (
	recipientsDir   = "recipients"
	recipientSuffix = ".age"
	recipientPub    = ".pub"
	// maxRecipientName keeps a name a name; file systems allow 255 bytes.
	maxRecipientName = 64
	// maxRecipientText is far above any real key: an ssh-rsa 16384-bit
	// key is about 2.8 KiB.
	maxRecipientText = 16 << 10
)

// Errors about recipients that callers branch on.
var (
	ErrRecipientExists   = errors.New("a recipient of that name already exists")
	ErrNoRecipient       = errors.New("no recipient of that name")
	ErrNotARecipient     = errors.New("this key is not a recipient of the vault")
	ErrInvalidRecipient  = errors.New("invalid recipient name")
	ErrNoRecipientsAdded = errors.New("no key opens the vault yet")
)

// RecipientError is an error about the recipient Name that removing it
// (RemoveRecipient) settles: one of that name exists already, or its file
// holds another identity than the vault's. It wraps Err, its message.
type RecipientError struct {
	Name string
	Err  error
}

func (e *RecipientError) Error() string { return e.Err.Error() }

func (e *RecipientError) Unwrap() error { return e.Err }

// RecipientInfo describes a key that opens the vault, as Recipients lists it.
type RecipientInfo struct {
	Name string `json:"name"`
	// Recipient is the public key as it was added ("age1…", "ssh-ed25519 …",
	// "age1yubikey1…"), or "" if its .pub file is missing.
	Recipient string `json:"recipient"`
	// Kind is what Recipient is: "x25519", "ssh-ed25519", "ssh-rsa",
	// "plugin:NAME" (age-plugin-NAME), "hybrid" (post-quantum), or
	// "unknown".
	Kind    string    `json:"kind"`
	Added   time.Time `json:"added"`
	Path    string    `json:"path"` // of NAME.age
	pubPath string
}

// RecipientKind says what kind of key a recipient's text is, from its
// prefix alone; it does not check that the key is valid.
func RecipientKind(text string) string {
	switch {
	case strings.HasPrefix(text, "ssh-"):
		kind, _, _ := strings.Cut(text, " ")
		return kind
	case strings.HasPrefix(text, "age1pq1"):
		return "hybrid"
	case strings.HasPrefix(text, "age1"):
		// Bech32 data never holds a "1", so a second one ends a plugin's
		// name: age1yubikey1….
		rest := text[len("age1"):]
		if i := strings.LastIndexByte(rest, '1'); i > 0 {
			return "plugin:" + strings.ToLower(rest[:i])
		}
		return "x25519"
	}
	return "unknown"
}

// CheckRecipientName refuses a name that is not a plain file name: empty,
// too long, starting with a dot or a dash, or holding anything but letters,
// digits and . _ - + @.
func CheckRecipientName(name string) error {
	if name == "" || len(name) > maxRecipientName {
		return fmt.Errorf("%w %q: use 1 to %d letters, digits and . _ - + @", ErrInvalidRecipient, otp.Shorten(name, 40), maxRecipientName)
	}
	if name[0] == '.' || name[0] == '-' {
		return fmt.Errorf("%w %q: it must not start with a dot or a dash", ErrInvalidRecipient, otp.Shorten(name, 40))
	}
	for _, r := range name {
		ok := 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9' || strings.ContainsRune("._-+@", r)
		if !ok {
			return fmt.Errorf("%w %q: use only letters, digits and . _ - + @ (no spaces or path separators)", ErrInvalidRecipient, otp.Shorten(name, 40))
		}
	}
	return nil
}

// AddRecipient wraps the vault's identity to r and saves it as
// recipients/NAME.age, with text, r's public encoding, in recipients/NAME.pub.
// Wrapping to a plugin recipient runs the plugin. An existing name is
// refused with ErrRecipientExists: replacing a key is removing one and
// adding another, on purpose.
func (v *Vault) AddRecipient(name string, r age.Recipient, text string) error {
	if err := CheckRecipientName(name); err != nil {
		return err
	}
	text = strings.TrimSpace(text)
	if text == "" || strings.ContainsAny(text, "\r\n") || len(text) > maxRecipientText || !utf8.ValidString(text) {
		return errors.New("the recipient's public key must be one line of text")
	}
	if r == nil {
		return errors.New("no recipient given")
	}
	if v.key == nil {
		return ErrKeyElsewhere
	}
	// Encrypt before taking the lock: a plugin may wait for its device or
	// its user, and writers must not wait for either.
	var ct bytes.Buffer
	id := v.identityText()
	err := encrypt(&ct, id, r)
	clear(id)
	if err != nil {
		return fmt.Errorf("recipient %s not added: %w", name, err)
	}
	release, err := lock(v.store.dir)
	if err != nil {
		return err
	}
	defer release()
	if err := v.checkOwnsVault(); err != nil {
		return err
	}
	dir, err := v.store.mkRecipientsDir()
	if err != nil {
		return err
	}
	removeStaleTemps(dir)
	if _, err := os.Lstat(filepath.Join(dir, name+recipientSuffix)); err == nil {
		return &RecipientError{Name: name, Err: fmt.Errorf("%w: %s", ErrRecipientExists, name)}
	}

	text += "\n"
	now := v.store.now()
	// The public half first: a NAME.age without its .pub still opens the
	// vault and is listed; a .pub alone is not a recipient.
	err = writeAtomic(dir, name+recipientPub, now, func(w io.Writer) error {
		_, err := io.WriteString(w, text)
		return err
	}, nil)
	if err != nil {
		return err
	}
	err = writeAtomic(dir, name+recipientSuffix, now, func(w io.Writer) error {
		_, err := w.Write(ct.Bytes())
		return err
	}, nil)
	if err != nil {
		os.Remove(filepath.Join(dir, name+recipientPub))
		return fmt.Errorf("recipient %s not added: %w", name, err)
	}
	return nil
}

// identityText is the plaintext of identity.age and of every recipients
// file: the identity in the format of age-keygen.
func (v *Vault) identityText() []byte {
	var text []byte
	if !v.created.IsZero() {
		text = fmt.Appendf(text, "# created: %s\n", v.created.Format(time.RFC3339))
	}
	return fmt.Appendf(text, "# public key: %s\n%s\n", v.recipient, v.key)
}

// RemoveRecipient deletes recipients/NAME.age, its .pub and their backups,
// so that the key no longer opens the vault from this directory. (Whoever
// copied the file before can still open the vault as it was then: to shut a
// key out for good, move the accounts to a new vault.) The passphrase is
// not needed: removing a key never makes the vault harder to open for its
// owner, who still has the passphrase.
func (s *Store) RemoveRecipient(name string) error {
	if err := CheckRecipientName(name); err != nil {
		return err
	}
	if err := checkDir(s.dir); err != nil {
		return err
	}
	dir := s.path(recipientsDir)
	if _, err := os.Lstat(filepath.Join(dir, name+recipientSuffix)); errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("%w: %s", ErrNoRecipient, name)
	}
	release, err := lock(s.dir)
	if err != nil {
		return err
	}
	defer release()
	if err := checkRecipientsDir(dir); err != nil {
		return err
	}
	for _, n := range []string{name + recipientSuffix, name + recipientSuffix + bakSuffix, name + recipientPub, name + recipientPub + bakSuffix} {
		if err := os.Remove(filepath.Join(dir, n)); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("can't remove recipient %s: %w", name, err)
		}
	}
	travelWrites.Add(1)
	return syncDir(dir)
}

// Recipients lists the recipients added to the vault, by name. It needs no
// key: the public half of each is in its .pub file. It returns ErrNoVault
// if there is no vault.
func (s *Store) Recipients() ([]RecipientInfo, error) {
	exists, err := s.Exists()
	if err != nil {
		return nil, err
	}
	if !exists {
		return nil, ErrNoVault
	}
	dir := s.path(recipientsDir)
	if err := checkRecipientsDir(dir); err != nil {
		return nil, err
	}
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return []RecipientInfo{}, nil
	}
	if err != nil {
		return nil, err
	}
	list := []RecipientInfo{}
	for _, e := range entries {
		name, ok := strings.CutSuffix(e.Name(), recipientSuffix)
		if !ok || !e.Type().IsRegular() || CheckRecipientName(name) != nil {
			continue
		}
		ri := RecipientInfo{Name: name, Path: filepath.Join(dir, e.Name()), pubPath: filepath.Join(dir, name+recipientPub), Kind: "unknown"}
		if fi, err := e.Info(); err == nil {
			ri.Added = fi.ModTime()
		}
		pub, err := readFile(ri.pubPath, maxRecipientText+1) // and AddRecipient's newline
		var notRegular *safefile.NotRegularError
		switch {
		case err == nil:
			ri.Recipient = strings.TrimSpace(string(pub))
			ri.Kind = RecipientKind(ri.Recipient)
		case errors.As(err, &notRegular):
			return nil, err // a missing .pub is listed without it; this is no .pub
		}
		list = append(list, ri)
	}
	sort.Slice(list, func(i, j int) bool { return list[i].Name < list[j].Name })
	return list, nil
}

// mkRecipientsDir creates recipients/, 0700, if needed and returns its path.
func (s *Store) mkRecipientsDir() (string, error) {
	dir := s.path(recipientsDir)
	if err := checkRecipientsDir(dir); err != nil {
		return "", err
	}
	if err := os.Mkdir(dir, 0o700); err != nil && !errors.Is(err, fs.ErrExist) {
		return "", err
	}
	return dir, os.Chmod(dir, 0o700)
}

// checkRecipientsDir refuses a recipients/ that is a symbolic link (files
// would be read from and written to a directory vmfa has not checked) or
// that others can write to. One that does not exist passes.
func checkRecipientsDir(dir string) error {
	fi, err := os.Lstat(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	if fi.Mode()&fs.ModeSymlink != 0 {
		return fmt.Errorf("%s is a symbolic link: put the directory itself in its place", dir)
	}
	return checkDir(dir)
}

// UnlockWithIdentities opens the vault with keys instead of the passphrase:
// it tries ids on every file in recipients/ and returns the vault of the
// first that opens. Identities that need a person (an SSH key's passphrase,
// a plugin's PIN or touch) are asked only for the file encrypted to them.
//
// It returns ErrNoVault if there is no vault, an error wrapping
// ErrNoRecipientsAdded if no key was ever added, one wrapping
// ErrNotARecipient if none of ids opens any file, and the identity's own
// error if one failed (a wrong SSH key passphrase, a missing plugin).
func (s *Store) UnlockWithIdentities(ids ...age.Identity) (*Vault, error) {
	if len(ids) == 0 {
		return nil, errors.New("no key given")
	}
	list, err := s.Recipients()
	if err != nil {
		return nil, err
	}
	if len(list) == 0 {
		return nil, fmt.Errorf("%w: the vault at %s opens only with its passphrase", ErrNoRecipientsAdded, s.dir)
	}
	// An SSH key asks for its passphrase, and a plugin (as
	// age-plugin-yubikey does) for a PIN or a touch, only for a file
	// encrypted to it; age tries native identities first.
	for _, ri := range list {
		v, err := s.unlockRecipient(ri, ids)
		var noMatch *age.NoIdentityMatchError
		if errors.As(err, &noMatch) {
			continue
		}
		if err != nil {
			return nil, err
		}
		return v, nil
	}
	return nil, fmt.Errorf("%w at %s", ErrNotARecipient, s.dir)
}

// unlockRecipient opens one recipients file with ids. It returns an
// *age.NoIdentityMatchError if none of them is its recipient.
func (s *Store) unlockRecipient(ri RecipientInfo, ids []age.Identity) (*Vault, error) {
	rel := filepath.Join(recipientsDir, filepath.Base(ri.Path))
	ct, err := readFile(ri.Path, maxIdentitySize)
	if err != nil {
		if errors.Is(err, errTooLarge) {
			return nil, &DamagedError{Path: ri.Path, Err: err}
		}
		return nil, err
	}
	// decrypt hides age's errors, which may quote the file; a key that
	// failed to answer (a plugin, an SSH key's passphrase) must say why.
	var keyErr error
	watched := make([]age.Identity, len(ids))
	for i, id := range ids {
		watched[i] = watchedIdentity{id, &keyErr}
	}
	pt, err := decrypt(ct, maxIdentitySize, watched...)
	defer clear(pt)
	var noMatch *age.NoIdentityMatchError
	switch {
	case keyErr != nil:
		return nil, keyErr
	case errors.As(err, &noMatch):
		return nil, err
	case err != nil:
		return nil, &DamagedError{Path: ri.Path, Err: err}
	}
	id, created, err := parseIdentity(pt)
	if err != nil {
		return nil, &DamagedError{Path: ri.Path, Err: err}
	}
	v := newVault(s, id, created)
	if err := v.checkOwnsVault(); err != nil {
		return nil, &RecipientError{Name: ri.Name, Err: fmt.Errorf("%s holds another identity than the one vault.age is encrypted to (a vault created again since it was added?)", rel)}
	}
	return v, nil
}

// watchedIdentity keeps the error of an identity that failed other than by
// not matching.
type watchedIdentity struct {
	age.Identity
	err *error
}

func (w watchedIdentity) Unwrap(stanzas []*age.Stanza) ([]byte, error) {
	key, err := w.Identity.Unwrap(stanzas)
	if err != nil && !errors.Is(err, age.ErrIncorrectIdentity) && *w.err == nil {
		*w.err = err
	}
	return key, err
}
