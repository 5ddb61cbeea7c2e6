package importer

import (
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"

	"golang.org/x/crypto/scrypt"
)

// Aegis Authenticator's vault export, documented in Aegis's docs/vault.md
// (github.com/beemdevelopment/Aegis): a JSON object
//
//	{"version": 1, "header": {"slots": …, "params": …}, "db": …}
//
// where db is the content, {"version": 1 to 3, "entries": [...]}, or, when
// the header has slots, that content encrypted with AES-256-GCM under a
// master key. Each password slot holds the master key encrypted with
// AES-256-GCM under scrypt(password, salt, n, r, p).
type aegisVault struct {
	Version int `json:"version"`
	Header  struct {
		Slots  []aegisSlot  `json:"slots"`
		Params *aegisParams `json:"params"`
	} `json:"header"`
	DB json.RawMessage `json:"db"`
}

type aegisSlot struct {
	Type      int         `json:"type"`
	Key       hexBytes    `json:"key"`
	KeyParams aegisParams `json:"key_params"`
	N         int         `json:"n"`
	R         int         `json:"r"`
	P         int         `json:"p"`
	Salt      hexBytes    `json:"salt"`
}

type aegisParams struct {
	Nonce hexBytes `json:"nonce"`
	Tag   hexBytes `json:"tag"`
}

type aegisContent struct {
	Version int `json:"version"`
	Entries []struct {
		Type   string `json:"type"`
		Name   string `json:"name"`
		Issuer string `json:"issuer"`
		Info   struct {
			Secret  string `json:"secret"`
			Algo    string `json:"algo"`
			Digits  int    `json:"digits"`
			Period  int    `json:"period"`
			Counter uint64 `json:"counter"`
		} `json:"info"`
	} `json:"entries"`
}

const (
	aegisSlotPassword = 1
	// aegisMaxContent is the newest content version Aegis's docs describe.
	aegisMaxContent = 3
)

func parseAegis(data []byte, p *prompt) (*accounts, error) {
	var v aegisVault
	if err := decodeJSON(data, &v); err != nil {
		return nil, fmt.Errorf("Aegis vault: %w", err)
	}
	if v.Version != 1 {
		return nil, fmt.Errorf("Aegis vault version %d is not one vmfa knows (1)", v.Version)
	}
	content := []byte(v.DB)
	if v.Header.Slots != nil {
		var err error
		if content, err = aegisDecrypt(&v, p); err != nil {
			return nil, err
		}
	}
	var db aegisContent
	if err := decodeJSON(content, &db); err != nil {
		return nil, fmt.Errorf("Aegis vault content: %w", err)
	}
	if db.Version < 1 || db.Version > aegisMaxContent {
		return nil, fmt.Errorf("Aegis vault content version %d is not one vmfa knows (1 to %d)", db.Version, aegisMaxContent)
	}
	c := &accounts{}
	for _, e := range db.Entries {
		if err := c.addEntry(entry{
			Issuer: e.Issuer, Name: e.Name, Type: e.Type, Algorithm: e.Info.Algo, Secret: e.Info.Secret,
			Digits: e.Info.Digits, Period: e.Info.Period, Counter: e.Info.Counter,
		}); err != nil {
			return nil, err
		}
	}
	return c, nil
}

// aegisDecrypt opens the master key with the first password slot the
// password fits, then the content.
//
// Every password slot is paid for (see prompt.spend) before the first is
// tried and the password asked: a file whose slots ask for more than vmfa
// allows, one of them or all together, is refused at once.
func aegisDecrypt(v *aegisVault, p *prompt) ([]byte, error) {
	if v.Header.Params == nil {
		return nil, errors.New("Aegis vault: encrypted, but its header has no parameters")
	}
	var sealed string
	if err := json.Unmarshal(v.DB, &sealed); err != nil {
		return nil, errors.New("Aegis vault: encrypted, but its db is not a string")
	}
	ciphertext, err := base64.StdEncoding.DecodeString(sealed)
	if err != nil {
		return nil, errors.New("Aegis vault: its db is not valid base64")
	}
	var slots []aegisSlot
	for _, s := range v.Header.Slots {
		if s.Type != aegisSlotPassword {
			continue // raw and biometric slots need keys only the phone has
		}
		if err := checkScrypt(s.N, s.R, s.P); err != nil {
			return nil, fmt.Errorf("Aegis vault: %w", err)
		}
		if err := p.spend(fmt.Sprintf("password slot %d", len(slots)+1), scryptCost(s.N, s.R, s.P)); err != nil {
			return nil, fmt.Errorf("Aegis vault: %w", err)
		}
		slots = append(slots, s)
	}
	if len(slots) == 0 {
		return nil, errors.New("Aegis vault: no password opens it (only biometrics): export it from Aegis with a password")
	}
	pw, err := p.password()
	if err != nil {
		return nil, err
	}
	for _, s := range slots {
		key, err := scrypt.Key([]byte(pw), s.Salt, s.N, s.R, s.P, 32)
		if err != nil {
			return nil, fmt.Errorf("Aegis vault: impossible scrypt parameters")
		}
		master, err := gcmOpen(key, s.KeyParams.Nonce, append(append([]byte(nil), s.Key...), s.KeyParams.Tag...), nil)
		if errors.Is(err, ErrWrongPassword) {
			continue
		} else if err != nil {
			return nil, fmt.Errorf("Aegis vault: %w", err)
		}
		params := v.Header.Params
		content, err := gcmOpen(master, params.Nonce, append(ciphertext, params.Tag...), nil)
		if err != nil {
			return nil, fmt.Errorf("Aegis vault: %w", err)
		}
		return content, nil
	}
	return nil, ErrWrongPassword
}

// checkScrypt refuses scrypt parameters that scrypt itself refuses: N a
// power of 2 over 1, r and p positive, r·p under 2^30. What they cost is
// for prompt.spend to judge.
func checkScrypt(n, r, p int) error {
	if n < 2 || n&(n-1) != 0 || r < 1 || p < 1 || uint64(r)*uint64(p) >= 1<<30 {
		return fmt.Errorf("scrypt parameters n=%d r=%d p=%d are not valid", n, r, p)
	}
	return nil
}

// hexBytes is a JSON string of hexadecimal digits.
type hexBytes []byte

func (h *hexBytes) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	raw, err := hex.DecodeString(s)
	if err != nil {
		return contentError("a hexadecimal field holds something else")
	}
	*h = raw
	return nil
}
