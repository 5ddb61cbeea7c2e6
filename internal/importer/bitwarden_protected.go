package importer

import (
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	"github.com/vmfa/vmfa/otp"
)

// Bitwarden's password-protected export, as its SDK writes it
// (github.com/bitwarden/sdk, crates/bitwarden-exporters, encrypted_json.rs;
// bitwarden.com/help/encrypted-export/):
//
//	{"encrypted": true, "passwordProtected": true, "salt": "…",
//	 "kdfType": 0 or 1, "kdfIterations": …, "kdfMemory": …, "kdfParallelism": …,
//	 "encKeyValidation_DO_NOT_EDIT": "2.…", "data": "2.…"}
//
// The key is PBKDF2-SHA256 (kdfType 0) of the password with the salt string
// as salt, or Argon2id (kdfType 1, memory in MiB) with SHA-256 of the salt
// string as salt; HKDF-Expand-SHA256 stretches it into an encryption key
// (info "enc") and a MAC key ("mac"). data and the validation value are
// EncStrings of type 2, "2.IV|CIPHERTEXT|MAC" in base64: AES-256-CBC with
// PKCS #7 padding, then HMAC-SHA256 over IV and ciphertext. data holds the
// unencrypted JSON export.
type bitwardenProtected struct {
	Salt           string `json:"salt"`
	KDFType        int    `json:"kdfType"`
	KDFIterations  int    `json:"kdfIterations"`
	KDFMemory      int    `json:"kdfMemory"`      // MiB, Argon2id only
	KDFParallelism int    `json:"kdfParallelism"` // Argon2id only
	Validation     string `json:"encKeyValidation_DO_NOT_EDIT"`
	Data           string `json:"data"`
}

// Bounds on Argon2id's cost, those Bitwarden lets users choose: a file
// cannot make vmfa use more than 1 GiB or run for minutes.
const (
	bitwardenMaxArgonMemory  = 1024 // MiB
	bitwardenMaxArgonTime    = 10
	bitwardenMaxArgonThreads = 16
)

func (x *bitwardenProtected) decrypt(p *prompt) ([]byte, error) {
	if x.Salt == "" || x.Data == "" || x.Validation == "" {
		return nil, errors.New("Bitwarden export: password-protected, but its salt, data or validation value is missing")
	}
	validation, err := parseEncString(x.Validation)
	if err != nil {
		return nil, err
	}
	data, err := parseEncString(x.Data)
	if err != nil {
		return nil, err
	}
	if err := x.checkKDF(); err != nil {
		return nil, err
	}
	var key []byte
	switch x.KDFType {
	case 0:
		key, err = pbkdf2Key(p, "PBKDF2WITHHMACSHA256", []byte(x.Salt), x.KDFIterations)
	case 1:
		salt := sha256.Sum256([]byte(x.Salt))
		key, err = argon2Key(p, salt[:], x.KDFIterations, x.KDFMemory<<10, x.KDFParallelism)
	}
	if err != nil {
		return nil, fmt.Errorf("Bitwarden export: %w", err)
	}
	encKey, err := hkdf.Expand(sha256.New, key, "enc", 32)
	if err != nil {
		return nil, err
	}
	macKey, err := hkdf.Expand(sha256.New, key, "mac", 32)
	if err != nil {
		return nil, err
	}
	// The validation value tells a wrong password from a damaged file.
	if _, err := validation.open(encKey, macKey); err != nil {
		return nil, err
	}
	plain, err := data.open(encKey, macKey)
	if errors.Is(err, ErrWrongPassword) {
		return nil, errors.New("Bitwarden export: the password is right, but the data is damaged")
	}
	return plain, err
}

func (x *bitwardenProtected) checkKDF() error {
	switch x.KDFType {
	case 0:
		return nil // pbkdf2Key bounds the iterations
	case 1:
		if x.KDFIterations < 1 || x.KDFIterations > bitwardenMaxArgonTime || x.KDFMemory < 1 || x.KDFMemory > bitwardenMaxArgonMemory ||
			x.KDFParallelism < 1 || x.KDFParallelism > bitwardenMaxArgonThreads {
			return fmt.Errorf("Bitwarden export: Argon2id parameters (%d iterations, %d MiB, %d threads) are outside what Bitwarden allows",
				x.KDFIterations, x.KDFMemory, x.KDFParallelism)
		}
		return nil
	}
	return fmt.Errorf("Bitwarden export: unknown key derivation %d (vmfa knows PBKDF2, 0, and Argon2id, 1)", x.KDFType)
}

// encString is a Bitwarden EncString of type 2 (AesCbc256_HmacSha256_B64).
type encString struct{ iv, ciphertext, mac []byte }

func parseEncString(s string) (encString, error) {
	typ, rest, ok := strings.Cut(s, ".")
	if !ok || typ != "2" {
		return encString{}, fmt.Errorf("Bitwarden export: encrypted value of type %q, vmfa knows type 2 (AES-CBC with HMAC)", otp.Shorten(typ, 4))
	}
	parts := strings.Split(rest, "|")
	if len(parts) != 3 {
		return encString{}, errors.New("Bitwarden export: an encrypted value has not 3 parts")
	}
	var e encString
	for i, dst := range []*[]byte{&e.iv, &e.ciphertext, &e.mac} {
		b, err := base64.StdEncoding.DecodeString(parts[i])
		if err != nil {
			return encString{}, errors.New("Bitwarden export: an encrypted value is not valid base64")
		}
		*dst = b
	}
	return e, nil
}

// open checks the MAC, then decrypts: a wrong MAC is ErrWrongPassword.
func (e encString) open(encKey, macKey []byte) ([]byte, error) {
	m := hmac.New(sha256.New, macKey)
	m.Write(e.iv)
	m.Write(e.ciphertext)
	if !hmac.Equal(m.Sum(nil), e.mac) {
		return nil, ErrWrongPassword
	}
	return cbcOpen(encKey, e.iv, e.ciphertext)
}
