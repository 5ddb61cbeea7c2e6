package exporter

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"io"

	"golang.org/x/crypto/scrypt"

	"github.com/vmfa/vmfa/otp"
	"github.com/vmfa/vmfa/vault"
)

// Aegis Authenticator's vault, as its docs/vault.md describes it (a copy is
// in the shared corpus, aegis-vault-format.md): version 1 of the file,
// version 3 of its content. Aegis's "Import from file" restores it whole.
//
// Encrypted, the content is sealed with AES-256-GCM under a random master
// key, and one password slot holds that key sealed with AES-256-GCM under
// scrypt(password, 32-byte salt, N=2^15, r=8, p=1), Aegis's own parameters
// (a phone must be able to derive the key, so they cannot be raised).
const (
	aegisVersion        = 1
	aegisContentVersion = 3
	aegisSlotPassword   = 1
	aegisScryptN        = 1 << 15
	aegisScryptR        = 8
	aegisScryptP        = 1
)

type aegisFile struct {
	Version int             `json:"version"`
	Header  aegisHeader     `json:"header"`
	DB      json.RawMessage `json:"db"` // aegisContent, or its ciphertext as a base64 string
}

type aegisHeader struct {
	Slots  []aegisSlot  `json:"slots"`  // null when plain
	Params *aegisParams `json:"params"` // null when plain
}

type aegisSlot struct {
	Type      int         `json:"type"`
	UUID      string      `json:"uuid"`
	Key       string      `json:"key"`
	KeyParams aegisParams `json:"key_params"`
	N         int         `json:"n"`
	R         int         `json:"r"`
	P         int         `json:"p"`
	Salt      string      `json:"salt"`
	// Repaired tells Aegis the key was derived from the password's UTF-8
	// bytes; older Aegis versions derived it otherwise, and Aegis tries
	// that way too on slots without the mark.
	Repaired bool `json:"repaired"`
}

type aegisParams struct {
	Nonce string `json:"nonce"`
	Tag   string `json:"tag"`
}

type aegisContent struct {
	Version int          `json:"version"`
	Entries []aegisEntry `json:"entries"`
	Groups  []struct{}   `json:"groups"`
}

type aegisEntry struct {
	Type     string    `json:"type"`
	UUID     string    `json:"uuid"`
	Name     string    `json:"name"`
	Issuer   string    `json:"issuer"`
	Note     string    `json:"note"`
	Favorite bool      `json:"favorite"`
	Icon     *string   `json:"icon"`
	IconMime *string   `json:"icon_mime"`
	IconHash *string   `json:"icon_hash"`
	Info     aegisInfo `json:"info"`
	Groups   []string  `json:"groups"`
}

type aegisInfo struct {
	Secret  string  `json:"secret"`
	Algo    string  `json:"algo"`
	Digits  int     `json:"digits"`
	Period  int     `json:"period,omitempty"`  // TOTP and Steam
	Counter *uint64 `json:"counter,omitempty"` // HOTP, even when 0
}

// Aegis writes entries as an Aegis vault: plain when password is nil,
// encrypted with *password otherwise. Notes and pins (Aegis's favorites)
// go with them. random is the source of UUIDs, salt, keys and nonces
// (crypto/rand.Reader but in tests).
func Aegis(entries []vault.Entry, password *string, random io.Reader) ([]byte, error) {
	content := aegisContent{Version: aegisContentVersion, Entries: []aegisEntry{}, Groups: []struct{}{}}
	for _, e := range entries {
		id, err := uuid4(random)
		if err != nil {
			return nil, err
		}
		info := aegisInfo{Secret: e.Secret, Algo: string(e.Algorithm), Digits: e.Digits, Period: e.Period}
		if e.Type == otp.HOTP {
			c := e.Counter
			info.Counter = &c
		}
		content.Entries = append(content.Entries, aegisEntry{
			Type: string(e.Type), UUID: id, Name: e.Name, Issuer: e.Issuer, Note: e.Note,
			Favorite: e.Pinned, Info: info, Groups: []string{},
		})
	}
	plain, err := json.Marshal(content)
	if err != nil {
		return nil, err
	}
	f := aegisFile{Version: aegisVersion, DB: plain}
	if password != nil {
		if f.Header, f.DB, err = aegisSeal(plain, *password, random); err != nil {
			return nil, err
		}
		clear(plain)
	}
	return json.MarshalIndent(f, "", "    ")
}

// aegisSeal encrypts the content under a new master key and makes the
// password slot that opens it.
func aegisSeal(content []byte, password string, random io.Reader) (aegisHeader, json.RawMessage, error) {
	master, salt := make([]byte, 32), make([]byte, 32)
	if _, err := io.ReadFull(random, master); err != nil {
		return aegisHeader{}, nil, err
	}
	defer clear(master)
	if _, err := io.ReadFull(random, salt); err != nil {
		return aegisHeader{}, nil, err
	}
	slotKey, err := scrypt.Key([]byte(password), salt, aegisScryptN, aegisScryptR, aegisScryptP, 32)
	if err != nil {
		return aegisHeader{}, nil, err
	}
	defer clear(slotKey)
	wrapped, keyParams, err := gcmSeal(slotKey, master, random)
	if err != nil {
		return aegisHeader{}, nil, err
	}
	sealed, params, err := gcmSeal(master, content, random)
	if err != nil {
		return aegisHeader{}, nil, err
	}
	id, err := uuid4(random)
	if err != nil {
		return aegisHeader{}, nil, err
	}
	slot := aegisSlot{
		Type: aegisSlotPassword, UUID: id, Key: hex.EncodeToString(wrapped), KeyParams: keyParams,
		N: aegisScryptN, R: aegisScryptR, P: aegisScryptP, Salt: hex.EncodeToString(salt), Repaired: true,
	}
	db, err := json.Marshal(base64.StdEncoding.EncodeToString(sealed))
	return aegisHeader{Slots: []aegisSlot{slot}, Params: &params}, db, err
}

// gcmSeal encrypts with AES-256-GCM and a random 96-bit nonce, returning the
// ciphertext without its tag, and the nonce and tag in hexadecimal, as
// Aegis stores them apart.
func gcmSeal(key, plain []byte, random io.Reader) ([]byte, aegisParams, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, aegisParams{}, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, aegisParams{}, err
	}
	nonce := make([]byte, aead.NonceSize())
	if _, err := io.ReadFull(random, nonce); err != nil {
		return nil, aegisParams{}, err
	}
	out := aead.Seal(nil, nonce, plain, nil)
	n := len(out) - aead.Overhead()
	return out[:n], aegisParams{Nonce: hex.EncodeToString(nonce), Tag: hex.EncodeToString(out[n:])}, nil
}

// uuid4 is a random (version 4) UUID, as Aegis gives entries and slots.
func uuid4(random io.Reader) (string, error) {
	var u [16]byte
	if _, err := io.ReadFull(random, u[:]); err != nil {
		return "", err
	}
	u[6] = u[6]&0x0f | 0x40
	u[8] = u[8]&0x3f | 0x80
	h := hex.EncodeToString(u[:])
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:], nil
}

// Random is where the writers get their randomness outside tests.
var Random io.Reader = rand.Reader
