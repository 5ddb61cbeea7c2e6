package otp

import (
	"encoding/base64"
	"errors"
	"net/url"
	"testing"

	"google.golang.org/protobuf/encoding/protowire"
)

// A Google Authenticator export, built field by field.
type (
	field struct {
		num   protowire.Number
		value any // uint64, string or message
	}
	message []field
)

func (m message) bytes() []byte {
	var b []byte
	for _, f := range m {
		switch v := f.value.(type) {
		case uint64:
			b = protowire.AppendTag(b, f.num, protowire.VarintType)
			b = protowire.AppendVarint(b, v)
		case string:
			b = protowire.AppendTag(b, f.num, protowire.BytesType)
			b = protowire.AppendString(b, v)
		case message:
			b = protowire.AppendTag(b, f.num, protowire.BytesType)
			b = protowire.AppendBytes(b, v.bytes())
		}
	}
	return b
}

func (m message) uri() string {
	return "otpauth-migration://offline?data=" + url.QueryEscape(base64.StdEncoding.EncodeToString(m.bytes()))
}

// secret10 is "1234567890", base32 GEZDGNBVGY3TQOJQ.
const secret10 = "1234567890"

func param(name string, varints ...field) field {
	m := message{{paramSecret, secret10}, {paramName, name}}
	return field{fieldOTPParameters, append(m, varints...)}
}

func TestMigrationFields(t *testing.T) {
	for _, tt := range []struct {
		name string
		p    field
		want Account
	}{
		{"no type", param("a"),
			Account{Name: "a", Secret: "GEZDGNBVGY3TQOJQ", Type: TOTP, Algorithm: SHA1, Digits: 6, Period: 30}},
		{"type 0", param("a", field{paramType, uint64(0)}),
			Account{Name: "a", Secret: "GEZDGNBVGY3TQOJQ", Type: TOTP, Algorithm: SHA1, Digits: 6, Period: 30}},
		{"TOTP", param("a", field{paramType, uint64(2)}, field{paramAlgorithm, uint64(2)}, field{paramDigits, uint64(2)}),
			Account{Name: "a", Secret: "GEZDGNBVGY3TQOJQ", Type: TOTP, Algorithm: SHA256, Digits: 8, Period: 30}},
		{"HOTP", param("Corp:b", field{paramType, uint64(1)}, field{paramCounter, uint64(7)}, field{paramAlgorithm, uint64(3)}, field{paramDigits, uint64(1)}),
			Account{Issuer: "Corp", Name: "b", Secret: "GEZDGNBVGY3TQOJQ", Type: HOTP, Algorithm: SHA512, Digits: 6, Counter: 7}},
		{"SHA1", param("a", field{paramAlgorithm, uint64(1)}),
			Account{Name: "a", Secret: "GEZDGNBVGY3TQOJQ", Type: TOTP, Algorithm: SHA1, Digits: 6, Period: 30}},
		{"unknown fields", param("a", field{99, uint64(1)}, field{98, "x"}),
			Account{Name: "a", Secret: "GEZDGNBVGY3TQOJQ", Type: TOTP, Algorithm: SHA1, Digits: 6, Period: 30}},
	} {
		accounts, batch, err := ParseMigration(message{tt.p}.uri())
		if err != nil || len(accounts) != 1 || accounts[0] != tt.want || batch != (Batch{Size: 1}) {
			t.Errorf("%s: %+v, %+v, %v; want %+v", tt.name, accounts, batch, err, tt.want)
		}
	}
}

func TestMigrationErrors(t *testing.T) {
	noSecret := field{fieldOTPParameters, message{{paramName, "b"}}}
	batch := func(size, index uint64) message {
		return message{param("a"), {fieldBatchSize, size}, {fieldBatchIndex, index}, {fieldBatchID, uint64(9)}}
	}
	const corrupt = "Google Authenticator export is corrupt: "
	for _, tt := range []struct {
		name string
		m    message
		want string
	}{
		{"second account", message{param("a"), noSecret}, corrupt + "account 2: no secret"},
		{"type 3", message{param("a", field{paramType, uint64(3)})}, corrupt + "account 1: unknown OTP type 3"},
		{"MD5", message{param("a", field{paramAlgorithm, uint64(4)})}, corrupt + "account 1: MD5 accounts are not supported (no authenticator app generates MD5 codes correctly)"},
		{"algorithm 5", message{param("a", field{paramAlgorithm, uint64(5)})}, corrupt + "account 1: unknown algorithm 5"},
		{"digits 3", message{param("a", field{paramDigits, uint64(3)})}, corrupt + "account 1: unknown digit count 3"},
		{"index = size", batch(2, 2), corrupt + "impossible batch position 3 of 2"},
		{"size 1001", batch(1001, 0), corrupt + "impossible batch position 1 of 1001"},
		{"negative index", batch(2, 1<<64-1), corrupt + "impossible batch position 0 of 2"},
		{"no accounts", message{{fieldBatchSize, uint64(1)}}, "Google Authenticator export holds no accounts"},
	} {
		_, _, err := ParseMigration(tt.m.uri())
		if err == nil || err.Error() != tt.want {
			t.Errorf("%s: error %v, want %q", tt.name, err, tt.want)
		}
	}
	for _, tt := range []struct {
		m    message
		want Batch
	}{
		{batch(1000, 999), Batch{Index: 999, Size: 1000, ID: 9}},
		{batch(2, 0), Batch{Index: 0, Size: 2, ID: 9}},
		{batch(0, 0), Batch{Size: 1, ID: 9}}, // left out of single-QR exports
	} {
		if _, got, err := ParseMigration(tt.m.uri()); err != nil || got != tt.want {
			t.Errorf("batch %+v: %v; want %+v", got, err, tt.want)
		}
	}
}

// TestNotOTPDescription checks how text that is not an OTP URI is named in
// errors: a URL by its scheme and host, anything else by its length only.
func TestNotOTPDescription(t *testing.T) {
	for text, want := range map[string]string{
		"abcdefghijklmnop://example.com/x?secret=JBSWY3DPEHPK3PXP":  "abcdefghijklmnop://example.com/…", // a 16-letter scheme
		"abcdefghijklmnopq://example.com/x?secret=JBSWY3DPEHPK3PXP": "text of 57 characters",            // 17 letters
		"az09+-.://example.com/":                                    "az09+-.://example.com/…",          // every kind of character
		"JBSWY3DPEHPK3PXP://example.com/":                           "text of 31 characters",
	} {
		_, _, err := Parse(text)
		var notOTP *NotOTPError
		if !errors.As(err, &notOTP) || notOTP.What != want {
			t.Errorf("Parse(%q) = %v, want %q", text, err, want+" is not an otpauth:// URI")
		}
	}
}
