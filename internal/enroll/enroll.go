// Package enroll enrolls a virtual MFA device: it gives the two consecutive
// codes a service such as AWS asks for on its "Set up device" page ("MFA
// code 1", "MFA code 2"), for any front end: 'vmfa enroll', and the
// enrollment 'vmfa aws' does through IAM.
//
// The flow is:
//
//   - One picks the account to enroll from what an image holds: exactly one,
//     and time-based (ErrNotOneAccount, ErrCounterBased).
//   - Add puts it in the vault, or finds it there already: enrolling again
//     after the service refused the codes must still work.
//   - Claim computes code 1 (the window of now) and code 2 (the next
//     window) and records both as handed out (vault's steps record, under
//     one lock, so no other claim comes between them), so that 'vmfa code
//     --fresh' and 'vmfa aws' never hand them out again. A record that
//     can't be written does not keep the codes from the user: Claim
//     returns them with Enrollment.Unrecorded set.
//   - A Session shows them: printed, as JSON, or copied one at a time
//     (Copy). With wait, code 2 is shown only once its window has begun,
//     for services that refuse a code from the future; meanwhile a
//     countdown runs on the session's ErrOut when it is a terminal, one
//     plain line otherwise. Every wait ends early when its context is done.
//
// Time comes from a Clock: the corrected clock every code is computed at
// (timesync.Clock), and a timer a test can make instant. This package
// never names a vmfa command or flag; its front ends add the hints.
package enroll

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/vmfa/vmfa/otp"
	"github.com/vmfa/vmfa/vault"
)

// Errors of One.
var (
	// ErrNotOneAccount: the image holds an export of several accounts, or
	// none.
	ErrNotOneAccount = errors.New("an enrollment takes an image of one account")
	// ErrCounterBased: an HOTP account has no windows, so no two
	// consecutive codes to show without spending its counter.
	ErrCounterBased = errors.New("an HOTP (counter-based) account, not a time-based MFA device")
)

// Clock is the time an enrollment runs on.
type Clock struct {
	// Now is the clock codes are computed at: the system clock plus any
	// correction applied (timesync.Clock.Now). Nil means time.Now.
	Now func() time.Time
	// After waits as time.After does; nil means time.After. A test's fake
	// clock moves Now on by d instead.
	After func(d time.Duration) <-chan time.Time
}

func (c Clock) now() time.Time {
	if c.Now == nil {
		return time.Now()
	}
	return c.Now()
}

func (c Clock) after(d time.Duration) <-chan time.Time {
	if c.After == nil {
		return time.After(d)
	}
	return c.After(d)
}

// One returns the account to enroll among those source (an image's name)
// holds: the only one, which must be time-based.
func One(source string, accounts []otp.Account) (otp.Account, error) {
	if len(accounts) != 1 {
		return otp.Account{}, fmt.Errorf("%s holds %d accounts; %w", source, len(accounts), ErrNotOneAccount)
	}
	if accounts[0].Type != otp.TOTP {
		return otp.Account{}, fmt.Errorf("%s is %w", accounts[0].Label(), ErrCounterBased)
	}
	return accounts[0], nil
}

// Add adds acc to the vault at now, and returns its entry, added false when
// it was there already: enrolling again after the service refused the codes
// is no error.
func Add(v *vault.Vault, acc otp.Account, now time.Time) (e vault.Entry, added bool, err error) {
	var (
		in      []vault.Entry
		skipped []vault.Skipped
	)
	if _, err = v.Update(func(d *vault.Data) (err error) {
		in, skipped, err = d.AddAll([]otp.Account{acc}, now, true)
		return err
	}); err != nil {
		return vault.Entry{}, false, err
	}
	if len(in) == 1 {
		return in[0], true, nil
	}
	return skipped[0].Existing, false, nil
}

// Enrollment is the two codes of a device being enrolled.
type Enrollment struct {
	Account      otp.Account
	ID           string // the account's in the vault (vault.Entry.ID), for the record of copies
	Code1, Code2 string
	// At is when the codes were computed: code 1 is the code of At's
	// window, code 2 the next window's.
	At time.Time
	// Unrecorded, when not nil, says why the codes could not be recorded
	// as handed out (it wraps vault.ErrNotRecorded): they are good, but
	// may be handed out again.
	Unrecorded error
}

// Claim computes the codes of e at now, code 1 and code 2, and records both
// as handed out, under one lock (vault.Vault.HandOut with Next).
func Claim(v *vault.Vault, e vault.Entry, now time.Time) (Enrollment, error) {
	if e.Type != otp.TOTP {
		return Enrollment{}, fmt.Errorf("%s is %w", e.Label(), ErrCounterBased)
	}
	h, err := v.HandOut(e, now, vault.HandOutOptions{Next: true})
	if err != nil {
		return Enrollment{}, err
	}
	return Enrollment{Account: e.Account, ID: e.ID, Code1: h.Codes[0], Code2: h.Codes[1], At: h.At, Unrecorded: h.Unrecorded}, nil
}

// Code2Ready reports whether code 2's window has begun at now.
func (en Enrollment) Code2Ready(now time.Time) bool {
	return en.Account.Step(now) != en.Account.Step(en.At)
}

// waitForCode2 waits until code 2's window begins, by clock, with a
// countdown on a terminal (the countdown type), and returns the time it
// ended; or ctx's error if ctx is done first.
func (en Enrollment) waitForCode2(ctx context.Context, clock Clock, cd countdown) (time.Time, error) {
	cd.start(en.Account.SecondsLeft(en.At))
	now := clock.now()
	for ; !en.Code2Ready(now); now = clock.now() {
		cd.tick(en.Account.SecondsLeft(now))
		select {
		case <-clock.after(min(en.Account.Remaining(now), time.Second)):
		case <-ctx.Done():
			return now, ctx.Err()
		}
	}
	cd.end()
	return now, nil
}
