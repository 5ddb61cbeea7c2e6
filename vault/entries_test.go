package vault

import (
	"errors"
	"strings"
	"testing"
	"time"
)

// TestFirstEntry renames and removes the first entry: position 0 is an
// entry like any other.
func TestFirstEntry(t *testing.T) {
	d := &Data{Version: Version}
	a, _ := d.Add(testAccount("GitHub", "alice", 1), time.Now())
	b, _ := d.Add(testAccount("GitHub", "bob", 2), time.Now())
	if e, err := d.Rename(a.ID, "GitLab", "alice"); err != nil || e.Label() != "GitLab:alice" || d.Accounts[0].Label() != "GitLab:alice" {
		t.Errorf("Rename of the first entry = %q, %v", e.Label(), err)
	}
	if !d.Remove(a.ID) || len(d.Accounts) != 1 || d.Accounts[0].ID != b.ID {
		t.Errorf("Remove of the first entry left %v", d.Accounts)
	}
	if _, err := d.Rename(a.ID, "X", "y"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Rename of a removed entry: %v, want ErrNotFound", err)
	}
}

// TestDuplicateSecretBits refuses a secret written with other unused low
// bits in its last base32 character: the bytes, and so the codes, are those
// of a secret already in the vault.
func TestDuplicateSecretBits(t *testing.T) {
	d := &Data{Version: Version}
	a := testAccount("GitHub", "alice", 1)
	a.Secret = "GEZDGNBVGY3TQ" // 8 bytes in 13 characters: the last bit is unused
	first, err := d.Add(a, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	b := testAccount("GitHub", "bob", 2)
	b.Secret = "GEZDGNBVGY3TR"
	var dup *DuplicateError
	if _, err := d.Add(b, time.Now()); !errors.As(err, &dup) || dup.Existing.ID != first.ID {
		t.Errorf("Add of the same secret with another last bit: %v, want a DuplicateError naming %s", err, first.Label())
	}
	b.Secret = "GEZDGNBVGY3TS" // a different byte
	if _, err := d.Add(b, time.Now()); err != nil {
		t.Errorf("Add of another secret: %v", err)
	}
}

// TestIDLength accepts IDs of up to 64 characters, a hand edit's or a
// future version's.
func TestIDLength(t *testing.T) {
	e := Entry{ID: strings.Repeat("a", 64), Account: testAccount("I", "n", 1)}
	if err := e.Account.Normalize(); err != nil {
		t.Fatal(err)
	}
	if err := e.Validate(); err != nil {
		t.Errorf("a 64-character ID: %v", err)
	}
	e.ID += "a"
	if err := e.Validate(); err == nil || err.Error() != "account has no valid id" {
		t.Errorf("a 65-character ID: %v", err)
	}
}
