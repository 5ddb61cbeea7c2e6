package importer

import (
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
)

// andOTP's backups (github.com/andOTP/andOTP, app/.../Utilities/BackupHelper
// and Database/Entry): a JSON array of entries with secret (base32), issuer,
// label, digits, type (TOTP, HOTP, STEAM or MOTP), algorithm, period and
// counter. Old exports have no issuer and label "Issuer - Name".
//
// Encrypted backups (.json.aes) have no header naming them. The current
// format is iterations (4 bytes, big-endian) | salt (12) | nonce (12) |
// AES-256-GCM ciphertext and tag, keyed with PBKDF2-HMAC-SHA1(password,
// salt, iterations). The old format is nonce (12) | ciphertext and tag,
// keyed with SHA-256(password). Both are tried; GCM tells which fits.
type andOTPEntry struct {
	Secret    string  `json:"secret"`
	Issuer    *string `json:"issuer"`
	Label     string  `json:"label"`
	Digits    int     `json:"digits"`
	Type      string  `json:"type"`
	Algorithm string  `json:"algorithm"`
	Period    int     `json:"period"`
	Counter   uint64  `json:"counter"`
}

const (
	andOTPSaltSize  = 12
	andOTPNonceSize = 12
	// andOTPMinSize is the smallest encrypted backup: a nonce, one byte
	// and a tag.
	andOTPMinSize = andOTPNonceSize + 1 + 16
	andOTPHash    = "PBKDF2WITHHMACSHA1"
)

func parseAndOTP(data []byte, p *prompt) (*accounts, error) {
	plain := data
	if !utf8.Valid(data) || !strings.HasPrefix(strings.TrimSpace(string(data)), "[") {
		var err error
		if plain, err = andOTPDecrypt(data, p); err != nil {
			return nil, err
		}
	}
	var list []andOTPEntry
	if err := decodeJSON(plain, &list); err != nil {
		return nil, fmt.Errorf("andOTP backup: %w", err)
	}
	c := &accounts{}
	for _, e := range list {
		var issuer, name string
		if e.Issuer != nil {
			issuer, name = *e.Issuer, e.Label
		} else if i, n, ok := strings.Cut(e.Label, " - "); ok {
			issuer, name = i, n
		} else {
			name = e.Label
		}
		if err := c.addEntry(entry{Issuer: issuer, Name: name, Type: e.Type, Algorithm: e.Algorithm,
			Secret: e.Secret, Digits: e.Digits, Period: e.Period, Counter: e.Counter}); err != nil {
			return nil, err
		}
	}
	return c, nil
}

func andOTPDecrypt(data []byte, p *prompt) ([]byte, error) {
	if len(data) < andOTPMinSize {
		return nil, errors.New("andOTP backup: too short to be an encrypted backup")
	}
	// A count of iterations that vmfa would refuse is no count: the file is
	// in the old format, whose first bytes are the nonce (or damaged).
	const header = 4 + andOTPSaltSize
	if iterations := int(binary.BigEndian.Uint32(data)); iterations >= 1 && pbkdf2Cost(andOTPHash, iterations).fits() && len(data) >= header+andOTPMinSize {
		key, err := pbkdf2Key(p, andOTPHash, data[4:header], iterations)
		if err != nil {
			return nil, err
		}
		plain, err := gcmOpen(key, data[header:header+andOTPNonceSize], data[header+andOTPNonceSize:], nil)
		if err == nil {
			return plain, nil
		}
	}
	pw, err := p.password()
	if err != nil {
		return nil, err
	}
	key := sha256.Sum256([]byte(pw))
	plain, err := gcmOpen(key[:], data[:andOTPNonceSize], data[andOTPNonceSize:], nil)
	if err != nil {
		return nil, fmt.Errorf("andOTP backup: %w", err)
	}
	return plain, nil
}
