package vault

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"syscall"
	"time"

	"github.com/vmfa/vmfa/otp"
)

// Codes that are never reused.
//
// A service that accepts a TOTP code once rejects it the second time (AWS
// does), so two sessions started in one window fail. vmfa records every
// TOTP time step it hands out, whatever hands it out (vmfa code, a copy in
// the interface, enroll), and a fresh claim passes over the steps already
// handed out for the first one that was not. The record holds account IDs,
// time steps and HOTP counters (counters.go) only, never codes or secrets.
// It is stepsFile in the vault directory, read and written under the
// vault's lock, whether the vault was opened with the passphrase or through
// an agent: one record, so that a code handed out one way is never handed
// out again the other way, nor after an agent restarts.
//
// The record is a safeguard, not a gate: a code whose handout can't be
// written down (a read-only or full file system) is handed out all the
// same, with an error wrapping ErrNotRecorded for the caller to warn with.

// maxFreshWindows is how many windows, the current one first, a fresh claim
// looks through for a code not handed out yet: enough for a code and its
// next handed out, as 'vmfa code --json' and enroll do, and a few fresh
// claims after them, without a wait of minutes for a runaway caller.
const maxFreshWindows = 10

// ErrNoFreshCode is what a fresh claim gets when the codes of the current
// window and the maxFreshWindows-1 after it were all handed out already.
var ErrNoFreshCode = fmt.Errorf("the codes of this window and the %d after it were all handed out already", maxFreshWindows-1)

// ErrNotRecorded is wrapped by the error of a code that was handed out but
// could not be recorded as such: it may be handed out again.
var ErrNotRecorded = errors.New("was not recorded as handed out, so it may be handed out again")

// stepRecord is the record of handed-out steps, and the rule of claiming
// one; and the HOTP counters the vault has reached. claimStep serializes the
// claims with the vault's lock.
type stepRecord struct {
	Handouts []handout `json:"handouts"`
	// Counters is the highest HOTP counter (of the next code) saved for
	// each account, by Entry.ID (counters.go).
	Counters map[string]uint64 `json:"counters,omitempty"`
}

// handout is one TOTP step handed out.
type handout struct {
	Account string `json:"account"` // Entry.ID
	Period  int    `json:"period"`  // seconds
	Step    int64  `json:"step"`    // Unix time / Period
	// At is when it was handed out, in Unix seconds; 0 in the records of
	// versions before it.
	At int64 `json:"at,omitempty"`
}

// of reports whether h is the handout of account's step of period.
func (h handout) of(account string, period int, step int64) bool {
	return h.Account == account && h.Period == period && h.Step == step
}

// Handouts are forgotten this long after their window ended, and at most
// maxHandouts are kept, the newest.
const (
	keepHandouts = 10 * time.Minute
	maxHandouts  = 1024
)

// claim records that the codes of account's n TOTP steps from the one at
// now (Unix time / period) are handed out, and returns that step; with
// fresh, the steps already handed out are passed over for the first one that
// was not, among maxFreshWindows.
func (s *stepRecord) claim(account string, period int, now time.Time, fresh bool, n int) (int64, error) {
	if period <= 0 {
		return 0, fmt.Errorf("a TOTP period of %d s", period)
	}
	s.prune(now) // before the claim: a record from the future is no obstacle
	step := now.Unix() / int64(period)
	if fresh {
		first := step
		for s.used(account, period, step) {
			if step++; step-first == maxFreshWindows {
				return 0, ErrNoFreshCode
			}
		}
	}
	for st := step; st < step+int64(n); st++ {
		if !s.used(account, period, st) {
			s.Handouts = append(s.Handouts, handout{Account: account, Period: period, Step: st, At: now.Unix()})
		}
	}
	s.prune(now)
	return step, nil
}

// fromAnotherClock reports whether h can't have been handed out under the
// clock that reads now: it was handed out more than aheadWindows windows
// after now, or its step lies beyond every claim's reach from now (a fresh
// one and its next). The clock was set back since (or the file was edited),
// and the services that saw its codes then were windows away from them and
// refused them: honoured, the record would only keep --fresh waiting, for
// up to maxFreshWindows windows, and then failing. It is forgotten at the
// first claim after the clock went back; a record the clock has caught up
// with by then is honoured, as it can't be told from one of this clock.
func (h handout) fromAnotherClock(now time.Time) bool {
	ahead := func(t int64) bool { return t > now.Unix()+aheadWindows*int64(h.Period) }
	return ahead(h.At) || ahead(h.Step*int64(h.Period)-maxFreshWindows*int64(h.Period))
}

// aheadWindows is how far ahead of now a record may have been made: a
// service accepts a code of a window or so away, and treats it as used.
const aheadWindows = 2

func (s *stepRecord) used(account string, period int, step int64) bool {
	return slices.ContainsFunc(s.Handouts, func(h handout) bool { return h.of(account, period, step) })
}

// prune forgets the handouts whose window ended keepHandouts before now,
// and those from the future (fromAnotherClock), then the oldest beyond
// maxHandouts.
func (s *stepRecord) prune(now time.Time) {
	s.Handouts = slices.DeleteFunc(s.Handouts, func(h handout) bool {
		end := time.Unix((h.Step+1)*int64(h.Period), 0)
		return h.Period <= 0 || now.Sub(end) > keepHandouts || h.fromAnotherClock(now)
	})
	if n := len(s.Handouts) - maxHandouts; n > 0 {
		s.Handouts = slices.Delete(s.Handouts, 0, n)
	}
}

// ClaimCode records that the code of e at now is handed out and returns the
// time to compute it at: now, or with fresh, when the current window's code
// was handed out already, the start of the first window whose code was not,
// which the caller waits for. An HOTP entry's codes are never reused (its
// counter is spent), so nothing is recorded for it.
//
// When the handout can't be written down, ClaimCode returns the time all
// the same, with an error wrapping ErrNotRecorded: the record of handed-out
// codes must never keep the user from a code.
func (v *Vault) ClaimCode(e Entry, now time.Time, fresh bool) (time.Time, error) {
	return v.claimCodes(e, now, fresh, 1)
}

// claimCodes is ClaimCode for the codes of n windows from the one claimed,
// all under one lock, so that no other claim comes between them.
func (v *Vault) claimCodes(e Entry, now time.Time, fresh bool, n int) (time.Time, error) {
	if e.Type == otp.HOTP {
		return now, nil
	}
	step, err := v.store.claimStep(e.ID, e.Period, now, fresh, n)
	if errors.Is(err, ErrNoFreshCode) {
		return time.Time{}, fmt.Errorf("no fresh code for %s: %w", e.Label(), err)
	}
	var notRecorded error
	if errors.Is(err, ErrNotRecorded) {
		notRecorded, err = fmt.Errorf("the code of %s %w", e.Label(), err), nil
	}
	if err != nil {
		return time.Time{}, err
	}
	at := time.Unix(step*int64(e.Period), 0)
	if step == now.Unix()/int64(e.Period) {
		at = now
	}
	return at, notRecorded
}

// stepsFile holds the stepRecord of a vault directory, 0600.
const stepsFile = "steps.json"

// claimStep reads stepsFile, claims and writes it back, all under the
// vault's lock so that two processes never claim one step. When the claim
// can't be written, it returns the step with an error wrapping
// ErrNotRecorded.
func (s *Store) claimStep(account string, period int, now time.Time, fresh bool, n int) (int64, error) {
	release, err := lock(s.dir)
	if errors.Is(err, syscall.EROFS) {
		// A read-only directory with no lock file, as a copy of the vault
		// on read-only media: no one can write the record there, so there
		// is nothing to serialize, and the claim's write fails as
		// ErrNotRecorded.
		release, err = func() {}, nil
	}
	if err != nil {
		return 0, err
	}
	defer release()
	steps, err := s.readSteps()
	if err != nil && period > 0 {
		// No record to pass over handed-out codes with, nor to write to
		// without losing it: the current window's code, not recorded.
		return now.Unix() / int64(period), fmt.Errorf("%w (%w)", ErrNotRecorded, err)
	}
	before := slices.Clone(steps.Handouts)
	step, err := steps.claim(account, period, now, fresh, n)
	if err != nil {
		return 0, err
	}
	if slices.Equal(before, steps.Handouts) {
		return step, nil // handed out again, as a plain code may be
	}
	if err := s.writeSteps(steps); err != nil {
		return step, fmt.Errorf("%w (%w)", ErrNotRecorded, err)
	}
	return step, nil
}

// readSteps reads stepsFile. One that is missing, too large or can't be
// parsed is started afresh: it holds no secret and no data, only which
// codes not to hand out again. The caller holds the lock.
func (s *Store) readSteps() (stepRecord, error) {
	var steps stepRecord
	b, err := readFile(s.path(stepsFile), 1<<20)
	if errors.Is(err, fs.ErrNotExist) || errors.Is(err, errTooLarge) {
		return steps, nil
	}
	if err != nil {
		return steps, err
	}
	if json.Unmarshal(b, &steps) != nil {
		return stepRecord{}, nil
	}
	return steps, nil
}

// writeSteps replaces stepsFile with steps. The caller holds the lock.
func (s *Store) writeSteps(steps stepRecord) error {
	b, err := json.Marshal(steps)
	if err != nil {
		return err
	}
	return writeState(s.dir, stepsFile, b)
}

// writeState replaces dir/name with b through a temporary file and a rename,
// without the syncs and the backup of writeAtomic: losing a state file in a
// crash loses nothing of the vault.
func writeState(dir, name string, b []byte) error {
	target := filepath.Join(dir, name)
	if err := checkReplaceable(target); err != nil {
		return err
	}
	f, err := os.CreateTemp(dir, "."+name+tmpMark+"*") // 0600
	if err != nil {
		return err
	}
	_, err = f.Write(b)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(f.Name(), target)
	}
	if err != nil {
		os.Remove(f.Name())
		return fmt.Errorf("can't save %s: %w", target, err)
	}
	return nil
}
