package vault

import (
	"errors"
	"fmt"
	"syscall"
	"time"

	"github.com/vmfa/vmfa/otp"
)

// TakeCodes returns the codes to show for the entry with that ID at now: the
// current one and, with next, the one after it (otp.Account.NextCode). An
// HOTP entry's counter is spent before the codes are returned, so a crash
// between saving and showing can skip a code but never show one twice: the
// caller must save d (call it inside Vault.Update). A TOTP entry is left as
// it is.
//
// The entry returned is as it was before the codes were taken.
func (d *Data) TakeCodes(id string, now time.Time, next bool) (e Entry, codes []string, err error) {
	err = d.Edit(id, func(live *Entry) error {
		e = *live
		if e.Type == otp.HOTP {
			n := uint64(1)
			if next {
				n = 2
			}
			if err := live.Spend(n); err != nil {
				return err
			}
		}
		c, err := e.Code(now)
		if err != nil {
			return err
		}
		codes = append(codes, c)
		if next {
			if c, err = e.NextCode(now); err != nil {
				return err
			}
			codes = append(codes, c)
		}
		return nil
	})
	return e, codes, err
}

// Handout is the codes of one account handed out at one time.
type Handout struct {
	Entry Entry     // as it was before the codes were taken
	At    time.Time // when Codes[0] is valid: now, or a fresh code's window start
	Codes []string  // the code and, for TOTP always, the next one
	// Unrecorded, when not nil, says why the TOTP codes handed out could
	// not be recorded as such (it wraps ErrNotRecorded): they are good,
	// but may be handed out again.
	Unrecorded error
}

// HandOutOptions say which codes HandOut hands out.
type HandOutOptions struct {
	// Fresh: never a TOTP code handed out before; the next window's if
	// this one's was, which the caller waits for (Handout.At).
	Fresh bool
	// Next: the next code is handed out too: recorded for TOTP, its
	// counter spent for HOTP.
	Next bool
	// AtChosenTime: now is a time the user chose, not the present, so
	// the TOTP codes are shown but not recorded as handed out; an HOTP
	// account has none (ErrHOTPAtTime).
	AtChosenTime bool
}

// ErrHOTPAtTime says that an HOTP account has no code at a chosen time
// (HandOutOptions.AtChosenTime): its codes follow its counter.
var ErrHOTPAtTime = errors.New("its codes follow a counter, not the time: it has no code at a chosen time")

// HandOut hands out the codes of e at now, as 'vmfa code' does: a TOTP code
// is recorded as handed out (ClaimCode), and handed out all the same when
// that can't be written (Handout.Unrecorded); an HOTP counter is spent and
// saved before its code is returned (TakeCodes), and no code is returned if
// it can't be saved.
func (v *Vault) HandOut(e Entry, now time.Time, opt HandOutOptions) (Handout, error) {
	if e.Type == otp.HOTP && opt.AtChosenTime {
		// Refused before the counter is spent: a code for a time is for
		// checking, and would cost the account a code.
		return Handout{}, fmt.Errorf("%s is an HOTP account: %w", e.Label(), ErrHOTPAtTime)
	}
	if e.Type == otp.HOTP {
		var h Handout
		took := false
		_, err := v.Update(func(d *Data) (err error) {
			h.Entry, h.Codes, err = d.TakeCodes(e.ID, now, opt.Next)
			took = err == nil
			return err
		})
		if err != nil && (took || errors.Is(err, syscall.EROFS)) {
			// Unlike a TOTP code's record, this write is what keeps the
			// code from being handed out again: say so.
			err = fmt.Errorf("no code for %s: its HOTP counter must be saved first, and %w", e.Label(), err)
		}
		h.At = now
		return h, err
	}
	h := Handout{Entry: e, At: now}
	if !opt.AtChosenTime {
		if err := h.claim(v, opt); err != nil {
			return Handout{}, err
		}
	}
	code, err := e.Code(h.At)
	if err != nil {
		return Handout{}, err
	}
	next, err := e.NextCode(h.At)
	h.Codes = []string{code, next}
	return h, err
}

// claim records h's TOTP codes as handed out, setting h.At to a fresh
// code's window, and h.Unrecorded if they could not be recorded.
func (h *Handout) claim(v *Vault, opt HandOutOptions) error {
	n := 1
	if opt.Next {
		n = 2
	}
	at, err := v.claimCodes(h.Entry, h.At, opt.Fresh, n)
	if err != nil && !errors.Is(err, ErrNotRecorded) {
		return err
	}
	h.At, h.Unrecorded = at, err
	return nil
}
