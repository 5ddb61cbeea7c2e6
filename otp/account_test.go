package otp

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

func TestLabel(t *testing.T) {
	for _, tt := range []struct {
		a    Account
		want string
	}{
		{Account{Issuer: "GitHub", Name: "alice"}, "GitHub:alice"},
		{Account{Name: "alice"}, "alice"},
		{Account{Issuer: "GitHub"}, "GitHub"},
	} {
		if got := tt.a.Label(); got != tt.want {
			t.Errorf("%+v.Label() = %q, want %q", tt.a, got, tt.want)
		}
	}
}

func TestCanonicalSecret(t *testing.T) {
	longest := b32.EncodeToString(bytes.Repeat([]byte{0x5a}, MaxSecretBytes))
	tooLong := b32.EncodeToString(bytes.Repeat([]byte{0x5a}, MaxSecretBytes+1))
	for in, want := range map[string]string{
		"JBSWY3DPEHPK3PXP":                 "JBSWY3DPEHPK3PXP",
		"jbsw-y3dp ehpk\t3pxp\n":           "JBSWY3DPEHPK3PXP",
		"JBSWY3DPEHPK3PXP====":             "JBSWY3DPEHPK3PXP",
		"abcdefghijklmnopqrstuvwxyz234567": "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", // a and z, the ends of the range upper-cased
		"GEZDGNBVGY3TQ":                    "GEZDGNBVGY3TQ",                    // 8 bytes: the shortest accepted
		longest:                            longest,                            // 1024 bytes: the longest
	} {
		got, err := CanonicalSecret(in)
		if err != nil || got != want {
			t.Errorf("CanonicalSecret(%.40q) = %.40q, %v; want %.40q", in, got, err, want)
		}
	}
	for in, want := range map[string]string{
		"GEZDGNBVGY3Q":    "secret is too short: 56 bits, at least 64 are needed", // 7 bytes
		"GEZDGNBVGY3TQ`":  ErrInvalidSecret.Error(),                               // just below a
		"GEZDGNBVGY3TQ{":  ErrInvalidSecret.Error(),                               // just above z
		"GEZDGNBVGY3TQ_A": ErrInvalidSecret.Error(),
		"":                ErrEmptySecret.Error(),
		"====":            ErrEmptySecret.Error(),
		" - \t":           ErrEmptySecret.Error(),
		tooLong:           "secret is too long: over 1024 bytes", // 1025 bytes
	} {
		if got, err := CanonicalSecret(in); err == nil || err.Error() != want {
			t.Errorf("CanonicalSecret(%.40q) = %.40q, %v; want error %q", in, got, err, want)
		}
	}
}

func TestSecretBytes(t *testing.T) {
	b, err := Account{Secret: "GEZDGNBVGY3TQOJQ"}.SecretBytes()
	if err != nil || string(b) != "1234567890" {
		t.Errorf("SecretBytes = %q, %v; want 1234567890", b, err)
	}
	if b, err := (Account{Secret: "GEZDGNBVGY3TQOJ1"}).SecretBytes(); !errors.Is(err, ErrInvalidSecret) || b != nil {
		t.Errorf("SecretBytes of a secret that is not base32 = %q, %v; want ErrInvalidSecret", b, err)
	}
}

// TestValidateLimits checks each limit of Validate at its edge: the last
// value accepted and the first refused.
func TestValidateLimits(t *testing.T) {
	valid := Account{Issuer: "Corp", Name: "alice", Secret: "JBSWY3DPEHPK3PXP", Type: TOTP, Algorithm: SHA1, Digits: 6, Period: 30}
	if err := valid.Validate(); err != nil {
		t.Fatal(err)
	}
	long := strings.Repeat("é", 128) // 256 bytes
	for _, tt := range []struct {
		edit    func(*Account)
		wantErr string // "" if valid
	}{
		{func(a *Account) { a.Period = 5 }, ""},
		{func(a *Account) { a.Period = 4 }, "a period of 4 seconds is not supported: use 5 to 3600"},
		{func(a *Account) { a.Period = 3600 }, ""},
		{func(a *Account) { a.Period = 3601 }, "a period of 3601 seconds is not supported: use 5 to 3600"},
		{func(a *Account) { a.Digits = 8 }, ""},
		{func(a *Account) { a.Digits = 9 }, "9 digits is not supported: use 6 to 8"},
		{func(a *Account) { a.Digits = 5 }, "5 digits is not supported: use 6 to 8"},
		{func(a *Account) { a.Name = long }, ""},
		{func(a *Account) { a.Name = long + "x" }, "account name is longer than 256 bytes"},
		{func(a *Account) { a.Issuer = long + "x" }, "issuer is longer than 256 bytes"},
		{func(a *Account) { a.Name = "\x07alice" }, "account name contains a control character"},
		{func(a *Account) { a.Issuer = "\u202eCorp" }, "issuer contains an invisible formatting character"},
		{func(a *Account) { a.Name = "a\u200db" }, ""}, // the zero-width joiner of emoji sequences
		{func(a *Account) { a.Name = " alice" }, "account name has leading or trailing spaces"},
		{func(a *Account) { a.Name = "\xffalice" }, "account name is not valid UTF-8"},
		{func(a *Account) { a.Issuer, a.Name = "", "" }, "account has neither an issuer nor a name"},
		{func(a *Account) { a.Secret = "jbswy3dpehpk3pxp" }, "secret is not in canonical form"},
		{func(a *Account) { a.Algorithm = "MD5" }, `unsupported algorithm "MD5": use SHA1, SHA256 or SHA512`},
		{func(a *Account) { a.Counter = 1 }, "a TOTP account has no counter"},
		{func(a *Account) { a.Type, a.Period, a.Counter = HOTP, 0, 5 }, ""},
		{func(a *Account) { a.Type = HOTP }, "an HOTP account has no period"},
		{func(a *Account) { a.Type = "motp" }, `unsupported OTP type "motp": use totp, hotp or steam`},
	} {
		a := valid
		tt.edit(&a)
		err := a.Validate()
		if tt.wantErr == "" && err != nil || tt.wantErr != "" && (err == nil || err.Error() != tt.wantErr) {
			t.Errorf("Validate(%+v) = %v, want %q", a, err, tt.wantErr)
		}
	}
}

// TestUserValuesShortened checks that values quoted in errors are cut at 16
// bytes, on a character boundary.
func TestUserValuesShortened(t *testing.T) {
	for _, tt := range []struct {
		err  error
		want string
	}{
		{second(ParseAlgorithm("ABCDEFGHIJKLMNOP")), `unsupported algorithm "ABCDEFGHIJKLMNOP": use SHA1, SHA256 or SHA512`},
		{second(ParseAlgorithm("ABCDEFGHIJKLMNOPQ")), `unsupported algorithm "ABCDEFGHIJKLMNOP…": use SHA1, SHA256 or SHA512`},
		{second(ParseType("aéééééééé")), `unsupported OTP type "aééééééé…": use totp, hotp or steam`},        // byte 16 is inside an é
		{second(ParseType(strings.Repeat("\x80", 20))), `unsupported OTP type "…": use totp, hotp or steam`}, // no character starts in the first 16 bytes
	} {
		if tt.err == nil || tt.err.Error() != tt.want {
			t.Errorf("error %v, want %q", tt.err, tt.want)
		}
	}
	for in, want := range map[string]Algorithm{"sha1": SHA1, "": SHA1, "SHA-256": SHA256, "sha512": SHA512} {
		if got, err := ParseAlgorithm(in); err != nil || got != want {
			t.Errorf("ParseAlgorithm(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
}

func second[T any](_ T, err error) error { return err }
