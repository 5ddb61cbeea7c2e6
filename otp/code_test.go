package otp

import (
	"testing"
	"time"
)

// TestSecondsLeft checks the countdown users see: the whole period at the
// start of a window, 1 in its last second, never 0.
func TestSecondsLeft(t *testing.T) {
	a := Account{Name: "x", Secret: "JBSWY3DPEHPK3PXP", Type: TOTP, Algorithm: SHA1, Digits: 6, Period: 30}
	for _, tt := range []struct {
		at   time.Time
		want int
	}{
		{time.Unix(60, 0), 30},
		{time.Unix(60, 1), 30},
		{time.Unix(61, 0), 29},
		{time.Unix(89, 0), 1},
		{time.Unix(89, 999_999_999), 1},
	} {
		if got := a.SecondsLeft(tt.at); got != tt.want {
			t.Errorf("SecondsLeft(%v) = %d, want %d", tt.at.UnixNano(), got, tt.want)
		}
	}
	hotp := Account{Name: "h", Secret: "JBSWY3DPEHPK3PXP", Type: HOTP, Algorithm: SHA1, Digits: 6, Counter: 3}
	if got := hotp.SecondsLeft(time.Unix(61, 0)); got != 0 {
		t.Errorf("an HOTP account's SecondsLeft = %d, want 0", got)
	}
	if got := hotp.Step(time.Unix(1e9, 0)); got != 3 {
		t.Errorf("an HOTP account's Step = %d, want its counter 3", got)
	}
}

// TestBrokenAccountCode checks that an account with no period, which only a
// damaged vault could hold, gets an error rather than a panic or a code.
func TestBrokenAccountCode(t *testing.T) {
	a := Account{Name: "x", Secret: "JBSWY3DPEHPK3PXP", Type: TOTP, Algorithm: SHA1, Digits: 6}
	if code, err := a.Code(time.Unix(1e9, 0)); err == nil {
		t.Errorf("Code of an account with no period = %q, want an error", code)
	}
	if code, err := a.NextCode(time.Unix(1e9, 0)); err == nil {
		t.Errorf("NextCode of an account with no period = %q, want an error", code)
	}
	if got := a.Remaining(time.Unix(1e9, 0)); got != 0 {
		t.Errorf("Remaining of an account with no period = %v, want 0", got)
	}
	// Before 1970 there is no window; the first one stands in.
	if got := (Account{Type: TOTP, Period: 30}).Step(time.Unix(-31, 0)); got != 0 {
		t.Errorf("Step before 1970 = %d, want 0", got)
	}
}
