package vault

import (
	"testing"
	"time"

	"github.com/vmfa/vmfa/otp"
)

// TestHandOut: what each option hands out and records. A code at a time
// the user chose is shown, not recorded; Next records the next window too;
// an HOTP handout spends its counter and is saved.
func TestHandOut(t *testing.T) {
	_, v := newTestVault(t)
	d := addAccounts(t, v, 0, 1)
	e := d.Accounts[0]
	now := time.Unix(1_800_000_010, 0) // 10 s into step 60000000

	h, err := v.HandOut(e, now, HandOutOptions{AtChosenTime: true})
	if code, _ := e.Code(now); err != nil || len(h.Codes) != 2 || h.Codes[0] != code || !h.At.Equal(now) {
		t.Fatalf("at a chosen time: %+v %v", h, err)
	}
	if at, err := v.ClaimCode(e, now, true); err != nil || !at.Equal(now) {
		t.Fatalf("a code at a chosen time was recorded: a fresh claim gives %v %v", at, err)
	}

	// This window's code is recorded now (just above); with Next, a fresh
	// handout is the next window's and records the one after it too.
	h, err = v.HandOut(e, now, HandOutOptions{Fresh: true, Next: true})
	next := time.Unix(60_000_001*30, 0)
	if code, _ := e.Code(next); err != nil || !h.At.Equal(next) || h.Codes[0] != code {
		t.Fatalf("fresh and next: %+v %v, want the codes at %v", h, err, next)
	}
	if at, err := v.ClaimCode(e, next, true); err != nil || !at.Equal(next.Add(60*time.Second)) {
		t.Fatalf("the window after the fresh one was not recorded: a fresh claim gives %v %v", at, err)
	}

	hotp := testAccount("Counter", "bob", 99)
	hotp.Type = otp.HOTP
	d, err = v.Update(func(d *Data) error { _, err := d.Add(hotp, now); return err })
	if err != nil {
		t.Fatal(err)
	}
	e, _ = d.Find("counter")
	if h, err = v.HandOut(e, now, HandOutOptions{Next: true}); err != nil || len(h.Codes) != 2 {
		t.Fatalf("HOTP: %+v %v", h, err)
	}
	d, _ = v.Load()
	if saved, _ := d.Find("counter"); saved.Counter != e.Counter+2 {
		t.Fatalf("HOTP counter %d after handing out two codes from %d", saved.Counter, e.Counter)
	}
}
