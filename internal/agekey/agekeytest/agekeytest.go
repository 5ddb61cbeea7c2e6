// Package agekeytest is an age plugin for tests: age-plugin-vmfatest, a
// software stand-in for a hardware key that speaks the real plugin protocol
// through filippo.io/age/plugin. The test binary is the plugin: TestMain
// calls RunPluginIfInvoked, and Install puts a link to the test binary on
// $PATH under the plugin's name, for vmfa and for stock age to run.
//
// Its keys are an age X25519 key pair carried in the plugin encodings; it
// wraps file keys in stanzas of its own type, so that only the plugin, never
// age's native X25519 code, can open them, and says "touch the test key"
// through the protocol before it does, as age-plugin-yubikey does.
package agekeytest

import (
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"filippo.io/age"
	"filippo.io/age/plugin"
)

// Name is the plugin's name: age1vmfatest1… recipients,
// AGE-PLUGIN-VMFATEST-1… identities, binary age-plugin-vmfatest.
const Name = "vmfatest"

// Message is what the plugin displays before it unwraps a file key.
const Message = "touch the test key"

const stanzaType = "vmfatest"

// RunPluginIfInvoked runs the plugin protocol and exits if the test binary
// was started as age-plugin-vmfatest. Call it first in TestMain.
func RunPluginIfInvoked() {
	if filepath.Base(os.Args[0]) != "age-plugin-"+Name {
		return
	}
	p, err := plugin.New(Name)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	p.HandleRecipient(func(data []byte) (age.Recipient, error) {
		r, err := age.ParseX25519Recipient(string(data))
		if err != nil {
			return nil, errors.New("malformed vmfatest recipient")
		}
		return recipient{r}, nil
	})
	p.HandleIdentity(func(data []byte) (age.Identity, error) {
		id, err := age.ParseX25519Identity(string(data))
		if err != nil {
			return nil, errors.New("malformed vmfatest identity")
		}
		return identity{id, p}, nil
	})
	os.Exit(p.Main())
}

// Install puts age-plugin-vmfatest, a link to the running test binary, in a
// new directory at the front of $PATH for the rest of the test.
func Install(t testing.TB) {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := os.Symlink(exe, filepath.Join(dir, "age-plugin-"+Name)); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", dir+string(os.PathListSeparator)+os.Getenv("PATH"))
}

// NewKey returns a new key pair of the plugin: the recipient (age1vmfatest1…)
// and the identity (AGE-PLUGIN-VMFATEST-1…).
func NewKey(t testing.TB) (recipient, identity string) {
	t.Helper()
	id, err := age.GenerateX25519Identity()
	if err != nil {
		t.Fatal(err)
	}
	recipient = plugin.EncodeRecipient(Name, []byte(id.Recipient().String()))
	identity = plugin.EncodeIdentity(Name, []byte(id.String()))
	if recipient == "" || identity == "" {
		t.Fatal("can't encode the plugin's keys")
	}
	return recipient, identity
}

type recipient struct{ r *age.X25519Recipient }

// tag names a key in its stanzas, as age-plugin-yubikey's do, so that the
// plugin asks for a touch only for a file encrypted to it.
func tag(r *age.X25519Recipient) string {
	sum := sha256.Sum256([]byte(r.String()))
	return base64.RawStdEncoding.EncodeToString(sum[:4])
}

func (r recipient) Wrap(fileKey []byte) ([]*age.Stanza, error) {
	stanzas, err := r.r.Wrap(fileKey)
	for _, s := range stanzas {
		s.Type = stanzaType
		s.Args = append([]string{tag(r.r)}, s.Args...)
	}
	return stanzas, err
}

type identity struct {
	id *age.X25519Identity
	p  *plugin.Plugin
}

func (i identity) Unwrap(stanzas []*age.Stanza) ([]byte, error) {
	var ours []*age.Stanza
	for _, s := range stanzas {
		if s.Type == stanzaType && len(s.Args) > 0 && s.Args[0] == tag(i.id.Recipient()) {
			c := *s
			c.Type, c.Args = "X25519", s.Args[1:]
			ours = append(ours, &c)
		}
	}
	if len(ours) == 0 {
		return nil, age.ErrIncorrectIdentity
	}
	if err := i.p.DisplayMessage(Message); err != nil {
		return nil, err
	}
	return i.id.Unwrap(ours)
}
