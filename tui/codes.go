package tui

import (
	"time"

	"github.com/vmfa/vmfa/vault"
)

// codeEntry is one account's current and next code for one TOTP window, or
// the last HOTP code the user took, with the counter it was the code of.
type codeEntry struct {
	step      uint64
	cur, next string
	err       error
	hotp      bool
	counter   uint64
}

// codeCache holds the codes of every account, keyed by entry ID. TOTP codes
// are computed when an account's window (Step) changes, never per frame.
type codeCache map[string]codeEntry

// prune forgets the codes of accounts that are gone. It runs when the
// vault's data changes, not on every tick.
func (c codeCache) prune(entries []vault.Entry) {
	live := make(map[string]bool, len(entries))
	for _, e := range entries {
		live[e.ID] = true
	}
	for id := range c {
		if !live[id] {
			delete(c, id)
		}
	}
}

// refresh recomputes the codes whose window has changed at now.
func (c codeCache) refresh(entries []vault.Entry, now time.Time) {
	for _, e := range entries {
		if !e.Type.TimeBased() {
			continue
		}
		step := e.Step(now)
		if ce, ok := c[e.ID]; ok && ce.step == step && ce.cur != "" {
			continue
		}
		cur, err := e.Code(now)
		next, err2 := e.NextCode(now)
		if err == nil {
			err = err2
		}
		c[e.ID] = codeEntry{step: step, cur: cur, next: next, err: err}
	}
}

// group splits a code for reading: "123 456", "1234 5678", "1234 567".
func group(code string) string {
	switch len(code) {
	case 6:
		return code[:3] + " " + code[3:]
	case 7, 8:
		return code[:4] + " " + code[4:]
	}
	return code
}
