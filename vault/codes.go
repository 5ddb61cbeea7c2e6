package vault

import (
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
	// the TOTP codes are shown but not recorded as handed out.
	AtChosenTime bool
}

// HandOut hands out the codes of e at now, as 'vmfa code' does: a TOTP code
// is recorded as handed out (ClaimCode), an HOTP counter is spent and saved
// before its code is returned (TakeCodes).
func (v *Vault) HandOut(e Entry, now time.Time, opt HandOutOptions) (Handout, error) {
	if e.Type == otp.HOTP {
		var h Handout
		_, err := v.Update(func(d *Data) (err error) {
			h.Entry, h.Codes, err = d.TakeCodes(e.ID, now, opt.Next)
			return err
		})
		h.At = now
		return h, err
	}
	at := now
	if !opt.AtChosenTime {
		var err error
		if at, err = v.ClaimCode(e, now, opt.Fresh); err != nil {
			return Handout{}, err
		}
		if opt.Next {
			if _, err := v.ClaimCode(e, at.Add(e.Remaining(at)), false); err != nil {
				return Handout{}, err
			}
		}
	}
	code, err := e.Code(at)
	if err != nil {
		return Handout{}, err
	}
	next, err := e.NextCode(at)
	return Handout{Entry: e, At: at, Codes: []string{code, next}}, err
}
