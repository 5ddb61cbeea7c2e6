package otp

import (
	"fmt"
	"strings"
)

// Collector gathers the accounts of several QR codes or lines of text,
// reassembling a Google Authenticator export that was split over several QR
// codes, whose parts may arrive in any order.
type Collector struct {
	accounts []Account
	exports  map[int32]*export
	order    []int32 // export IDs in arrival order, for a stable result
}

type export struct {
	size  int
	parts map[int][]Account
}

// Add parses text (see Parse) and keeps its accounts.
func (c *Collector) Add(text string) error {
	accounts, batch, err := Parse(text)
	if err != nil {
		return err
	}
	if batch == nil || batch.Size == 1 {
		c.accounts = append(c.accounts, accounts...)
		return nil
	}
	if c.exports == nil {
		c.exports = make(map[int32]*export)
	}
	e := c.exports[batch.ID]
	if e == nil {
		e = &export{size: batch.Size, parts: make(map[int][]Account)}
		c.exports[batch.ID] = e
		c.order = append(c.order, batch.ID)
	}
	if e.size != batch.Size {
		return fmt.Errorf("Google Authenticator export parts disagree on their count (%d and %d)", e.size, batch.Size)
	}
	// The same part scanned twice (two screenshots of one screen) is harmless.
	e.parts[batch.Index] = accounts
	return nil
}

// Accounts returns every account collected, in order, or an error naming the
// missing parts of an incomplete Google Authenticator export.
func (c *Collector) Accounts() ([]Account, error) {
	all := append([]Account(nil), c.accounts...)
	for _, id := range c.order {
		e := c.exports[id]
		var missing []string
		for i := range e.size {
			part, ok := e.parts[i]
			if !ok {
				missing = append(missing, fmt.Sprint(i+1))
				continue
			}
			all = append(all, part...)
		}
		if len(missing) > 0 {
			return nil, fmt.Errorf("Google Authenticator export is incomplete: QR %s of %d missing; scan every QR code the export shows", strings.Join(missing, ", "), e.size)
		}
	}
	return all, nil
}
