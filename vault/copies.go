package vault

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"slices"
	"time"

	"github.com/vmfa/vmfa/otp"
)

// Codes left on a clipboard.
//
// A code vmfa copies is cleared from the clipboard a little later, if it is
// still there, by the process that copied it (the interface) or that was
// started to (for 'vmfa code --copy'). When that process dies first (SIGKILL,
// a crash), the code would stay on the clipboard for good. So every copy is
// recorded in copiesFile until it is cleared, and the next interface to open
// the vault clears the codes whose process is gone, if the clipboard still
// holds them.
//
// The record holds no code and no secret, only what the code can be
// computed again from with the vault open (its account's ID and its moving
// factor: the time step of a TOTP code, the counter of an HOTP one), how it
// was copied, when, and by which process.

// A Copy is one code on a clipboard, to be cleared from it by process PID.
type Copy struct {
	Account string    `json:"account"` // Entry.ID
	Step    uint64    `json:"step"`    // the code's time step (TOTP) or counter (HOTP): otp.Account.Step
	Route   string    `json:"route"`   // how it was copied, as package clipboard names it
	At      time.Time `json:"at"`      // when
	PID     int       `json:"pid"`     // the process that is to clear it
}

// CopyOf is the Copy of e's code at at, e as it was before the code was
// taken (an HOTP code is that of e.Counter), with no route, time or process
// yet.
func CopyOf(e Entry, at time.Time) Copy {
	return Copy{Account: e.ID, Step: e.Step(at)}
}

// same reports whether c and o are one record; times compare as instants.
func (c Copy) same(o Copy) bool {
	return c.Account == o.Account && c.Step == o.Step && c.Route == o.Route && c.At.Equal(o.At) && c.PID == o.PID
}

// CopiedCode computes the code c describes again, or returns ErrNotFound
// when its account is no longer in the vault.
func (d *Data) CopiedCode(c Copy) (string, error) {
	i := d.Index(c.Account)
	if i < 0 {
		return "", ErrNotFound
	}
	e := d.Accounts[i]
	if e.Type == otp.HOTP {
		e.Counter = c.Step
		return e.Code(time.Time{})
	}
	if e.Period <= 0 || c.Step > math.MaxInt64/uint64(e.Period) {
		return "", fmt.Errorf("no code of %s at step %d", e.Label(), c.Step)
	}
	return e.Code(time.Unix(int64(c.Step)*int64(e.Period), 0))
}

// copiesFile holds the Copy records of a vault directory, 0600.
const copiesFile = "copies.json"

// maxCopies bounds the record: the newest are kept. A copy replaces the one
// before it on the clipboard, so only the last few can still be there.
const maxCopies = 16

// Copies returns the codes recorded as copied and not cleared yet.
func (s *Store) Copies() ([]Copy, error) {
	return s.readCopies()
}

// RecordCopy records c, a code just copied, until ForgetCopy.
func (s *Store) RecordCopy(c Copy) error {
	return s.updateCopies(func(copies []Copy) []Copy {
		copies = append(copies, c)
		return copies[max(0, len(copies)-maxCopies):]
	})
}

// ForgetCopy removes c from the record: it is cleared, or gone.
func (s *Store) ForgetCopy(c Copy) error {
	return s.updateCopies(func(copies []Copy) []Copy {
		return slices.DeleteFunc(copies, c.same)
	})
}

// readCopies reads copiesFile. One that can't be parsed is empty: it holds
// nothing the vault needs, only codes to clear.
func (s *Store) readCopies() ([]Copy, error) {
	b, err := readFile(s.path(copiesFile), 1<<20)
	if errors.Is(err, fs.ErrNotExist) || errors.Is(err, errTooLarge) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var copies []Copy
	if json.Unmarshal(b, &copies) != nil {
		return nil, nil
	}
	return copies, nil
}

// updateCopies reads copiesFile, changes it and writes it back if it
// changed, all under the vault's lock, so that two processes' records do not
// overwrite each other.
func (s *Store) updateCopies(change func([]Copy) []Copy) error {
	release, err := lock(s.dir)
	if err != nil {
		return err
	}
	defer release()
	copies, err := s.readCopies()
	if err != nil {
		return err
	}
	changed := change(slices.Clone(copies))
	if slices.EqualFunc(copies, changed, Copy.same) {
		return nil
	}
	if changed == nil {
		changed = []Copy{}
	}
	b, err := json.Marshal(changed)
	if err != nil {
		return err
	}
	return writeState(s.dir, copiesFile, b)
}
