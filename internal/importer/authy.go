package importer

import (
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"

	"github.com/vmfa/vmfa/otp"
)

// Authy keeps its tokens in Android shared preferences
// (shared_prefs/com.authy.storage.tokens.authenticator.xml, and
// ...tokens.authy.xml for Authy's own tokens), as a JSON list in one string
// value. There is no official documentation; the layout is the one Aegis's
// AuthyImporter reads. Third-party tokens are TOTP, SHA1, 30 s, with their
// digits; the secret is either decryptedSecret (base32) or encryptedSecret:
// AES-256-CBC with a zero IV under PBKDF2-HMAC-SHA1(backup password, salt,
// 1000 iterations), decrypting to the base32 secret. Authy's own tokens
// (secretSeed, hex) are 10-second TOTP.
type authyToken struct {
	AccountType     string  `json:"accountType"`
	DecryptedSecret *string `json:"decryptedSecret"`
	EncryptedSecret *string `json:"encryptedSecret"`
	Salt            string  `json:"salt"`
	SecretSeed      *string `json:"secretSeed"`
	Digits          int     `json:"digits"`
	OriginalIssuer  *string `json:"originalIssuer"`
	OriginalName    *string `json:"originalName"`
	Name            string  `json:"name"`
}

var authyKeys = []string{"com.authy.storage.tokens.authenticator.key", "com.authy.storage.tokens.authy.key"}

const (
	authyIterations = 1000
	authyPeriod     = 10 // Authy's own tokens
)

func parseAuthy(data []byte, p *prompt) (*accounts, error) {
	prefs, err := readPrefs(data)
	if err != nil {
		return nil, fmt.Errorf("Authy: %w", err)
	}
	value, ok := prefString(prefs, authyKeys...)
	if !ok {
		return nil, errors.New("Authy: the file has no tokens (com.authy.storage.tokens.*.key)")
	}
	var tokens []authyToken
	if err := decodeJSON([]byte(value), &tokens); err != nil {
		return nil, fmt.Errorf("Authy tokens: %w", err)
	}
	c := &accounts{}
	for _, t := range tokens {
		a := otp.Account{Type: otp.TOTP, Algorithm: otp.SHA1, Digits: t.Digits, Period: otp.DefaultPeriod}
		a.Issuer, a.Name = authyLabel(t)
		switch {
		case t.SecretSeed != nil:
			raw, err := hex.DecodeString(*t.SecretSeed)
			if err != nil {
				return nil, fmt.Errorf("Authy token %d: its seed is not hexadecimal", c.count()+1)
			}
			a.Secret, a.Period = base32Of(raw), authyPeriod
		case t.DecryptedSecret != nil:
			a.Secret = *t.DecryptedSecret
		case t.EncryptedSecret != nil:
			if a.Secret, err = authyDecrypt(*t.EncryptedSecret, t.Salt, p); err != nil {
				return nil, err
			}
		default:
			return nil, fmt.Errorf("Authy token %d has no secret", c.count()+1)
		}
		if err := c.add(a); err != nil {
			return nil, err
		}
	}
	return c, nil
}

// authyLabel finds the issuer and account name of a token: the original
// issuer, else the prefix of the original "Issuer:Name" or of the display
// name "Issuer - Name", else the account type; the name is the display name
// without that issuer. Authy's own tokens have only a display name, which
// names the service.
func authyLabel(t authyToken) (issuer, name string) {
	if t.SecretSeed != nil {
		return t.Name, ""
	}
	sep := ""
	switch {
	case t.OriginalIssuer != nil:
		issuer = *t.OriginalIssuer
	case t.OriginalName != nil && strings.Contains(*t.OriginalName, ":"):
		issuer, _, _ = strings.Cut(*t.OriginalName, ":")
		sep = ":"
	case strings.Contains(t.Name, " - "):
		issuer, _, _ = strings.Cut(t.Name, " - ")
		sep = " - "
	default:
		issuer = strings.ToUpper(t.AccountType[:min(1, len(t.AccountType))]) + t.AccountType[min(1, len(t.AccountType)):]
	}
	name = strings.ReplaceAll(t.Name, issuer+sep, "")
	return issuer, strings.TrimPrefix(name, ": ")
}

func authyDecrypt(encrypted, salt string, p *prompt) (string, error) {
	ciphertext, err := base64.StdEncoding.DecodeString(encrypted)
	if err != nil {
		return "", errors.New("Authy: an encrypted secret is not valid base64")
	}
	key, err := pbkdf2Key(p, "PBKDF2WITHHMACSHA1", []byte(salt), authyIterations)
	if err != nil {
		return "", err
	}
	plain, err := cbcOpen(key, make([]byte, 16), ciphertext)
	if err != nil {
		return "", fmt.Errorf("Authy: %w", err)
	}
	// CBC is not authenticated: a wrong password that happens to leave
	// valid padding leaves no base32 either.
	secret, err := otp.CanonicalSecret(string(plain))
	if err != nil {
		return "", fmt.Errorf("Authy: %w", ErrWrongPassword)
	}
	return secret, nil
}
