package vault

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/vmfa/vmfa/otp"
)

// maxNoteLen bounds an Entry's note: it is a hint for the user, not a file.
const maxNoteLen = 4096

// Validate reports the first thing wrong with e, or nil. It checks e's
// Account too.
func (e Entry) Validate() error {
	if !validID(e.ID) {
		return errors.New("account has no valid id")
	}
	if err := otp.CheckText("note", e.Note, maxNoteLen); err != nil {
		return err
	}
	return e.Account.Validate()
}

// validID accepts the hex IDs Add makes, and any other short run of letters,
// digits, '-' and '_' that a future version or a hand edit might use.
func validID(id string) bool {
	if id == "" || len(id) > 64 {
		return false
	}
	for _, c := range []byte(id) {
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9', c == '-', c == '_':
		default:
			return false
		}
	}
	return true
}

// Add normalizes and validates a and appends it to d with a new random ID,
// created at now. It refuses an account whose secret d already holds, with
// a *DuplicateError naming the existing entry: two entries for one secret
// are one account under two names, which only confuses.
func (d *Data) Add(a otp.Account, now time.Time) (Entry, error) {
	if err := a.Normalize(); err != nil {
		return Entry{}, err
	}
	if e, ok := d.bySecret(a); ok {
		return Entry{}, &DuplicateError{Existing: e}
	}
	e := Entry{ID: d.newID(), Created: now.UTC(), Account: a}
	d.Accounts = append(d.Accounts, e)
	return e, nil
}

// bySecret finds the entry with a's secret. It compares decoded bytes:
// canonical base32 strings of different lengths can't be equal, but the
// unused low bits of a final partial group can differ.
func (d *Data) bySecret(a otp.Account) (Entry, bool) {
	want, err := a.SecretBytes()
	for _, e := range d.Accounts {
		if e.Secret == a.Secret {
			return e, true
		}
		if err != nil {
			continue
		}
		if got, err := e.SecretBytes(); err == nil && bytes.Equal(got, want) {
			return e, true
		}
	}
	return Entry{}, false
}

// newID returns a random ID that no entry of d has.
func (d *Data) newID() string {
	for {
		id := randomHex(8)
		if d.Index(id) < 0 {
			return id
		}
	}
}

// Index returns the position in d.Accounts of the entry with that ID, or -1.
func (d *Data) Index(id string) int {
	return slices.IndexFunc(d.Accounts, func(e Entry) bool { return e.ID == id })
}

// Edit calls fn on the entry with that ID, in place, or returns ErrNotFound
// (another process may have removed it since the caller looked).
func (d *Data) Edit(id string, fn func(*Entry) error) error {
	i := d.Index(id)
	if i < 0 {
		return ErrNotFound
	}
	return fn(&d.Accounts[i])
}

// Rename gives the entry with that ID a new issuer and name. It refuses a
// label another entry already has (ignoring case), which would leave both
// reachable only by ID.
func (d *Data) Rename(id, issuer, name string) (Entry, error) {
	i := d.Index(id)
	if i < 0 {
		return Entry{}, ErrNotFound
	}
	a := d.Accounts[i].Account
	a.Issuer, a.Name = issuer, name
	if err := a.Normalize(); err != nil {
		return Entry{}, err
	}
	for j, other := range d.Accounts {
		if j != i && strings.EqualFold(other.Label(), a.Label()) {
			return Entry{}, fmt.Errorf("another account is called %s already", other.Label())
		}
	}
	d.Accounts[i].Account = a
	return d.Accounts[i], nil
}

// Remove deletes the entry with that ID, keeping the others in order, and
// reports whether there was one.
func (d *Data) Remove(id string) bool {
	i := d.Index(id)
	if i < 0 {
		return false
	}
	d.Accounts = slices.Delete(d.Accounts, i, i+1)
	return true
}

// validate checks what Update is about to save, and what Load read.
func (d *Data) validate() error {
	if d.Version != Version {
		return fmt.Errorf("unsupported format version %d", d.Version)
	}
	if n := d.Generations; n != 0 && (n < MinGenerations || n > MaxGenerations) {
		return fmt.Errorf("keeping %d versions is not supported: keep %d to %d", n, MinGenerations, MaxGenerations)
	}
	seen := make(map[string]int, len(d.Accounts))
	for i, e := range d.Accounts {
		if err := e.Validate(); err != nil {
			return fmt.Errorf("account %d (%q): %w", i+1, otp.Shorten(e.Label(), 64), err)
		}
		if j, ok := seen[e.ID]; ok {
			return fmt.Errorf("accounts %d and %d have the same id %q", j+1, i+1, e.ID)
		}
		seen[e.ID] = i
	}
	return nil
}

// parseData parses the plaintext of a vault.age. Unknown fields are kept
// (fields.go), so that an older vmfa can read, and save, what a newer one
// adds within a version. A
// newer version is refused even if its accounts fail to parse: they may not
// mean what this version thinks.
func parseData(pt []byte) (*Data, error) {
	d := new(Data)
	if err := d.UnmarshalJSON(pt); err != nil {
		// Is it the accounts of a newer version that don't parse? One pass
		// in the common case, two only for an error.
		var v struct {
			Version int `json:"version"`
		}
		if json.Unmarshal(pt, &v) == nil && v.Version > Version {
			return nil, ErrNewerVersion
		}
		return nil, jsonError(err)
	}
	switch {
	case d.Version > Version:
		return nil, ErrNewerVersion
	case d.Version <= 0:
		return nil, errors.New("it has no format version")
	}
	if d.Accounts == nil {
		d.Accounts = []Entry{}
	}
	if err := d.validate(); err != nil {
		return nil, err
	}
	return d, nil
}

// jsonError describes a JSON error without quoting the plaintext, which
// holds secrets: a syntax error names the character it stopped at.
func jsonError(err error) error {
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syntax):
		return fmt.Errorf("its contents are not valid JSON (at byte %d)", syntax.Offset)
	case errors.As(err, &typ):
		if typ.Field == "" {
			return fmt.Errorf("its contents are not a vault (JSON %s at byte %d)", typ.Value, typ.Offset)
		}
		// Data's fields are decoded through dataJSON (fields.go).
		return fmt.Errorf("its field %q has the wrong type", strings.TrimPrefix(typ.Field, "dataFields."))
	}
	return errors.New("its contents are not valid JSON")
}
