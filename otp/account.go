// Package otp is vmfa's domain: accounts, their otpauth:// URIs, Google
// Authenticator export payloads and the one-time codes they produce.
//
// It knows nothing of files or terminals; time is always passed in, so every
// result is deterministic.
package otp

import (
	"encoding/base32"
	"errors"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Type is the kind of one-time password an account produces.
type Type string

const (
	TOTP Type = "totp" // time-based, RFC 6238
	HOTP Type = "hotp" // counter-based, RFC 4226
)

// Steam is Steam Guard: TOTP written as 5 letters and digits (see steam.go).
const Steam Type = "steam"

// Algorithm is the HMAC hash of an account.
type Algorithm string

const (
	SHA1   Algorithm = "SHA1"
	SHA256 Algorithm = "SHA256"
	SHA512 Algorithm = "SHA512"
)

// Limits an Account must respect. Anything outside them is far more likely a
// corrupt QR code or a typo than a real service.
const (
	MinDigits     = 6
	MaxDigits     = 8
	MinPeriod     = 5    // seconds
	MaxPeriod     = 3600 // seconds
	DefaultPeriod = 30
	DefaultDigits = 6
	// MinSecretBytes rejects secrets too short to be anything but a typo.
	// RFC 4226 asks for 16 bytes, but 10-byte secrets are common and
	// Google Authenticator exports 9-byte ones.
	MinSecretBytes = 8
	// MaxSecretBytes bounds what a QR code or a paste can make us hash.
	MaxSecretBytes = 1024
	// maxTextLen bounds issuer and account names.
	maxTextLen = 256
)

// Account is one OTP credential. Its Secret is always canonical base32:
// upper case, with no spaces, hyphens or padding.
type Account struct {
	Issuer    string    `json:"issuer,omitempty"`
	Name      string    `json:"name"`
	Secret    string    `json:"secret"`
	Type      Type      `json:"type"`
	Algorithm Algorithm `json:"algorithm"`
	Digits    int       `json:"digits"`
	Period    int       `json:"period,omitempty"`  // TOTP only
	Counter   uint64    `json:"counter,omitempty"` // HOTP only: the counter of the next code
}

// Label is "Issuer:Name", or just the name when there is no issuer. It is
// what users see and what queries match.
func (a Account) Label() string {
	switch {
	case a.Issuer == "":
		return a.Name
	case a.Name == "":
		return a.Issuer
	}
	return a.Issuer + ":" + a.Name
}

// ErrInvalidSecret reports a secret that is not base32. The message never
// includes the secret itself.
var ErrInvalidSecret = errors.New("secret is not valid base32 (letters A–Z and digits 2–7)")

// ErrEmptySecret reports a secret with nothing in it but spaces, hyphens
// or padding: what was missed, not mistyped.
var ErrEmptySecret = errors.New("secret is empty")

var b32 = base32.StdEncoding.WithPadding(base32.NoPadding)

// CanonicalSecret accepts a base32 secret as people and QR codes write it
// (lower case, spaces, hyphens, with or without padding) and returns the
// canonical form, or ErrEmptySecret or ErrInvalidSecret.
func CanonicalSecret(s string) (string, error) {
	s = strings.Map(func(r rune) rune {
		switch {
		case unicode.IsSpace(r) || r == '-':
			return -1
		case 'a' <= r && r <= 'z':
			return r - 'a' + 'A'
		}
		return r
	}, s)
	s = strings.TrimRight(s, "=") // padding, and only at the end
	if s == "" {
		return "", ErrEmptySecret
	}
	// Decode padded, as HOTP generation does: the unpadded decoder accepts
	// lengths (such as 19 characters) that no whole number of bytes gives.
	padded := s
	if n := len(s) % 8; n != 0 {
		padded += strings.Repeat("=", 8-n)
	}
	raw, err := base32.StdEncoding.DecodeString(padded)
	if err != nil {
		return "", ErrInvalidSecret
	}
	if len(raw) < MinSecretBytes {
		return "", fmt.Errorf("secret is too short: %d bits, at least %d are needed", len(raw)*8, MinSecretBytes*8)
	}
	if len(raw) > MaxSecretBytes {
		return "", fmt.Errorf("secret is too long: over %d bytes", MaxSecretBytes)
	}
	return s, nil
}

// SecretBytes returns the decoded secret.
func (a Account) SecretBytes() ([]byte, error) {
	raw, err := b32.DecodeString(a.Secret)
	if err != nil {
		return nil, ErrInvalidSecret
	}
	return raw, nil
}

// ParseAlgorithm accepts "SHA1", "sha256", "SHA-512" and the like.
func ParseAlgorithm(s string) (Algorithm, error) {
	switch strings.ToUpper(strings.ReplaceAll(s, "-", "")) {
	case "", "SHA1":
		return SHA1, nil
	case "SHA256":
		return SHA256, nil
	case "SHA512":
		return SHA512, nil
	}
	return "", fmt.Errorf("unsupported algorithm %q: use SHA1, SHA256 or SHA512", Shorten(s, 16))
}

// ParseType accepts "totp", "hotp" or "steam" in any case.
func ParseType(s string) (Type, error) {
	switch strings.ToLower(s) {
	case "totp":
		return TOTP, nil
	case "hotp":
		return HOTP, nil
	case "steam":
		return Steam, nil
	}
	return "", fmt.Errorf("unsupported OTP type %q: use totp, hotp or steam", Shorten(s, 16))
}

// Normalize fills in defaults, canonicalizes the secret and trims names, then
// validates the result.
func (a *Account) Normalize() error {
	a.Issuer = strings.TrimSpace(stripFormat(a.Issuer))
	a.Name = strings.TrimSpace(stripFormat(a.Name))
	if a.Type == "" {
		a.Type = TOTP
	}
	if a.Algorithm == "" {
		a.Algorithm = SHA1
	}
	if a.Digits == 0 {
		a.Digits = a.Type.defaultDigits()
	}
	if a.Type.TimeBased() && a.Period == 0 {
		a.Period = DefaultPeriod
	}
	secret, err := CanonicalSecret(a.Secret)
	if err != nil {
		return err
	}
	a.Secret = secret
	return a.Validate()
}

// Validate reports the first thing wrong with a, or nil. It does not modify a;
// see Normalize for defaults.
func (a Account) Validate() error {
	if err := CheckText("issuer", a.Issuer, maxTextLen); err != nil {
		return err
	}
	if err := CheckText("account name", a.Name, maxTextLen); err != nil {
		return err
	}
	if a.Issuer == "" && a.Name == "" {
		return errors.New("account has neither an issuer nor a name")
	}
	if s, err := CanonicalSecret(a.Secret); err != nil {
		return err
	} else if s != a.Secret {
		return errors.New("secret is not in canonical form")
	}
	if a.Type == Steam {
		return a.validateSteam()
	}
	if a.Algorithm != SHA1 && a.Algorithm != SHA256 && a.Algorithm != SHA512 {
		// Exact names only: code generation maps exactly these.
		return fmt.Errorf("unsupported algorithm %q: use SHA1, SHA256 or SHA512", Shorten(string(a.Algorithm), 16))
	}
	if a.Digits < MinDigits || a.Digits > MaxDigits {
		return fmt.Errorf("%d digits is not supported: use %d to %d", a.Digits, MinDigits, MaxDigits)
	}
	switch a.Type {
	case TOTP:
		if a.Period < MinPeriod || a.Period > MaxPeriod {
			return fmt.Errorf("a period of %d seconds is not supported: use %d to %d", a.Period, MinPeriod, MaxPeriod)
		}
		if a.Counter != 0 {
			return errors.New("a TOTP account has no counter")
		}
	case HOTP:
		if a.Period != 0 {
			return errors.New("an HOTP account has no period")
		}
	default:
		return fmt.Errorf("unsupported OTP type %q: use totp, hotp or steam", Shorten(string(a.Type), 16))
	}
	return nil
}

// CheckText is the rule for every string a user sees: what names it in the
// error. It must be valid UTF-8 of at most maxLen bytes, with no leading or
// trailing spaces, no control characters (a name or a note that moves the
// cursor or sets the terminal's title is an attack, and a newline breaks
// every listing) and no invisible formatting characters.
func CheckText(what, s string, maxLen int) error {
	if !utf8.ValidString(s) {
		return fmt.Errorf("%s is not valid UTF-8", what)
	}
	if len(s) > maxLen {
		return fmt.Errorf("%s is longer than %d bytes", what, maxLen)
	}
	if strings.TrimSpace(s) != s {
		return fmt.Errorf("%s has leading or trailing spaces", what)
	}
	if strings.IndexFunc(s, unicode.IsControl) >= 0 {
		return fmt.Errorf("%s contains a control character", what)
	}
	if strings.IndexFunc(s, isFormat) >= 0 {
		return fmt.Errorf("%s contains an invisible formatting character", what)
	}
	return nil
}

// isFormat reports invisible formatting characters (Unicode Cf), such as
// the bidirectional overrides that make a name print backwards in a
// terminal, except the joiners that emoji and some scripts need.
func isFormat(r rune) bool {
	return unicode.Is(unicode.Cf, r) && r != '\u200c' && r != '\u200d'
}

// stripFormat removes what isFormat reports: names from QR codes and exports
// are shown in terminals, and such characters have no place there.
func stripFormat(s string) string {
	if strings.IndexFunc(s, isFormat) < 0 {
		return s
	}
	return strings.Map(func(r rune) rune {
		if isFormat(r) {
			return -1
		}
		return r
	}, s)
}

// Shorten keeps user-supplied values in error messages short: at most n
// bytes, cut at a character boundary, with "…" marking the cut. Every
// package that quotes what it was given uses it.
func Shorten(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}
