package importer

import (
	"encoding/hex"
	"errors"
	"fmt"

	"github.com/vmfa/vmfa/otp"
)

// The Battle.net Authenticator keeps its one token in Android shared
// preferences (com.blizzard.messenger.authenticator_preferences.xml): the
// serial (the account name, e.g. US-1234-5678-9012) and the device secret,
// each written as hex of its characters XORed with a fixed mask that the
// app ships (published on XDA Developers in 2010, forum post 7303107, and
// used by Aegis's BattleNetImporter). The unmasked secret is itself hex.
// Codes are TOTP, SHA1, 8 digits, 30 s.
const (
	battleNetSecretKey = "com.blizzard.messenger.AUTHENTICATOR_DEVICE_SECRET"
	battleNetSerialKey = "com.blizzard.messenger.AUTHENTICATOR_SERIAL"
	battleNetDigits    = 8
)

var battleNetMask, _ = hex.DecodeString("398e27fc50276a656065b0e525f4c06c04c61075286b8e7aeda59da9813b5dd6c80d2fb38068773fa59ba47c17ca6c6479015c1d5b8b8f6b9a")

func parseBattleNet(data []byte, _ *prompt) (*accounts, error) {
	prefs, err := readPrefs(data)
	if err != nil {
		return nil, fmt.Errorf("Battle.net: %w", err)
	}
	masked, ok := prefs[battleNetSecretKey]
	if !ok {
		return nil, errors.New("Battle.net: the file has no device secret (" + battleNetSecretKey + ")")
	}
	secretHex, err := battleNetUnmask(masked)
	if err != nil {
		return nil, fmt.Errorf("Battle.net device secret: %w", err)
	}
	raw, err := hex.DecodeString(secretHex)
	if err != nil {
		return nil, errors.New("Battle.net device secret: not hexadecimal once unmasked")
	}
	serial := ""
	if s := prefs[battleNetSerialKey]; s != "" {
		if serial, err = battleNetUnmask(s); err != nil {
			return nil, fmt.Errorf("Battle.net serial: %w", err)
		}
	}
	c := &accounts{}
	err = c.add(otp.Account{Issuer: "Battle.net", Name: serial, Secret: base32Of(raw),
		Type: otp.TOTP, Algorithm: otp.SHA1, Digits: battleNetDigits, Period: otp.DefaultPeriod})
	return c, err
}

func battleNetUnmask(s string) (string, error) {
	masked, err := hex.DecodeString(s)
	if err != nil {
		return "", errors.New("not hexadecimal")
	}
	if len(masked) > len(battleNetMask) {
		return "", fmt.Errorf("longer than the %d bytes the app masks", len(battleNetMask))
	}
	out := make([]byte, len(masked))
	for i, b := range masked {
		out[i] = b ^ battleNetMask[i]
	}
	return string(out), nil
}
