package otp

import (
	"crypto/hmac"
	"crypto/sha1"
	"encoding/binary"
	"errors"
	"fmt"
)

// Steam Guard, the "mobile authenticator" of Valve's Steam, has no published
// specification. Its codes are TOTP (RFC 6238) with SHA1 and 30-second
// windows, truncated as in RFC 4226 §5.3 to a 31-bit number, which is then
// written as five characters of steamAlphabet, least significant first.
// Aegis documents the fixed parameters in its vault format
// (docs/vault.md, "Steam"); open-source authenticators that generate these
// codes include Steam Desktop Authenticator, ValvePython/steam
// (steam/guard.py) and DoctorMcKay/node-steam-totp.
const (
	// SteamDigits is the length of a Steam Guard code.
	SteamDigits = 5
	// SteamPeriod is the window of a Steam Guard code, in seconds.
	SteamPeriod = 30
	// steamAlphabet leaves out the letters and digits that read alike.
	steamAlphabet = "23456789BCDFGHJKMNPQRTVWXY"
)

// TimeBased reports whether codes of this type follow the clock (TOTP and
// Steam) rather than a counter (HOTP): front ends count such codes down.
func (t Type) TimeBased() bool { return t == TOTP || t == Steam }

// defaultDigits is the code length Normalize gives an account of type t
// that names none.
func (t Type) defaultDigits() int {
	if t == Steam {
		return SteamDigits
	}
	return DefaultDigits
}

// validateSteam checks what is fixed for a Steam account: an importer that
// reads something else has misread the file, and codes computed otherwise
// would never be accepted.
func (a Account) validateSteam() error {
	switch {
	case a.Algorithm != SHA1:
		return fmt.Errorf("a Steam account uses SHA1, not %s", Shorten(string(a.Algorithm), 16))
	case a.Digits != SteamDigits:
		return fmt.Errorf("a Steam account has %d-character codes, not %d", SteamDigits, a.Digits)
	case a.Period != SteamPeriod:
		return fmt.Errorf("a Steam account has %d-second windows, not %d", SteamPeriod, a.Period)
	case a.Counter != 0:
		return errors.New("a Steam account has no counter")
	}
	return nil
}

// steamCode is the Steam Guard code for a moving factor (the window number).
func (a Account) steamCode(step uint64) (string, error) {
	key, err := a.SecretBytes()
	if err != nil {
		return "", fmt.Errorf("can't compute code for %s", a.Label())
	}
	mac := hmac.New(sha1.New, key)
	var msg [8]byte
	binary.BigEndian.PutUint64(msg[:], step)
	mac.Write(msg[:])
	sum := mac.Sum(nil)
	offset := sum[len(sum)-1] & 0x0f
	v := binary.BigEndian.Uint32(sum[offset:]) & 0x7fffffff
	var code [SteamDigits]byte
	for i := range code {
		code[i] = steamAlphabet[v%uint32(len(steamAlphabet))]
		v /= uint32(len(steamAlphabet))
	}
	return string(code[:]), nil
}
