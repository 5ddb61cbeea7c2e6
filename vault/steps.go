package vault

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/vmfa/vmfa/otp"
)

// Codes that are never reused.
//
// A service that accepts a TOTP code once rejects it the second time (AWS
// does), so two sessions started in one window fail. vmfa records every
// TOTP time step it hands out, whatever hands it out (vmfa code, a copy in
// the interface, enroll), and a fresh claim passes over a step already
// handed out for the next one. The record holds account IDs and time steps
// only, never codes or secrets. It is stepsFile in the vault directory, read
// and written under the vault's lock, whether the vault was opened with the
// passphrase or through an agent: one record, so that a code handed out one
// way is never handed out again the other way, nor after an agent restarts.

// ErrNoFreshCode is what a fresh claim gets when the codes of the current
// window and the next one were both handed out already.
var ErrNoFreshCode = errors.New("the codes of this window and the next were both handed out already")

// stepRecord is the record of handed-out steps, and the rule of claiming
// one. claimStep serializes the claims with the vault's lock.
type stepRecord struct {
	Handouts []handout `json:"handouts"`
}

// handout is one TOTP step handed out.
type handout struct {
	Account string `json:"account"` // Entry.ID
	Period  int    `json:"period"`  // seconds
	Step    int64  `json:"step"`    // Unix time / Period
}

// Handouts are forgotten this long after their window ended, and at most
// maxHandouts are kept, the newest.
const (
	keepHandouts = 10 * time.Minute
	maxHandouts  = 1024
)

// claim records that the code of account's TOTP step at now (Unix time /
// period) is handed out, and returns that step; with fresh, a step already
// handed out is passed over for the next one.
func (s *stepRecord) claim(account string, period int, now time.Time, fresh bool) (int64, error) {
	if period <= 0 {
		return 0, fmt.Errorf("a TOTP period of %d s", period)
	}
	step := now.Unix() / int64(period)
	if fresh && s.used(account, period, step) {
		step++
		if s.used(account, period, step) {
			return 0, ErrNoFreshCode
		}
	}
	if !s.used(account, period, step) {
		s.Handouts = append(s.Handouts, handout{Account: account, Period: period, Step: step})
	}
	s.prune(now)
	return step, nil
}

func (s *stepRecord) used(account string, period int, step int64) bool {
	return slices.Contains(s.Handouts, handout{Account: account, Period: period, Step: step})
}

// prune forgets the handouts whose window ended keepHandouts before now,
// then the oldest beyond maxHandouts.
func (s *stepRecord) prune(now time.Time) {
	s.Handouts = slices.DeleteFunc(s.Handouts, func(h handout) bool {
		end := time.Unix((h.Step+1)*int64(h.Period), 0)
		return h.Period <= 0 || now.Sub(end) > keepHandouts
	})
	if n := len(s.Handouts) - maxHandouts; n > 0 {
		s.Handouts = slices.Delete(s.Handouts, 0, n)
	}
}

// ClaimCode records that the code of e at now is handed out and returns the
// time to compute it at: now, or with fresh, when the current window's code
// was handed out already, the start of the next window, which the caller
// waits for. An HOTP entry's codes are never reused (its counter is spent),
// so nothing is recorded for it.
func (v *Vault) ClaimCode(e Entry, now time.Time, fresh bool) (time.Time, error) {
	if e.Type == otp.HOTP {
		return now, nil
	}
	step, err := v.store.claimStep(e.ID, e.Period, now, fresh)
	if errors.Is(err, ErrNoFreshCode) {
		return time.Time{}, fmt.Errorf("no fresh code for %s: %w; the next one comes in %d s", e.Label(), err, e.SecondsLeft(now)+e.Period)
	}
	if err != nil {
		return time.Time{}, err
	}
	if step == now.Unix()/int64(e.Period) {
		return now, nil
	}
	return time.Unix(step*int64(e.Period), 0), nil
}

// stepsFile holds the stepRecord of a vault directory, 0600.
const stepsFile = "steps.json"

// claimStep reads stepsFile, claims and writes it back, all under the
// vault's lock so that two processes never claim one step. A stepsFile
// that can't be read is started afresh: it holds no secret and no data,
// only which codes not to hand out again.
func (s *Store) claimStep(account string, period int, now time.Time, fresh bool) (int64, error) {
	release, err := lock(s.dir)
	if err != nil {
		return 0, err
	}
	defer release()
	var steps stepRecord
	if b, err := readFile(s.path(stepsFile), 1<<20); err == nil {
		if json.Unmarshal(b, &steps) != nil {
			steps = stepRecord{}
		}
	} else if !errors.Is(err, fs.ErrNotExist) && !errors.Is(err, errTooLarge) {
		return 0, err
	}
	before := slices.Clone(steps.Handouts)
	step, err := steps.claim(account, period, now, fresh)
	if err != nil {
		return 0, err
	}
	if slices.Equal(before, steps.Handouts) {
		return step, nil // handed out again, as a plain code may be
	}
	b, err := json.Marshal(steps)
	if err != nil {
		return 0, err
	}
	return step, writeState(s.dir, stepsFile, b)
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
