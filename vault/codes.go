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
