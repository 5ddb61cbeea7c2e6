package otp

import (
	"errors"
	"fmt"
	"math"
	"time"

	pqotp "github.com/pquerna/otp"
	"github.com/pquerna/otp/hotp"
)

// Code returns the code to use at instant at: for TOTP, the code of the time
// window that holds at; for HOTP, the code for the account's Counter.
func (a Account) Code(at time.Time) (string, error) {
	return a.codeAt(a.Step(at))
}

// NextCode returns the code after Code: the next window's for TOTP, the next
// counter's for HOTP. Enrolling a device with AWS asks for both.
func (a Account) NextCode(at time.Time) (string, error) {
	step := a.Step(at)
	if step == math.MaxUint64 {
		return "", errors.New("the HOTP counter is exhausted")
	}
	return a.codeAt(step + 1)
}

// Step is the moving factor of Code: the window number for TOTP (which
// changes exactly when the wall clock crosses a multiple of the period), the
// counter for HOTP.
func (a Account) Step(at time.Time) uint64 {
	if a.Type == HOTP {
		return a.Counter
	}
	u := at.Unix()
	if u < 0 || a.Period <= 0 {
		return 0
	}
	return uint64(u) / uint64(a.Period)
}

// Remaining is how long the TOTP code at instant at stays valid; for HOTP,
// whose codes do not expire, it is zero.
func (a Account) Remaining(at time.Time) time.Duration {
	if !a.Type.TimeBased() || a.Period <= 0 {
		return 0
	}
	end := time.Unix(int64(a.Step(at)+1)*int64(a.Period), 0)
	return end.Sub(at)
}

// SecondsLeft is Remaining in whole seconds, rounded up as countdowns are:
// the period at the start of a window, 1 in its last second.
func (a Account) SecondsLeft(at time.Time) int {
	return int((a.Remaining(at) + time.Second - 1) / time.Second)
}

// Spend advances an HOTP account's counter past n codes about to be shown,
// refusing to wrap around to codes already used.
func (a *Account) Spend(n uint64) error {
	if a.Type != HOTP {
		return errors.New("only HOTP accounts have a counter")
	}
	if a.Counter > math.MaxUint64-n {
		return fmt.Errorf("the HOTP counter of %s is exhausted", a.Label())
	}
	a.Counter += n
	return nil
}

func (a Account) codeAt(step uint64) (string, error) {
	if err := a.Validate(); err != nil {
		return "", err
	}
	if a.Type == Steam {
		return a.steamCode(step)
	}
	// TOTP is HOTP of the window number (RFC 6238 §4.2), so one call serves both.
	code, err := hotp.GenerateCodeCustom(a.Secret, step, hotp.ValidateOpts{
		Digits:    pqotp.Digits(a.Digits),
		Algorithm: a.Algorithm.pq(),
	})
	if err != nil {
		// pquerna's errors may quote the secret; never pass them on.
		return "", fmt.Errorf("can't compute code for %s", a.Label())
	}
	return code, nil
}

func (alg Algorithm) pq() pqotp.Algorithm {
	switch alg {
	case SHA256:
		return pqotp.AlgorithmSHA256
	case SHA512:
		return pqotp.AlgorithmSHA512
	}
	return pqotp.AlgorithmSHA1
}
