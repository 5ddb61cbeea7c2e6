package otp

import (
	"math"
	"testing"
	"time"
)

func BenchmarkCode(b *testing.B) {
	a, err := ParseURI("otpauth://totp/AWS:alice?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP")
	if err != nil {
		b.Fatal(err)
	}
	at := time.Unix(1_800_000_000, 0)
	for b.Loop() {
		if _, err := a.Code(at); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseURI(b *testing.B) {
	for b.Loop() {
		if _, err := ParseURI("otpauth://totp/Amazon%20Web%20Services:alice@123456789012?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&issuer=Amazon%20Web%20Services"); err != nil {
			b.Fatal(err)
		}
	}
}

func TestSpend(t *testing.T) {
	a := Account{Name: "h", Secret: "JBSWY3DPEHPK3PXP", Type: HOTP, Algorithm: SHA1, Digits: 6, Counter: math.MaxUint64 - 1}
	if err := a.Spend(2); err == nil {
		t.Error("Spend wrapped the counter")
	}
	if err := a.Spend(1); err != nil || a.Counter != math.MaxUint64 {
		t.Errorf("Spend(1) = %v, counter %d", err, a.Counter)
	}
	if _, err := a.NextCode(time.Time{}); err == nil {
		t.Error("NextCode at the last counter succeeded")
	}
	totp := Account{Name: "t", Secret: "JBSWY3DPEHPK3PXP", Type: TOTP, Algorithm: SHA1, Digits: 6, Period: 30}
	if err := totp.Spend(1); err == nil {
		t.Error("Spend on a TOTP account succeeded")
	}
	// Only exact algorithm names are valid: code generation maps exactly these.
	totp.Algorithm = "sha256"
	if _, err := totp.Code(time.Unix(59, 0)); err == nil {
		t.Error(`an account with algorithm "sha256" produced a code`)
	}
}
