package vault

import "github.com/vmfa/vmfa/otp"

// HOTP counters never go back.
//
// An HOTP code stays good until a later one is used, so a counter that goes
// back hands out again codes that were handed out already. A vault comes
// back older by 'vmfa restore', by a vault.age.bak or a generation copied
// over vault.age by hand, by the user's own backups. So every save notes the
// HOTP counters it saves in the record of handed-out codes (stepsFile), and
// every change to the vault (Update, Restore) starts from the higher of each
// account's counter and the record's, by Entry.ID; Restore also keeps the
// current version's counters where they are higher than the restored one's.
// The record holds counters, which are neither codes nor secrets.

// maxCounters bounds the counters kept in the record: beyond it, those of
// accounts no longer in the vault are forgotten.
const maxCounters = 1024

// maxCounterLead is how far ahead of the vault's own counter the record's is
// believed: further than years of codes is a damaged or planted record
// (steps.json is not encrypted), whose counter would put the account past
// what its server accepts, or exhaust it, for good.
const maxCounterLead = 1 << 16

// keepCounters raises each HOTP counter of d to the highest the same account
// has in known, by Entry.ID. A known counter more than maxCounterLead ahead
// is removed from known instead, so that the next noteCounters replaces it
// with the vault's.
func keepCounters(d *Data, known map[string]uint64) {
	for i := range d.Accounts {
		e := &d.Accounts[i]
		c, ok := known[e.ID]
		switch {
		case !ok || e.Type != otp.HOTP || c <= e.Counter:
		case c-e.Counter > maxCounterLead:
			delete(known, e.ID)
		default:
			e.Counter = c
		}
	}
}

// countersOf returns the HOTP counters of d by Entry.ID.
func countersOf(d *Data) map[string]uint64 {
	counters := map[string]uint64{}
	for _, e := range d.Accounts {
		if e.Type == otp.HOTP {
			counters[e.ID] = e.Counter
		}
	}
	return counters
}

// noteCounters writes to the record steps, as read under the lock the
// caller still holds, the HOTP counters of d, just saved, that are higher
// than the record's. A record that can't be written is no error of the
// save: vault.age holds the counters, the record only outlives a vault.age
// brought back older.
func (s *Store) noteCounters(steps stepRecord, d *Data) {
	changed := false
	for id, c := range countersOf(d) {
		if c > steps.Counters[id] {
			if steps.Counters == nil {
				steps.Counters = map[string]uint64{}
			}
			steps.Counters[id], changed = c, true
		}
	}
	if !changed {
		return
	}
	for id := range steps.Counters {
		if len(steps.Counters) <= maxCounters {
			break
		}
		if d.Index(id) < 0 {
			delete(steps.Counters, id)
		}
	}
	s.writeSteps(steps)
}
