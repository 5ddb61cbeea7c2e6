package vault

import (
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/sha256"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"slices"
	"strings"

	"filippo.io/age"

	"github.com/vmfa/vmfa/internal/safefile"
)

// Authenticity of vault.age.
//
// Anyone who knows the vault's recipient (its public key) can write an age
// file that its identity decrypts. So every vault.age vmfa writes carries,
// after its X25519 stanza, one more stanza that only a holder of the
// identity can make:
//
//	-> vmfa-auth
//	BASE64(HMAC-SHA256(K, file key))
//
// where K = HKDF-SHA256(secret: the identity as age-keygen writes it,
// "AGE-SECRET-KEY-1…" in upper case; salt: none; info: authInfo; 32 bytes).
// The file key is what the X25519 stanza wraps, and age's header MAC, keyed
// by it, covers every stanza, the vmfa-auth one included, and the payload
// is authenticated by it too: a file whose tag checks out was written by a
// holder of the identity (identity.age's passphrase, a recipients/NAME.age
// key, or the agent holding the key). Stock age ignores a stanza type it
// does not know, so 'age -d -i identity.age vault.age' still decrypts.
//
// A vault opened through the agent, which never gives its key out, asks
// the agent for the tag of a file key (Authenticator).
//
// A vault.age without the stanza is one written before vmfa authenticated
// its vaults: it is read, and its next save authenticates it, unless this
// machine has seen the vault authenticated (authMarker), when it is a
// downgrade and refused. A wrong tag is always refused. MergeFile accepts
// only authenticated files.

const (
	authStanza = "vmfa-auth"
	authInfo   = "vmfa vault.age authentication v1"
	// authMarker, in the vault directory, names the recipient of the vault
	// whose vault.age this machine has saved authenticated. It is this
	// machine's own: it does not travel with the vault.
	authMarker = "vault.age.authenticated"
)

// ErrUnauthenticated is wrapped by the refusal of a vault file that does
// not carry a valid authentication by the vault's key.
var ErrUnauthenticated = errors.New("it is not authenticated by the vault's key")

// RefusedError is Load's refusal of a vault.age that is not authenticated
// by the vault's key: its authentication is wrong, or missing where this
// machine saved the vault authenticated. The versions kept in backups/ are
// the way back. It wraps ErrUnauthenticated.
type RefusedError struct {
	Path string
	Err  error // wraps ErrUnauthenticated
}

func (e *RefusedError) Error() string { return e.Path + " is refused: " + e.Err.Error() }

func (e *RefusedError) Unwrap() error { return e.Err }

// errNoAuth is the error of a file that has no vmfa-auth stanza.
var errNoAuth = fmt.Errorf("%w: it carries no authentication (written by someone who holds only the vault's public key, or by a vmfa older than authenticated vaults)", ErrUnauthenticated)

// Authenticator is an identity held elsewhere, given to UnlockWith, that
// computes the authentication tag (AuthTag) of a file key with the key it
// holds: the agent's client.
type Authenticator interface {
	AuthTag(fileKey []byte) ([]byte, error)
}

// AuthTag returns the authentication tag of an age file key under the
// vault identity id: the body of the vmfa-auth stanza.
func AuthTag(id *age.X25519Identity, fileKey []byte) []byte {
	secret := []byte(id.String())
	defer clear(secret)
	k, err := hkdf.Key(sha256.New, secret, nil, authInfo, sha256.Size)
	if err != nil {
		panic(err) // only for lengths over 255*32 bytes
	}
	defer clear(k)
	m := hmac.New(sha256.New, k)
	m.Write(fileKey)
	return m.Sum(nil)
}

// tagger computes the tag of a file key for a Vault.
type tagger func(fileKey []byte) ([]byte, error)

// taggerOf returns the tagger of a vault identity: the key itself, an
// Authenticator, or for any other identity one that fails.
func taggerOf(id age.Identity) tagger {
	switch k := id.(type) {
	case *age.X25519Identity:
		return func(fileKey []byte) ([]byte, error) { return AuthTag(k, fileKey), nil }
	case Authenticator:
		return k.AuthTag
	}
	return func([]byte) ([]byte, error) {
		return nil, fmt.Errorf("%w: the identity it is held by can't authenticate the vault", ErrKeyUnavailable)
	}
}

// authRecipient writes the vmfa-auth stanza of a file key.
type authRecipient struct{ tag tagger }

func (r authRecipient) Wrap(fileKey []byte) ([]*age.Stanza, error) {
	t, err := r.tag(fileKey)
	if err != nil {
		return nil, err
	}
	return []*age.Stanza{{Type: authStanza, Body: t}}, nil
}

// authIdentity unwraps with id, then checks the vmfa-auth stanza: a wrong
// one fails; a missing one is noted in missing, for the caller to decide.
type authIdentity struct {
	id      age.Identity
	tag     tagger
	missing *bool
}

func (a authIdentity) Unwrap(stanzas []*age.Stanza) ([]byte, error) {
	key, err := a.id.Unwrap(stanzas)
	if err != nil {
		return nil, err
	}
	var auth *age.Stanza
	for _, s := range stanzas {
		if s.Type != authStanza {
			continue
		}
		if auth != nil || len(s.Args) != 0 {
			clear(key)
			return nil, fmt.Errorf("%w: its authentication stanza is malformed", ErrUnauthenticated)
		}
		auth = s
	}
	if auth == nil {
		*a.missing = true
		return key, nil
	}
	want, err := a.tag(key)
	if err != nil {
		clear(key)
		return nil, err
	}
	if !hmac.Equal(want, auth.Body) {
		clear(key)
		return nil, fmt.Errorf("%w: its authentication is wrong (made with another key, or forged)", ErrUnauthenticated)
	}
	return key, nil
}

// markedAuthenticated reports whether this machine has saved the vault of
// recipient authenticated, so that an unauthenticated vault.age is a
// downgrade.
func (s *Store) markedAuthenticated(recipient string) bool {
	b, err := readFile(s.path(authMarker), 1<<10)
	return err == nil && strings.TrimSpace(string(b)) == recipient
}

// markAuthenticated notes that vault.age of recipient is authenticated. A
// marker that can't be written is tried again at the next save. The caller
// holds the lock.
func (s *Store) markAuthenticated(recipient string) {
	if s.markedAuthenticated(recipient) {
		return
	}
	writeState(s.dir, authMarker, []byte(recipient+"\n"))
	os.Chmod(s.path(authMarker), 0o600) // whatever the umask
}

// unmark forgets the marker, for a vault created anew in the directory.
func (s *Store) unmark() {
	if err := os.Remove(s.path(authMarker)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return
	}
}

// stanzaTypes returns the types of the stanzas of the age file at path,
// without decrypting anything.
func stanzaTypes(path string) ([]string, error) {
	f, err := safefile.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	_, err = age.Decrypt(f, noIdentity{})
	var noMatch *age.NoIdentityMatchError
	if errors.As(err, &noMatch) {
		return noMatch.StanzaTypes, nil
	}
	return nil, errors.New("its header is not a valid age header")
}

// noIdentity opens nothing.
type noIdentity struct{}

func (noIdentity) Unwrap([]*age.Stanza) ([]byte, error) { return nil, age.ErrIncorrectIdentity }

// CarriesAuthentication reports whether vault.age carries an
// authentication stanza, without the key: whether Authenticate has anything
// to do. Whether the stanza is right only the key can tell (Load).
func (s *Store) CarriesAuthentication() (bool, error) {
	types, err := stanzaTypes(s.path(vaultFile))
	if err != nil {
		return false, err
	}
	return slices.Contains(types, authStanza), nil
}

// Authenticate saves vault.age again if it is not authenticated yet, a
// vault.age from before authentication, so that a copy of it can travel:
// MergeFile accepts only authenticated copies. It reports whether it
// saved. A vault.age whose authentication is wrong, or missing where this
// machine saved it authenticated, is refused as Load refuses it.
func (v *Vault) Authenticate() (saved bool, err error) {
	release, err := lock(v.store.dir)
	if err != nil {
		return false, err
	}
	defer release()
	if ok, err := v.store.CarriesAuthentication(); err == nil && ok {
		return false, nil
	}
	d, err := v.Load()
	if err != nil {
		return false, err
	}
	if _, err := v.save(d); err != nil {
		return false, err
	}
	return true, nil
}
