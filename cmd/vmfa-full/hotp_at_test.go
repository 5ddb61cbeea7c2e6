package main

import (
	"strings"
	"testing"
)

// corpHOTP is an HOTP account of RFC 4226's appendix D key,
// "12345678901234567890", at counter 0.
const corpHOTP = "otpauth://hotp/Corp:bob?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&counter=0"

// TestHOTPCodeAtRefused: an HOTP account has no code "at a time": 'vmfa
// code --at' refuses it as a misuse (exit 2, one line saying what works)
// and spends no counter. It used to print the next code, spending it.
func TestHOTPCodeAtRefused(t *testing.T) {
	parallel(t)
	dir := t.TempDir()
	vaultOf(t, dir, corpHOTP)
	for _, args := range [][]string{{"code", "--at", "1700000000", "bob"}, {"code", "--at", "@1700000000", "--json", "bob"}, {"code", "--at", "2026-11-24T10:00:00Z", "--next", "bob"}} {
		r := vmfa(t, dir, "", []string{pw}, args...)
		expect(t, r, 2, "", "Corp:bob is an HOTP account")
		if r.stdout != "" || !strings.Contains(r.stderr, "without --at") {
			t.Fatalf("vmfa %v: stdout %q, stderr %q", args, r.stdout, r.stderr)
		}
	}
	// RFC 4226 appendix D: counter 0's code, still the next one.
	if r := vmfa(t, dir, "", []string{pw}, "code", "bob"); r.stdout != "755224\n" {
		t.Fatalf("after --at: code %q (%s), want counter 0's 755224", r.stdout, r.stderr)
	}
}
