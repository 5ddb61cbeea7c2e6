package otp

import (
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
