package main

import (
	"strings"
	"testing"
	"time"

	"github.com/vmfa/vmfa/internal/testenv"
)

// TestAddManualHOTP: an HOTP account by hand, as ykman's 'oath accounts add
// --oath-type HOTP --counter N': its codes are oathtool's for counter N,
// N+1…
func TestAddManualHOTP(t *testing.T) {
	parallel(t)
	const secret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
	dir := t.TempDir()
	r := vmfa(t, dir, secret+"\n", []string{pw}, "add", "--manual", "--type", "hotp", "--counter", "41", "--digits", "8", "--issuer", "Bank", "--name", "alice")
	expect(t, r, 0, "Added Bank:alice\n", "")
	noSecrets(t, r)
	expect(t, vmfa(t, dir, "", []string{pw}, "list"), 0, "Bank\talice\thotp\n", "")
	for n := uint64(41); n < 44; n++ {
		expect(t, vmfa(t, dir, "", []string{pw}, "code", "bank"), 0, testenv.OathHOTP(t, secret, n, "--digits=8")+"\n", "")
	}

	// HOTP with SHA256 (which oathtool computes only for TOTP): the
	// otpauth URI vmfa exports says what was typed.
	r = vmfa(t, dir, "KRSXG5CTMVRXEZLUKN2XAZLSONSWG4TF\n", []string{pw}, "add", "--manual", "--type", "HOTP", "--algorithm", "sha256", "--issuer", "Token", "--name", "bob")
	expect(t, r, 0, "Added Token:bob\n", "")
	r = vmfa(t, dir, "", []string{pw}, "export", "--format", "uri", "token")
	for _, want := range []string{"otpauth://hotp/", "algorithm=SHA256", "counter=0"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("export of the HOTP account %q lacks %q", r.stdout, want)
		}
	}

	// TOTP with everything set: oathtool's --totp=sha512 -d 7 -s 45.
	const totpSecret = "ONSWG4TFOQYTEMZUGU3DOOBZGA2DGNBV"
	r = vmfa(t, dir, totpSecret+"\n", []string{pw}, "add", "--manual", "--type", "totp", "--algorithm", "SHA512", "--digits", "7", "--period", "45", "--issuer", "VPN", "--name", "carol")
	expect(t, r, 0, "Added VPN:carol\n", "")
	want, _ := testenv.OathTOTP(t, totpSecret, time.Unix(1_800_000_000, 0), "--totp=sha512", "--digits=7", "--time-step-size=45s")
	expect(t, vmfa(t, dir, "", []string{pw}, "code", "vpn", "--at", "1800000000"), 0, want+"\n", "")
}

// TestAddManualUsage: parameters that make no account are usage errors (exit
// 2), refused before anything is asked or read, and nothing is added.
func TestAddManualUsage(t *testing.T) {
	parallel(t)
	dir := t.TempDir()
	manual := []string{"add", "--manual", "--issuer", "X", "--name", "y"}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--counter", "3"}, "--counter is for HOTP accounts"},
		{[]string{"--type", "totp", "--counter", "3"}, "--counter is for HOTP accounts"},
		{[]string{"--type", "hotp", "--period", "60"}, "--period is for TOTP accounts"},
		{[]string{"--type", "hotp", "--counter", "-1"}, "--counter"},
		{[]string{"--type", "motp"}, `unsupported OTP type "motp"`},
		{[]string{"--digits", "5"}, "--digits 5: use 6 to 8"},
		{[]string{"--digits", "9"}, "--digits 9: use 6 to 8"},
		{[]string{"--period", "0"}, "--period 0: use 5 to 3600 seconds"},
		{[]string{"--period", "-30"}, "--period -30: use 5 to 3600 seconds"},
		{[]string{"--algorithm", "md5"}, `unsupported algorithm "md5"`},
	} {
		r := vmfa(t, dir, "JBSWY3DPEHPK3PXP\n", []string{pw}, append(manual, c.args...)...)
		if r.code != 2 || !strings.Contains(r.stderr, c.want) {
			t.Errorf("add --manual %v: exit %d, stderr %q; want exit 2, %q", c.args, r.code, r.stderr, c.want)
		}
	}
	// Only a typed or pasted secret takes them: an image or a URI says
	// its own.
	r := vmfa(t, dir, githubURI+"\n", []string{pw}, "add", "--uri", "--type", "hotp")
	expect(t, r, 2, "", "--type goes with --manual or --paste")
	if r := vmfa(t, dir, "", []string{pw}, "list"); r.stdout != "" {
		t.Fatalf("a refused add added %q", r.stdout)
	}
}
