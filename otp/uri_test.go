package otp

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestParseURI(t *testing.T) {
	// Expected accounts are written out in full: the defaults ParseURI fills
	// in (TOTP, SHA1, 6 digits, 30 s) are part of what is checked.
	const secret = "JBSWY3DPEHPK3PXP"
	tests := []struct {
		uri  string
		want Account
	}{
		{"otpauth://totp/Example:alice@google.com?secret=JBSWY3DPEHPK3PXP&issuer=Example",
			Account{Issuer: "Example", Name: "alice@google.com", Secret: secret, Type: TOTP, Algorithm: SHA1, Digits: 6, Period: 30}},
		{"otpauth://totp/Example%3Aalice@google.com?secret=JBSWY3DPEHPK3PXP",
			Account{Issuer: "Example", Name: "alice@google.com", Secret: secret, Type: TOTP, Algorithm: SHA1, Digits: 6, Period: 30}},
		{"otpauth://totp/Example:%20%20alice?secret=JBSWY3DPEHPK3PXP",
			Account{Issuer: "Example", Name: "alice", Secret: secret, Type: TOTP, Algorithm: SHA1, Digits: 6, Period: 30}},
		{"otpauth://totp/Label:alice?secret=JBSWY3DPEHPK3PXP&issuer=Param",
			Account{Issuer: "Param", Name: "alice", Secret: secret, Type: TOTP, Algorithm: SHA1, Digits: 6, Period: 30}},
		{"otpauth://totp/alice?secret=jbswy3dpehpk3pxp&issuer=Amazon+Web+Services",
			Account{Issuer: "Amazon Web Services", Name: "alice", Secret: secret, Type: TOTP, Algorithm: SHA1, Digits: 6, Period: 30}},
		{"otpauth://TOTP/alice?secret=JBSW%20Y3DP-EHPK3PXP%3D%3D%3D%3D&unknown=1",
			Account{Name: "alice", Secret: secret, Type: TOTP, Algorithm: SHA1, Digits: 6, Period: 30}},
		{"OTPAUTH://totp/Amazon%20Web%20Services:root@123456789012?secret=JBSWY3DPEHPK3PXP&algorithm=sha256&digits=8&period=60",
			Account{Issuer: "Amazon Web Services", Name: "root@123456789012", Secret: secret, Type: TOTP, Algorithm: SHA256, Digits: 8, Period: 60}},
		{"otpauth://hotp/Corp:bob?secret=JBSWY3DPEHPK3PXP&counter=42&algorithm=SHA512",
			Account{Issuer: "Corp", Name: "bob", Secret: secret, Type: HOTP, Algorithm: SHA512, Digits: 6, Counter: 42}},
		{"otpauth://hotp/Corp:first?secret=JBSWY3DPEHPK3PXP&digits=7&period=30", // a period means nothing to HOTP
			Account{Issuer: "Corp", Name: "first", Secret: secret, Type: HOTP, Algorithm: SHA1, Digits: 7}},
		{"otpauth://totp/Issuer:?secret=JBSWY3DPEHPK3PXP",
			Account{Issuer: "Issuer", Secret: secret, Type: TOTP, Algorithm: SHA1, Digits: 6, Period: 30}},
		{"otpauth://totp/%E2%80%AEevil%E2%80%AC:bob?secret=JBSWY3DPEHPK3PXP%3D%3D%3D", // bidi overrides are dropped
			Account{Issuer: "evil", Name: "bob", Secret: secret, Type: TOTP, Algorithm: SHA1, Digits: 6, Period: 30}},
		{"  otpauth://totp/x?secret=GEZDGNBVGY3TQOJQ&issuer=%20Spaced%20&period=5\n", // as pasted
			Account{Issuer: "Spaced", Name: "x", Secret: "GEZDGNBVGY3TQOJQ", Type: TOTP, Algorithm: SHA1, Digits: 6, Period: 5}},
	}
	for _, tt := range tests {
		got, err := ParseURI(tt.uri)
		if err != nil {
			t.Errorf("ParseURI(%q): %v", tt.uri, err)
			continue
		}
		if got != tt.want {
			t.Errorf("ParseURI(%q) = %+v, want %+v", tt.uri, got, tt.want)
		}
	}
}

func TestParseURIErrors(t *testing.T) {
	tests := []struct{ uri, wantErr string }{
		{"https://example.com/totp/alice?secret=JBSWY3DPEHPK3PXP", "not an otpauth:// URI"},
		{"otpauth://xotp/alice?secret=JBSWY3DPEHPK3PXP", "unsupported OTP type"},
		{"otpauth://totp/alice", "no secret"},
		{"otpauth://totp/alice?secret=", "secret is empty"},
		{"otpauth://totp/alice?secret=JBSWY3DPEHPK3PX1", "not valid base32"},
		{"otpauth://totp/alice?secret=ABCDEFG", "too short"},
		{"otpauth://totp/alice?secret=abc%20defg%20hijk%20lmno%20pqrs", "not valid base32"}, // 19 characters
		{"otpauth://totp/alice?secret=JBSWY3DPEHPK3PXP&algorithm=MD5", "unsupported algorithm"},
		{"otpauth://totp/alice?secret=JBSWY3DPEHPK3PXP&digits=12", "12 digits is not supported"},
		{"otpauth://totp/alice?secret=JBSWY3DPEHPK3PXP&digits=5", "5 digits is not supported"},
		{"otpauth://totp/alice?secret=JBSWY3DPEHPK3PXP&digits=six", "not a positive integer"},
		{"otpauth://totp/alice?secret=JBSWY3DPEHPK3PXP&period=0", "not a positive integer"},
		{"otpauth://totp/alice?secret=JBSWY3DPEHPK3PXP&period=99999", "period of 99999 seconds"},
		{"otpauth://hotp/alice?secret=JBSWY3DPEHPK3PXP&counter=-1", "counter"},
		{"otpauth://totp/a%0Ab?secret=JBSWY3DPEHPK3PXP", "control character"},
		{"otpauth://totp/?secret=JBSWY3DPEHPK3PXP", "neither an issuer nor a name"},
		{"otpauth://totp/a?secret=JBSW=Y3DPEHPK3PXP", "not valid base32"},
		{"otpauth://totp/a?secret=JBSWY3DPEHPK3PXP&secret=GEZDGNBVGY3TQOJQ", "secret parameter twice"},
		{"otpauth://totp/a?secret=JBSWY3DPEHPK3PXP&digits=6&digits=8", "digits parameter twice"},
	}
	for _, tt := range tests {
		_, err := ParseURI(tt.uri)
		if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
			t.Errorf("ParseURI(%q) error = %v, want %q", tt.uri, err, tt.wantErr)
		}
		if err != nil && strings.Contains(err.Error(), "JBSWY3DPEHPK3PX") {
			t.Errorf("ParseURI(%q) error leaks the secret: %v", tt.uri, err)
		}
	}
}

func TestURIRoundTrip(t *testing.T) {
	accounts := []Account{
		{Issuer: "Amazon Web Services", Name: "root@123456789012"},
		{Issuer: "a:b", Name: "c:d"},
		{Name: "no:issuer"},
		{Issuer: "Cats & Dogs", Name: "50% + more?#/"},
		{Issuer: "Ünïcödé", Name: "名前", Type: HOTP, Counter: 7, Algorithm: SHA512, Digits: 8},
		{Issuer: "X", Name: "y", Algorithm: SHA256, Digits: 7, Period: 60},
		{Issuer: "Corp", Name: "first", Type: HOTP}, // counter 0 is written all the same
	}
	for _, a := range accounts {
		a.Secret = "JBSWY3DPEHPK3PXP"
		if err := a.Normalize(); err != nil {
			t.Fatal(err)
		}
		uri := a.URI()
		if strings.Contains(uri, "algorithm=SHA1") || strings.Contains(uri, "digits=6") || strings.Contains(uri, "period=30") {
			t.Errorf("URI %q writes a default parameter", uri)
		}
		if a.Type == HOTP && !strings.Contains(uri, "&counter=") {
			t.Errorf("URI %q has no counter", uri)
		}
		if strings.Contains(uri, "+") {
			t.Errorf("URI %q writes a space or plus as '+'", uri)
		}
		got, err := ParseURI(uri)
		if err != nil || got != a {
			t.Errorf("ParseURI(%q) = %+v, %v; want %+v", uri, got, err, a)
		}
	}
}

// TestURI checks URIs as other apps will read them: the issuer as the
// label's prefix and as a parameter, and only the parameters that are not
// the defaults.
func TestURI(t *testing.T) {
	for _, tt := range []struct {
		a    Account
		want string
	}{
		{Account{Issuer: "Example", Name: "alice@google.com", Secret: "JBSWY3DPEHPK3PXP", Type: TOTP, Algorithm: SHA1, Digits: 6, Period: 30},
			"otpauth://totp/Example:alice@google.com?secret=JBSWY3DPEHPK3PXP&issuer=Example"},
		{Account{Name: "alice", Secret: "JBSWY3DPEHPK3PXP", Type: TOTP, Algorithm: SHA1, Digits: 6, Period: 30},
			"otpauth://totp/alice?secret=JBSWY3DPEHPK3PXP"},
		{Account{Issuer: "Amazon Web Services", Name: "a b", Secret: "JBSWY3DPEHPK3PXP", Type: TOTP, Algorithm: SHA256, Digits: 8, Period: 60},
			"otpauth://totp/Amazon%20Web%20Services:a%20b?secret=JBSWY3DPEHPK3PXP&issuer=Amazon%20Web%20Services&algorithm=SHA256&digits=8&period=60"},
		{Account{Issuer: "a:b", Name: "c", Secret: "JBSWY3DPEHPK3PXP", Type: HOTP, Algorithm: SHA1, Digits: 6},
			"otpauth://hotp/c?secret=JBSWY3DPEHPK3PXP&issuer=a%3Ab&counter=0"},
		{Account{Name: "c:d", Secret: "JBSWY3DPEHPK3PXP", Type: HOTP, Algorithm: SHA512, Digits: 7, Counter: 12},
			"otpauth://hotp/:c%3Ad?secret=JBSWY3DPEHPK3PXP&algorithm=SHA512&digits=7&counter=12"},
	} {
		if got := tt.a.URI(); got != tt.want {
			t.Errorf("URI() = %q\nwant    %q", got, tt.want)
		}
	}
}

// FuzzParseURI checks that whatever ParseURI accepts is valid and survives
// a round trip through URI unchanged.
func FuzzParseURI(f *testing.F) {
	f.Add("otpauth://totp/Example:alice@google.com?secret=JBSWY3DPEHPK3PXP&issuer=Example")
	f.Add("otpauth://hotp/a%3Ab:c?secret=jbsw%20y3dp-ehpk3pxp%3D&counter=3&digits=8&algorithm=sha256")
	f.Add("otpauth://totp/:x:y?secret=JBSWY3DPEHPK3PXP&issuer=a%3Ab&period=60")
	if dir, err := os.ReadDir(filepath.Join("..", "..", "shared", "corpus", "app-exports")); err == nil {
		for _, e := range dir {
			b, _ := os.ReadFile(filepath.Join("..", "..", "shared", "corpus", "app-exports", e.Name()))
			for _, line := range strings.Split(string(b), "\n") {
				if i := strings.Index(line, "otpauth://"); i >= 0 {
					f.Add(strings.Trim(line[i:], "\",' \r"))
				}
			}
		}
	}
	f.Fuzz(func(t *testing.T, s string) {
		a, err := ParseURI(s)
		if err != nil {
			return
		}
		if err := a.Validate(); err != nil {
			t.Fatalf("ParseURI(%q) returned an invalid account: %v", s, err)
		}
		b, err := ParseURI(a.URI())
		if err != nil || b != a {
			t.Fatalf("round trip of %q: %+v, %v; want %+v", s, b, err, a)
		}
	})
}

// FuzzParseMigration checks that no payload panics and that every account
// decoded is valid.
func FuzzParseMigration(f *testing.F) {
	f.Add("otpauth-migration://offline?data=CjUKEPqlBekzoNEukL7qlsjBCDYSDnBpQHJhc3BiZXJyeXBpGgtyYXNwYmVycnlwaSABKAEwAhABGAEgACjr4JKK%2B%2F%2F%2F%2F%2F8B")
	var v migrationVectors
	if b, err := os.ReadFile(filepath.Join("..", "..", "shared", "corpus", "migration", "vectors.json")); err == nil {
		if err := json.Unmarshal(b, &v); err == nil {
			for _, vec := range v.Vectors {
				f.Add(vec.URI)
			}
		}
	}
	f.Fuzz(func(t *testing.T, s string) {
		accounts, _, err := ParseMigration(s)
		if err != nil {
			return
		}
		for _, a := range accounts {
			if err := a.Validate(); err != nil {
				t.Fatalf("invalid account from %q: %v", s, err)
			}
		}
	})
}

func TestNotOTP(t *testing.T) {
	for text, want := range map[string]string{
		"https://example.com/mfa/setup?secret=JBSWY3DPEHPK3PXP": "https://example.com/… is not an otpauth:// URI",
		"JBSWY3DPEHPK3PXP:JBSWY3DPEHPK3PXP":                     "text of 33 characters is not an otpauth:// URI",
		"NOT A otpauth-migration:// URL":                        "text of 30 characters is not an otpauth:// URI",
	} {
		_, _, err := Parse(text)
		if !errors.Is(err, ErrNotOTP) || err.Error() != want {
			t.Errorf("Parse(%q) = %v, want %q", text, err, want)
		}
	}
	var c Collector
	if err := c.Add("https://x.y/"); !errors.Is(err, ErrNotOTP) {
		t.Errorf("a Collector given a URL: %v", err)
	}
	for _, uri := range []string{"otpauth://totp/a?secret=JBSWY3DPEHPK3PXP", "otpauth://totp/b?secret=GEZDGNBVGY3TQOJQ"} {
		if err := c.Add(uri); err != nil {
			t.Fatal(err)
		}
	}
	if got, err := c.Accounts(); err != nil || len(got) != 2 {
		t.Errorf("a Collector's accounts = %v, %v", got, err)
	}
}
