package importer

import (
	"bytes"
	"crypto/sha256"
	"encoding/base32"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/vmfa/vmfa/otp"
)

// TOTP Authenticator (com.authenticator.authservice2) keeps its accounts in
// shared preferences (TOTP_Authenticator_Preferences.xml) under
// STATIC_TOTP_CODES_LIST, a JSON list of {issuer, name, key, base} where
// key is the secret written in base 16, 32 or 64. Its backups (.bin) are
// that list, as the first key of a JSON object, encrypted with AES-256-CBC
// under SHA-256(password) with a zero IV, then base64. The format is the
// one Aegis's TotpAuthenticatorImporter reads. The app shows every account
// as TOTP, SHA1, 6 digits, 30 s, whatever digits and period it stores, so
// that is what vmfa imports.
type totpAuthenticatorEntry struct {
	Issuer string `json:"issuer"`
	Name   string `json:"name"`
	Key    string `json:"key"`
	Base   int    `json:"base"`
}

const totpAuthenticatorKey = "STATIC_TOTP_CODES_LIST"

func parseTOTPAuthenticator(data []byte, p *prompt) (*accounts, error) {
	var list string
	if text := bytes.TrimSpace(data); len(text) > 0 && text[0] == '<' {
		prefs, err := readPrefs(text)
		if err != nil {
			return nil, fmt.Errorf("TOTP Authenticator: %w", err)
		}
		var ok bool
		if list, ok = prefs[totpAuthenticatorKey]; !ok {
			return nil, errors.New("TOTP Authenticator: the file has no " + totpAuthenticatorKey)
		}
	} else {
		var err error
		if list, err = totpAuthenticatorDecrypt(text, p); err != nil {
			return nil, err
		}
	}
	var entries []totpAuthenticatorEntry
	if err := decodeJSON([]byte(list), &entries); err != nil {
		return nil, fmt.Errorf("TOTP Authenticator accounts: %w", err)
	}
	c := &accounts{}
	for i, e := range entries {
		var raw []byte
		var err error
		switch e.Base {
		case 16:
			raw, err = hex.DecodeString(e.Key)
		case 32:
			var s string
			if s, err = otp.CanonicalSecret(e.Key); err == nil {
				raw, err = base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(s)
			}
		case 64:
			raw, err = base64.StdEncoding.DecodeString(e.Key)
		default:
			return nil, fmt.Errorf("TOTP Authenticator account %d: unknown secret encoding base %d", i+1, e.Base)
		}
		if err != nil {
			return nil, fmt.Errorf("TOTP Authenticator account %d (%s): the secret is not valid base %d", i+1, describeLabel(e.Name), e.Base)
		}
		if err := c.add(otp.Account{Issuer: e.Issuer, Name: e.Name, Secret: base32Of(raw), Type: otp.TOTP,
			Algorithm: otp.SHA1, Digits: otp.DefaultDigits, Period: otp.DefaultPeriod}); err != nil {
			return nil, err
		}
	}
	return c, nil
}

func totpAuthenticatorDecrypt(text []byte, p *prompt) (string, error) {
	ciphertext, err := base64.StdEncoding.DecodeString(string(bytes.Join(bytes.Fields(text), nil)))
	if err != nil {
		return "", errors.New("TOTP Authenticator backup: not valid base64")
	}
	pw, err := p.password()
	if err != nil {
		return "", err
	}
	key := sha256.Sum256([]byte(pw))
	plain, err := cbcOpen(key[:], make([]byte, 16), ciphertext)
	if err != nil {
		return "", fmt.Errorf("TOTP Authenticator backup: %w", err)
	}
	// The list is the name of the object's first member.
	d := json.NewDecoder(bytes.NewReader(plain))
	if tok, err := d.Token(); err != nil || tok != json.Delim('{') {
		return "", fmt.Errorf("TOTP Authenticator backup: %w", ErrWrongPassword) // CBC is not authenticated
	}
	tok, err := d.Token()
	if err != nil {
		return "", fmt.Errorf("TOTP Authenticator backup: %w", ErrWrongPassword)
	}
	list, ok := tok.(string)
	if !ok || !strings.HasPrefix(strings.TrimSpace(list), "[") {
		return "", errors.New("TOTP Authenticator backup: it holds no account list")
	}
	return list, nil
}
