package otp

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/vmfa/vmfa/internal/testenv"
)

// TestOathtool compares codes with oathtool, an independent implementation,
// at random instants, periods, digit counts and algorithms.
func TestOathtool(t *testing.T) {
	testenv.Tool(t, "oathtool")
	rng := rand.New(rand.NewPCG(1, 2))
	algorithms := []Algorithm{SHA1, SHA256, SHA512}
	for i := range 60 {
		raw := make([]byte, 10+rng.IntN(54))
		for j := range raw {
			raw[j] = byte(rng.Uint32())
		}
		a := Account{Name: "x", Secret: b32.EncodeToString(raw), Digits: 6 + rng.IntN(3),
			Algorithm: algorithms[rng.IntN(3)], Type: TOTP, Period: []int{30, 60, 15, 10}[rng.IntN(4)]}
		at := time.Unix(rng.Int64N(1<<33), 0)
		digits := fmt.Sprintf("--digits=%d", a.Digits)
		var want [2]string
		if i%4 == 3 {
			a.Type, a.Period, a.Counter = HOTP, 0, rng.Uint64N(1<<40)
			a.Algorithm = SHA1 // oathtool's HOTP mode is SHA1 only
			want = [2]string{testenv.OathHOTP(t, a.Secret, a.Counter, digits), testenv.OathHOTP(t, a.Secret, a.Counter+1, digits)}
		} else {
			want[0], want[1] = testenv.OathTOTP(t, a.Secret, at, digits,
				fmt.Sprintf("--totp=%s", strings.ToLower(string(a.Algorithm))), fmt.Sprintf("--time-step-size=%ds", a.Period))
		}
		cur, err1 := a.Code(at)
		next, err2 := a.NextCode(at)
		if err1 != nil || err2 != nil || cur != want[0] || next != want[1] {
			t.Errorf("%s/%d/%ds at %d: vmfa %s %s, oathtool %v", a.Algorithm, a.Digits, a.Period, at.Unix(), cur, next, want)
		}
	}
}

func TestRemaining(t *testing.T) {
	a := Account{Name: "x", Secret: "JBSWY3DPEHPK3PXP", Type: TOTP, Algorithm: SHA1, Digits: 6, Period: 30}
	for _, tt := range []struct {
		at   time.Time
		want time.Duration
	}{
		{time.Unix(60, 0), 30 * time.Second},
		{time.Unix(89, 0), time.Second},
		{time.Unix(89, 999_000_000), time.Millisecond},
	} {
		if got := a.Remaining(tt.at); got != tt.want {
			t.Errorf("Remaining(%v) = %v, want %v", tt.at.Unix(), got, tt.want)
		}
	}
	if a.Step(time.Unix(59, 0)) != 1 || a.Step(time.Unix(60, 0)) != 2 {
		t.Error("the window does not change at :00 and :30")
	}
}
