package vault

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"time"

	"filippo.io/age"

	"github.com/vmfa/vmfa/internal/safefile"
	"github.com/vmfa/vmfa/otp"
)

// Vault is an unlocked vault: a Store and the identity that decrypts its
// vault.age. It reads vault.age afresh on every call, so several Vaults, in
// one process or many, can share a directory.
type Vault struct {
	store *Store
	// identity decrypts vault.age: key itself, or an agent holding it.
	identity  age.Identity
	key       *age.X25519Identity // nil when the key is held elsewhere
	recipient *age.X25519Recipient
	created   time.Time // of the identity, from identity.age; may be zero
	tag       tagger    // authenticates vault.age (auth.go)
}

func newVault(s *Store, id *age.X25519Identity, created time.Time) *Vault {
	return &Vault{store: s, identity: id, key: id, recipient: id.Recipient(), created: created, tag: taggerOf(id)}
}

// UnlockWith returns the Vault of s opened by an identity this process does
// not hold, such as an agent's (internal/agent): id decrypts vault.age,
// recipient ("age1…", the vault's public key) is what saves encrypt to.
// Everything else, the lock, atomic saves and
// generations, is as with Unlock; only ChangePassphrase and Identity need
// the key itself. To authenticate vault.age (auth.go), id must be an
// Authenticator, as the agent's client is: with any other identity, Load
// and saves fail with an error wrapping ErrKeyUnavailable.
func (s *Store) UnlockWith(id age.Identity, recipient string) (*Vault, error) {
	if err := checkDir(s.dir); err != nil {
		return nil, err
	}
	r, err := age.ParseX25519Recipient(recipient)
	if err != nil {
		return nil, fmt.Errorf("the vault's recipient %q is not an age X25519 recipient", otp.Shorten(recipient, 16))
	}
	if _, err := os.Lstat(s.path(identityFile)); errors.Is(err, fs.ErrNotExist) {
		if err := s.incomplete(); err != nil {
			return nil, err
		}
		return nil, ErrNoVault
	}
	return &Vault{store: s, identity: id, recipient: r, tag: taggerOf(id)}, nil
}

// Identity returns the vault's X25519 identity, the key to hand to an agent,
// or nil when the Vault was opened with UnlockWith and the key is held
// elsewhere.
func (v *Vault) Identity() *age.X25519Identity { return v.key }

// Store returns the Store of the Vault.
func (v *Vault) Store() *Store { return v.store }

// Recipient returns the vault's public key, "age1…". Anyone can encrypt to it;
// only identity.age decrypts.
func (v *Vault) Recipient() string { return v.recipient.String() }

// Load decrypts and returns the contents of vault.age. It takes no lock:
// writers replace vault.age by renaming a complete file over it, so a reader
// sees either the old version or the new one. Its HOTP counters are never
// lower than the vault reached (counters.go), so that a vault.age brought
// back older neither shows nor exports a code handed out already.
//
// A vault.age written by a newer vmfa is refused with an error wrapping
// ErrNewerVersion; one that can't be read back, with a *DamagedError. A
// Vault opened with UnlockWith whose identity does not open vault.age gets
// an error wrapping ErrOtherKey: nothing says the file is damaged. One
// whose authentication (auth.go) is wrong, or missing where this machine
// has saved the vault authenticated, is refused with a *RefusedError.
func (v *Vault) Load() (*Data, error) {
	path := v.store.path(vaultFile)
	ct, err := readFile(path, maxVaultSize)
	if errors.Is(err, fs.ErrNotExist) {
		gens, _ := v.store.generations()
		if _, err := os.Lstat(path + bakSuffix); err == nil || len(gens) > 0 {
			return nil, v.store.damaged(vaultFile, errors.New("the file is missing"))
		}
		// Create writes identity.age, then vault.age; this is a Create
		// that was interrupted between the two.
		return &Data{Version: Version, Accounts: []Entry{}}, nil
	}
	if errors.Is(err, errTooLarge) {
		return nil, v.store.damaged(vaultFile, err)
	}
	if err != nil {
		return nil, err
	}
	d, err := v.decryptData(ct, func() bool { return !v.store.markedAuthenticated(v.Recipient()) })
	if errors.Is(err, ErrKeyUnavailable) {
		return nil, err
	}
	if errors.Is(err, ErrUnauthenticated) {
		return nil, &RefusedError{Path: path, Err: err}
	}
	if errors.Is(err, errNotToIdentity) && v.key == nil {
		// The key held elsewhere is not identity.age's: nothing says
		// vault.age is damaged.
		return nil, fmt.Errorf("%s: %w", path, ErrOtherKey)
	}
	if errors.Is(err, ErrNewerVersion) {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if err != nil {
		return nil, v.store.damaged(vaultFile, err)
	}
	// stepsFile, too, is replaced by a rename: read whole without the lock.
	steps, _ := v.store.readSteps()
	keepCounters(d, steps.Counters)
	return d, nil
}

// errNotToIdentity is the error of a vault.age with no recipient stanza the
// identity opens.
var errNotToIdentity = errors.New("it is not encrypted to the identity in identity.age")

// decryptData decrypts, authenticates and parses the contents of a
// vault.age. A file without authentication is refused unless legacy, asked
// only then, says to read it (a vault.age from before authentication).
func (v *Vault) decryptData(ct []byte, legacy func() bool) (*Data, error) {
	missing := false
	pt, err := decrypt(ct, maxVaultSize, authIdentity{v.identity, v.tag, &missing})
	defer clear(pt)
	if err == nil && missing && (legacy == nil || !legacy()) {
		return nil, errNoAuth
	}
	var noMatch *age.NoIdentityMatchError
	if errors.As(err, &noMatch) {
		return nil, errNotToIdentity
	}
	if err != nil {
		return nil, err
	}
	return parseData(pt)
}

// Update changes the vault: it takes the lock, reads vault.age again (another
// process may have changed it since the caller last loaded it), calls fn,
// checks the result and saves it. If fn returns an error, Update returns it
// as it is and writes nothing. It returns the Data it saved. No HOTP counter
// fn is given is lower than one the vault saved before (counters.go).
//
// Holding the lock while fn runs is what makes concurrent adds safe, so fn
// should not wait for anything, least of all the user.
func (v *Vault) Update(fn func(*Data) error) (*Data, error) {
	release, err := lock(v.store.dir)
	if err != nil {
		return nil, err
	}
	defer release()
	d, err := v.Load()
	if err != nil {
		return nil, err
	}
	// A vault.age brought back older by hand starts from the counters it
	// had reached (counters.go); a record that can't be read, from its own,
	// and is left as it is, not replaced by one that lost its handouts.
	steps, stepsErr := v.store.readSteps()
	keepCounters(d, steps.Counters)
	prev := d.snapshot()
	if err := fn(d); err != nil {
		return nil, err
	}
	d.Version = Version
	if d.Accounts == nil {
		d.Accounts = []Entry{}
	}
	if err := d.validate(); err != nil {
		return nil, fmt.Errorf("not saved: %w", err)
	}
	if err := restamp(prev, d, v.store.now()); err != nil {
		return nil, fmt.Errorf("not saved: %w", err)
	}
	if _, err := v.save(d); err != nil {
		return nil, err
	}
	if stepsErr == nil {
		v.store.noteCounters(steps, d)
	}
	return d, nil
}

// save encrypts d to the vault's recipient, authenticated (auth.go), and
// writes it to vault.age, dated by the Store's clock. The version it
// replaces is kept as a generation, whose ID it returns, and the oldest
// beyond what d keeps are pruned, as are the accounts tombstones hold past
// tombstoneLife. The caller must hold the lock.
func (v *Vault) save(d *Data) (kept string, err error) {
	d.pruneTombstones(v.store.now())
	pt, err := encodeData(d)
	defer clear(pt)
	if err != nil {
		return "", err
	}
	pt = append(pt, '\n')
	err = writeAtomic(v.store.dir, vaultFile, v.store.now(), func(w io.Writer) error {
		return encrypt(w, pt, v.recipient, authRecipient{v.tag})
	}, func() (undo func(), err error) {
		kept, undo, err = v.store.keepGeneration(d.KeptGenerations())
		return undo, err
	})
	if err != nil {
		return "", err
	}
	v.store.markAuthenticated(v.Recipient())
	v.store.pruneGenerations(d.KeptGenerations())
	return kept, nil
}

func encrypt(w io.Writer, pt []byte, r ...age.Recipient) error {
	ew, err := age.Encrypt(w, r...)
	if err != nil {
		return err
	}
	if _, err := ew.Write(pt); err != nil {
		return err
	}
	return ew.Close()
}

// ChangePassphrase re-encrypts identity.age with a new passphrase and scrypt
// work factor (0 means DefaultWorkFactor). The identity itself does not
// change, so vault.age is not rewritten.
//
// The previous identity.age is kept as identity.age.bak, as every file is,
// which means the old passphrase still opens the vault through it: delete
// identity.age.bak if the old passphrase was compromised.
func (v *Vault) ChangePassphrase(newPassphrase string, workFactor int) error {
	if newPassphrase == "" {
		return ErrEmptyPassphrase
	}
	if v.key == nil {
		return ErrKeyElsewhere
	}
	wf, err := checkWorkFactor(workFactor)
	if err != nil {
		return err
	}
	if err := checkMemory(wf, "changing the passphrase", "choose a lower work factor (18 needs 256 MiB)"); err != nil {
		return err
	}
	release, err := lock(v.store.dir)
	if err != nil {
		return err
	}
	defer release()
	if err := v.checkOwnsVault(); err != nil {
		return err
	}
	return v.writeIdentity(newPassphrase, wf)
}

// checkOwnsVault makes sure that vault.age is still encrypted to v's
// identity. If the vault was deleted and created again since v was unlocked,
// writing v's identity to identity.age would make the new vault.age
// unreadable.
func (v *Vault) checkOwnsVault() error {
	if errors.Is(v.opensVaultFile(), errNotToIdentity) {
		return fmt.Errorf("%s is not encrypted to the identity unlocked earlier; it was replaced since: unlock the vault again",
			v.store.path(vaultFile))
	}
	// A damaged header is Load's business: the passphrase does not protect
	// vault.age, so changing it can't make things worse.
	return nil
}

// CheckKey makes sure that the identity of a Vault opened with UnlockWith,
// such as an agent's, opens vault.age, before the Vault is used: it returns
// an error wrapping ErrOtherKey if it does not, and one wrapping
// ErrKeyUnavailable if the identity could not be used, to decrypt or to
// authenticate (auth.go). Anything else, such
// as a damaged vault.age, is left to Load to report.
func (v *Vault) CheckKey() error {
	err := v.opensVaultFile()
	switch {
	case errors.Is(err, errNotToIdentity):
		return fmt.Errorf("%s: %w", v.store.path(vaultFile), ErrOtherKey)
	case errors.Is(err, ErrKeyUnavailable):
		return err
	}
	return nil
}

// opensVaultFile decrypts the header of vault.age with v's identity, which
// costs one unwrap and, if it carries one, a check of its authentication:
// it returns nil if the identity opens it (or there is no vault.age),
// errNotToIdentity if it has no stanza the identity opens, and other errors
// as they come.
func (v *Vault) opensVaultFile() error {
	f, err := safefile.Open(v.store.path(vaultFile))
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	defer f.Close()
	// With the authentication checked, an identity held elsewhere that
	// can't authenticate (an agent of an older vmfa) is found out here.
	missing := false
	_, err = age.Decrypt(f, authIdentity{v.identity, v.tag, &missing})
	var noMatch *age.NoIdentityMatchError
	if errors.As(err, &noMatch) {
		return errNotToIdentity
	}
	return err
}

// writeIdentity writes v's identity to identity.age, in the format of
// age-keygen, encrypted with passphrase. The caller must hold the lock.
func (v *Vault) writeIdentity(passphrase string, workFactor int) error {
	r, err := age.NewScryptRecipient(passphrase)
	if err != nil {
		return ErrEmptyPassphrase
	}
	r.SetWorkFactor(workFactor)
	text := v.identityText()
	defer clear(text)
	return writeAtomic(v.store.dir, identityFile, time.Time{}, func(w io.Writer) error {
		return encrypt(w, text, r)
	}, nil)
}
