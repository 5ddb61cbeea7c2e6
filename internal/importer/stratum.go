package importer

import (
	"bytes"
	"errors"
	"fmt"
)

// Stratum, formerly Authenticator Pro (github.com/stratumauth/app), writes
// backups as JSON, {"Authenticators": [{Type, Issuer, Username, Secret,
// Algorithm, Digits, Period, Counter}], …}, where Type is 1 HOTP, 2 TOTP,
// 3 mOTP, 4 Steam, 5 Yandex and Algorithm is 0 SHA1, 1 SHA256, 2 SHA512,
// 3 MD5 (the app's AuthenticatorType and HashAlgorithm). Encrypted backups
// (.authpro) are
//
//   - "AUTHENTICATORPRO" | salt (16) | nonce (12) | AES-256-GCM ciphertext
//     and tag, keyed with Argon2id(password, salt, 3 passes, 64 MiB, 4 lanes);
//   - legacy: "AuthenticatorPro" | salt (20) | IV (16) | AES-256-CBC
//     ciphertext, keyed with PBKDF2-HMAC-SHA1(password, salt, 64 000).
//
// The app's own database (authenticator.db3, SQLite) has the same fields
// in its table authenticator.
type stratumBackup struct {
	Authenticators []stratumAuthenticator `json:"Authenticators"`
}

type stratumAuthenticator struct {
	Type      int     `json:"Type"`
	Issuer    string  `json:"Issuer"`
	Username  *string `json:"Username"`
	Secret    string  `json:"Secret"`
	Algorithm int     `json:"Algorithm"`
	Digits    int     `json:"Digits"`
	Period    int     `json:"Period"`
	Counter   uint64  `json:"Counter"`
}

const (
	stratumMagic         = "AUTHENTICATORPRO"
	stratumLegacyMagic   = "AuthenticatorPro"
	stratumSaltSize      = 16
	stratumNonceSize     = 12
	stratumLegacySalt    = 20
	stratumLegacyIVSize  = 16
	stratumLegacyRounds  = 64_000
	stratumArgonTime     = 3
	stratumArgonMemory   = 64 << 10 // KiB
	stratumArgonThreads  = 4
	stratumMaxCiphertext = MaxFileSize
)

func parseStratum(data []byte, p *prompt) (*accounts, error) {
	switch {
	case bytes.HasPrefix(data, []byte(sqliteMagic)):
		return parseStratumDB(data)
	case bytes.HasPrefix(data, []byte(stratumMagic)):
		plain, err := stratumDecrypt(data[len(stratumMagic):], p)
		if err != nil {
			return nil, err
		}
		return parseStratumJSON(plain)
	case bytes.HasPrefix(data, []byte(stratumLegacyMagic)):
		plain, err := stratumDecryptLegacy(data[len(stratumLegacyMagic):], p)
		if err != nil {
			return nil, err
		}
		return parseStratumJSON(plain)
	}
	return parseStratumJSON(data)
}

func parseStratumJSON(data []byte) (*accounts, error) {
	var b stratumBackup
	if err := decodeJSON(data, &b); err != nil {
		return nil, fmt.Errorf("Stratum backup: %w", err)
	}
	c := &accounts{}
	for _, a := range b.Authenticators {
		name := ""
		if a.Username != nil {
			name = *a.Username
		}
		if err := c.addStratum(a.Type, a.Issuer, name, a.Secret, a.Algorithm, a.Digits, a.Period, a.Counter); err != nil {
			return nil, err
		}
	}
	return c, nil
}

func (c *accounts) addStratum(typ int, issuer, name, secret string, alg, digits, period int, counter uint64) error {
	types := map[int]string{1: "hotp", 2: "totp", 3: "motp", 4: "steam", 5: "yandex"}
	algorithms := map[int]string{0: "SHA1", 1: "SHA256", 2: "SHA512", 3: "MD5"}
	t, ok := types[typ]
	if !ok {
		t = fmt.Sprintf("Stratum type %d", typ)
	}
	a, ok := algorithms[alg]
	if !ok {
		a = fmt.Sprintf("number %d", alg)
	}
	return c.addEntry(entry{Issuer: issuer, Name: name, Type: t, Algorithm: a, Secret: secret,
		Digits: digits, Period: period, Counter: counter})
}

func parseStratumDB(data []byte) (*accounts, error) {
	rows, err := sqliteRows(data, "authenticator", "type", "issuer", "username", "secret", "algorithm", "digits", "period", "counter")
	if err != nil {
		return nil, fmt.Errorf("Stratum database: %w", err)
	}
	c := &accounts{}
	for i, r := range rows {
		var n [5]int64
		for j, cell := range []string{r[0], r[4], r[5], r[6], r[7]} {
			if n[j], err = sqliteInt(cell); err != nil || n[j] < 0 || n[j] > 1<<40 {
				return nil, fmt.Errorf("Stratum database: account %d: a number column holds something else", i+1)
			}
		}
		if err := c.addStratum(int(n[0]), r[1], r[2], r[3], int(n[1]), int(n[2]), int(n[3]), uint64(n[4])); err != nil {
			return nil, err
		}
	}
	return c, nil
}

func stratumDecrypt(data []byte, p *prompt) ([]byte, error) {
	if len(data) < stratumSaltSize+stratumNonceSize+16 {
		return nil, errors.New("Stratum backup: truncated")
	}
	salt, nonce := data[:stratumSaltSize], data[stratumSaltSize:stratumSaltSize+stratumNonceSize]
	key, err := argon2Key(p, salt, stratumArgonTime, stratumArgonMemory, stratumArgonThreads)
	if err != nil {
		return nil, err
	}
	plain, err := gcmOpen(key, nonce, data[stratumSaltSize+stratumNonceSize:], nil)
	if err != nil {
		return nil, fmt.Errorf("Stratum backup: %w", err)
	}
	return plain, nil
}

func stratumDecryptLegacy(data []byte, p *prompt) ([]byte, error) {
	const header = stratumLegacySalt + stratumLegacyIVSize
	if len(data) < header+16 {
		return nil, errors.New("Stratum backup: truncated")
	}
	key, err := pbkdf2Key(p, "PBKDF2WITHHMACSHA1", data[:stratumLegacySalt], stratumLegacyRounds)
	if err != nil {
		return nil, err
	}
	plain, err := cbcOpen(key, data[stratumLegacySalt:header], data[header:])
	if err == nil && !bytes.HasPrefix(bytes.TrimSpace(plain), []byte("{")) {
		err = ErrWrongPassword // CBC is not authenticated
	}
	if err != nil {
		return nil, fmt.Errorf("Stratum backup: %w", err)
	}
	return plain, nil
}
