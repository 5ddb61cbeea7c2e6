// Package codeprint is what 'vmfa code' prints, written once for the two
// programs that print it: vmfa's front end, which has the codes from the
// agent, and the full program, which computes them itself. Like package
// wire, it imports little, for the front end's start-up.
package codeprint

import (
	"encoding/json"
	"fmt"
	"io"
	"time"

	"github.com/vmfa/vmfa/internal/agent/wire"
	"github.com/vmfa/vmfa/internal/term"
)

// Print writes the code on a line, and with next the next code on a
// second; or with asJSON, one indented JSON object: for TOTP {"issuer",
// "name","code","next","remaining_seconds","period"}, for HOTP {"issuer",
// "name","code","next","counter"}, counter being the code's; "next" is
// there when it was handed out (c.Next is not empty).
func Print(w io.Writer, c wire.Codes, asJSON, next bool) error {
	if asJSON {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		if c.Counter != nil {
			return enc.Encode(struct {
				Issuer  string `json:"issuer"`
				Name    string `json:"name"`
				Code    string `json:"code"`
				Next    string `json:"next,omitempty"`
				Counter uint64 `json:"counter"`
			}{c.Issuer, c.Name, c.Code, c.Next, *c.Counter})
		}
		return enc.Encode(struct {
			Issuer    string `json:"issuer"`
			Name      string `json:"name"`
			Code      string `json:"code"`
			Next      string `json:"next,omitempty"`
			Remaining int    `json:"remaining_seconds"`
			Period    int    `json:"period"`
		}{c.Issuer, c.Name, c.Code, c.Next, c.Remaining, c.Period})
	}
	out := c.Code + "\n"
	if next {
		out += c.Next + "\n"
	}
	_, err := io.WriteString(w, out)
	return err
}

// WaitFresh waits d, until the window of a fresh code opens, counting down
// on errOut if it is a terminal. It reports false when the wall clock has
// passed the end of that window, period after it opens, by the time the wait
// ends: the computer slept through it (the monotonic clock a wait runs on
// stops in a suspend), and the code is no longer good; the caller asks
// again.
func WaitFresh(d, period time.Duration, errOut io.Writer) bool {
	until := time.Now().Add(d)
	closes := until.Round(0).Add(period) // on the wall clock
	line := term.NewStatusLine(errOut)
	for left := d; left > 0 && !wallNow().After(closes); left = time.Until(until) {
		line.Show(fmt.Sprintf("This window's code was handed out; a fresh one in %2ds…", int(left.Round(time.Second)/time.Second)))
		sleep(min(left, time.Second))
	}
	line.Clear()
	return !wallNow().After(closes)
}

// The wall clock and the sleep of WaitFresh, for tests.
var (
	wallNow = func() time.Time { return time.Now().Round(0) }
	sleep   = time.Sleep
)
