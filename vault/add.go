package vault

import (
	"errors"
	"fmt"
	"time"

	"github.com/vmfa/vmfa/otp"
)

// Skipped is an account AddAll left out because the vault already holds its
// secret.
type Skipped struct {
	Account  otp.Account // as it was offered
	Existing Entry       // the entry that already holds the secret
}

// AddAll adds accounts that arrived together (one image, one export, one
// paste) as a unit, the one rule both front ends apply:
//
//   - an invalid account refuses the whole unit, naming it;
//   - an account whose secret the vault already holds refuses the whole unit
//     too, unless skipExisting is set, when it is left out and reported in
//     skipped (re-importing a newer export is the usual reason).
//
// On error d is unchanged. Call it inside Vault.Update so the unit is saved
// in one transaction.
func (d *Data) AddAll(accounts []otp.Account, now time.Time, skipExisting bool) (added []Entry, skipped []Skipped, err error) {
	before := len(d.Accounts)
	for _, a := range accounts {
		e, err := d.Add(a, now)
		var dup *DuplicateError
		switch {
		case errors.As(err, &dup) && skipExisting:
			skipped = append(skipped, Skipped{Account: a, Existing: dup.Existing})
		case err != nil:
			d.Accounts = d.Accounts[:before]
			return nil, nil, fmt.Errorf("%s: %w", a.Label(), err)
		default:
			added = append(added, e)
		}
	}
	return added, skipped, nil
}
