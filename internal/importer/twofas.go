package importer

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// 2FAS Authenticator's backup (.2fas), a JSON object with a schemaVersion
// (1 to 4) and a list of services (github.com/twofas/2fas-android,
// data/storage's BackupContent and ServiceDto). Schema 1 stores only the
// secret: every account is TOTP, SHA1, 6 digits, 30 s. From schema 2 the
// otp object has algorithm, digits and period; from schema 3 a tokenType
// (TOTP, HOTP or STEAM) and an HOTP counter; a service with no tokenType
// is TOTP. An encrypted backup has, instead of services, servicesEncrypted:
// "ciphertext:salt:iv" in base64, which is the services list encrypted with
// AES-256-GCM under PBKDF2-HMAC-SHA256(password, salt, 10 000 iterations).
type twoFASBackup struct {
	SchemaVersion     int             `json:"schemaVersion"`
	Services          []twoFASService `json:"services"`
	ServicesEncrypted *string         `json:"servicesEncrypted"`
}

type twoFASService struct {
	Name   string `json:"name"`
	Secret string `json:"secret"`
	OTP    struct {
		Account   string `json:"account"`
		Issuer    string `json:"issuer"`
		Digits    int    `json:"digits"`
		Period    int    `json:"period"`
		Algorithm string `json:"algorithm"`
		TokenType string `json:"tokenType"`
		Counter   uint64 `json:"counter"`
	} `json:"otp"`
}

const (
	twoFASMaxSchema  = 4
	twoFASIterations = 10_000
)

func parse2FAS(data []byte, p *prompt) (*accounts, error) {
	var b twoFASBackup
	if err := decodeJSON(data, &b); err != nil {
		return nil, fmt.Errorf("2FAS backup: %w", err)
	}
	if b.SchemaVersion < 1 || b.SchemaVersion > twoFASMaxSchema {
		return nil, fmt.Errorf("2FAS backup schema %d is not one vmfa knows (1 to %d)", b.SchemaVersion, twoFASMaxSchema)
	}
	services := b.Services
	if b.ServicesEncrypted != nil {
		plain, err := twoFASDecrypt(*b.ServicesEncrypted, p)
		if err != nil {
			return nil, err
		}
		services = nil
		if err := decodeJSON(plain, &services); err != nil {
			return nil, fmt.Errorf("2FAS backup's services: %w", err)
		}
	}
	c := &accounts{}
	for _, s := range services {
		issuer := s.Name
		if issuer == "" {
			issuer = s.OTP.Issuer
		}
		e := entry{Issuer: issuer, Name: s.OTP.Account, Type: s.OTP.TokenType, Secret: s.Secret,
			Algorithm: s.OTP.Algorithm, Digits: s.OTP.Digits, Period: s.OTP.Period, Counter: s.OTP.Counter}
		if b.SchemaVersion == 1 {
			// Schema 1 has no such fields; what a service may say is not 2FAS's.
			e.Type, e.Algorithm, e.Digits, e.Period, e.Counter = "", "", 0, 0, 0
		}
		if err := c.addEntry(e); err != nil {
			return nil, err
		}
	}
	return c, nil
}

func twoFASDecrypt(encrypted string, p *prompt) ([]byte, error) {
	parts := strings.Split(encrypted, ":")
	if len(parts) < 3 {
		return nil, errors.New("2FAS backup: servicesEncrypted is not ciphertext:salt:iv")
	}
	var raw [3][]byte
	for i := range raw {
		var err error
		if raw[i], err = base64.StdEncoding.DecodeString(parts[i]); err != nil {
			return nil, errors.New("2FAS backup: servicesEncrypted is not valid base64")
		}
	}
	key, err := pbkdf2Key(p, "PBKDF2WITHHMACSHA256", raw[1], twoFASIterations)
	if err != nil {
		return nil, err
	}
	plain, err := gcmOpen(key, raw[2], raw[0], nil)
	if err != nil {
		return nil, fmt.Errorf("2FAS backup: %w", err)
	}
	if !json.Valid(plain) {
		return nil, errors.New("2FAS backup: the decrypted services are not JSON")
	}
	return plain, nil
}
