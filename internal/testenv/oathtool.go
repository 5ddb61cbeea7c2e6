package testenv

import (
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// oathtool (OATH Toolkit) computes the codes vmfa's are checked against:
// an implementation independent of vmfa's.

// OathTOTP returns oathtool's TOTP code of secret (base32) for the window
// that holds at, and the next window's. opts are oathtool options other
// than the defaults (SHA-1, 6 digits, 30 s), such as "--totp=sha256",
// "--digits=8" or "--time-step-size=5s". A missing oathtool skips the test
// (fails it in CI).
func OathTOTP(t testing.TB, secret string, at time.Time, opts ...string) (code, next string) {
	t.Helper()
	args := append([]string{"--base32", "--window=1", "--now", at.UTC().Format("2006-01-02 15:04:05 UTC")}, opts...)
	if !slices.ContainsFunc(opts, func(o string) bool { return strings.HasPrefix(o, "--totp") }) {
		args = append(args, "--totp")
	}
	codes := oathtool(t, append(args, "--", secret), 2)
	return codes[0], codes[1]
}

// OathHOTP returns oathtool's HOTP code of secret (base32) at counter. opts
// are as for OathTOTP ("--digits=8"); oathtool's HOTP is SHA-1 only.
func OathHOTP(t testing.TB, secret string, counter uint64, opts ...string) string {
	t.Helper()
	args := append([]string{"--hotp", "--base32", "--counter=" + strconv.FormatUint(counter, 10)}, opts...)
	return oathtool(t, append(args, "--", secret), 1)[0]
}

// oathtool runs oathtool with args and returns the n codes it prints.
func oathtool(t testing.TB, args []string, n int) []string {
	t.Helper()
	out, err := exec.Command(Tool(t, "oathtool"), args...).Output()
	codes := strings.Fields(string(out))
	if err != nil || len(codes) != n {
		t.Fatalf("oathtool %s: %q, %v", strings.Join(args[:len(args)-1], " "), out, err)
	}
	return codes
}
