package importer

import (
	"bytes"
	"encoding/asn1"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/vmfa/vmfa/otp"
)

// FreeOTP (github.com/freeotp/freeotp-android) and FreeOTP+
// (github.com/helloworld1/FreeOTPPlus) describe each account as a token,
// the JSON of their Token class:
//
//	{"algo": "SHA1", "counter": 0, "digits": 6, "issuerExt": "Deno",
//	 "label": "Mason", "period": 30, "secret": [-28, -110, …], "type": "TOTP"}
//
// where secret is the raw key as Java's signed bytes, and counter is the
// HOTP counter of the next code. FreeOTP shows Steam Guard codes for TOTP
// tokens whose issuer is "Steam".
//
//   - Version 1 keeps the tokens in shared preferences (tokens.xml), one
//     string value per token plus tokenOrder, a JSON list of their keys.
//     FreeOTP+ keeps the same file.
//   - FreeOTP+'s export (.json) is {"tokenOrder": [...], "tokens": [...]}.
//   - FreeOTP 2's backup (externalBackup.xml, despite the name a Java
//     serialized HashMap<String, String>; see javaser.go) maps each token's
//     UUID to its encrypted key and UUID + "-token" to its JSON without the
//     secret. "masterKey" holds the master key, encrypted with AES-256-GCM
//     under PBKDF2(password, mSalt, mIterations) with mAlgorithm's HMAC;
//     each secret is encrypted with AES-256-GCM under the master key. The
//     GCM nonce is in mParameters (ASN.1 GCMParameters, RFC 5084) and the
//     additional data is mToken (FreeOTP's EncryptedKey and MasterKey).
type freeOTPToken struct {
	Algo      string    `json:"algo"`
	Counter   uint64    `json:"counter"`
	Digits    int       `json:"digits"`
	IssuerExt string    `json:"issuerExt"`
	Label     string    `json:"label"`
	Period    int       `json:"period"`
	Secret    javaBytes `json:"secret"`
	Type      string    `json:"type"`
}

// add adds a token, whose secret must be set.
func (c *accounts) addFreeOTP(t freeOTPToken) error {
	typ := t.Type
	if strings.EqualFold(typ, "totp") && t.IssuerExt == "Steam" {
		typ = "steam"
	}
	return c.addEntry(entry{Issuer: t.IssuerExt, Name: t.Label, Type: typ, Algorithm: t.Algo,
		Secret: base32Of(t.Secret), Digits: t.Digits, Period: t.Period, Counter: t.Counter})
}

func parseFreeOTP(data []byte, p *prompt) (*accounts, error) {
	if bytes.HasPrefix(data, []byte{0xac, 0xed}) {
		return parseFreeOTPBackup(data, p)
	}
	prefs, err := readPrefs(data)
	if err != nil {
		return nil, fmt.Errorf("FreeOTP tokens: %w", err)
	}
	var order []string
	if s, ok := prefs["tokenOrder"]; ok {
		if err := decodeJSON([]byte(s), &order); err != nil {
			return nil, fmt.Errorf("FreeOTP tokenOrder: %w", err)
		}
	}
	// The listed order first, then any token it leaves out.
	seen := map[string]bool{"tokenOrder": true}
	keys := []string{}
	for _, k := range append(order, sortedKeys(prefs)...) {
		if _, ok := prefs[k]; ok && !seen[k] {
			seen[k] = true
			keys = append(keys, k)
		}
	}
	c := &accounts{}
	for _, k := range keys {
		var t freeOTPToken
		if err := decodeJSON([]byte(prefs[k]), &t); err != nil {
			return nil, fmt.Errorf("FreeOTP token %d: %w", c.count()+1, err)
		}
		if err := c.addFreeOTP(t); err != nil {
			return nil, err
		}
	}
	return c, nil
}

func parseFreeOTPPlus(data []byte, _ *prompt) (*accounts, error) {
	var x struct {
		Tokens []freeOTPToken `json:"tokens"`
	}
	if err := decodeJSON(data, &x); err != nil {
		return nil, fmt.Errorf("FreeOTP+ export: %w", err)
	}
	c := &accounts{}
	for _, t := range x.Tokens {
		if err := c.addFreeOTP(t); err != nil {
			return nil, err
		}
	}
	return c, nil
}

// freeOTPKey is FreeOTP 2's EncryptedKey.
type freeOTPKey struct {
	Cipher     string    `json:"mCipher"`
	CipherText javaBytes `json:"mCipherText"`
	Parameters javaBytes `json:"mParameters"`
	Token      string    `json:"mToken"`
}

func parseFreeOTPBackup(data []byte, p *prompt) (*accounts, error) {
	pairs, err := readJavaStringMap(data)
	if err != nil {
		return nil, fmt.Errorf("FreeOTP backup: %w", err)
	}
	m := make(map[string]string, len(pairs))
	for _, kv := range pairs {
		m[kv[0]] = kv[1]
	}
	if _, ok := m["masterKey"]; !ok {
		return nil, errors.New("FreeOTP backup: it has no masterKey")
	}
	master, err := freeOTPMasterKey(m["masterKey"], p)
	if err != nil {
		return nil, err
	}
	c := &accounts{}
	for _, kv := range pairs {
		uuid := kv[0]
		tokenJSON, ok := m[uuid+"-token"]
		if !ok || uuid == "masterKey" {
			continue
		}
		var t freeOTPToken
		if err := decodeJSON([]byte(tokenJSON), &t); err != nil {
			return nil, fmt.Errorf("FreeOTP backup, token %d: %w", c.count()+1, err)
		}
		var wrapper struct {
			Key string `json:"key"`
		}
		var key freeOTPKey
		if err := decodeJSON([]byte(kv[1]), &wrapper); err != nil {
			return nil, fmt.Errorf("FreeOTP backup, key of token %d: %w", c.count()+1, err)
		}
		if err := decodeJSON([]byte(wrapper.Key), &key); err != nil {
			return nil, fmt.Errorf("FreeOTP backup, key of token %d: %w", c.count()+1, err)
		}
		if t.Secret, err = key.open(master); err != nil {
			return nil, fmt.Errorf("FreeOTP backup, token %d: %w", c.count()+1, err)
		}
		if err := c.addFreeOTP(t); err != nil {
			return nil, err
		}
	}
	return c, nil
}

func freeOTPMasterKey(s string, p *prompt) ([]byte, error) {
	var mk struct {
		Algorithm    string     `json:"mAlgorithm"`
		EncryptedKey freeOTPKey `json:"mEncryptedKey"`
		Iterations   int        `json:"mIterations"`
		Salt         javaBytes  `json:"mSalt"`
	}
	if err := decodeJSON([]byte(s), &mk); err != nil {
		return nil, fmt.Errorf("FreeOTP backup, master key: %w", err)
	}
	hashName := strings.ToUpper(mk.Algorithm)
	if _, ok := pbkdf2Hashes[hashName]; !ok {
		return nil, fmt.Errorf("FreeOTP backup: unknown key derivation %q", otp.Shorten(mk.Algorithm, 32))
	}
	key, err := pbkdf2Key(p, hashName, mk.Salt, mk.Iterations)
	if err != nil {
		return nil, fmt.Errorf("FreeOTP backup: %w", err)
	}
	master, err := mk.EncryptedKey.open(key)
	if err != nil {
		return nil, fmt.Errorf("FreeOTP backup: %w", err)
	}
	return master, nil
}

// open decrypts an EncryptedKey.
func (k freeOTPKey) open(key []byte) ([]byte, error) {
	if k.Cipher != "AES/GCM/NoPadding" {
		return nil, fmt.Errorf("unknown cipher %q", otp.Shorten(k.Cipher, 32))
	}
	// GCMParameters (RFC 5084), or on old Android (API 23) the bare nonce
	// as an OCTET STRING, with the tag of 16 bytes that Android used.
	var params struct {
		Nonce  []byte
		TagLen int `asn1:"optional,default:12"`
	}
	if rest, err := asn1.Unmarshal(k.Parameters, &params); err != nil || len(rest) > 0 {
		params.TagLen = 16
		if rest, err := asn1.Unmarshal(k.Parameters, &params.Nonce); err != nil || len(rest) > 0 {
			return nil, errors.New("the GCM parameters are not valid ASN.1")
		}
	}
	if params.TagLen != 16 {
		return nil, fmt.Errorf("unexpected GCM tag length %d", params.TagLen)
	}
	return gcmOpen(key, params.Nonce, k.CipherText, []byte(k.Token))
}

// javaBytes is a JSON list of Java's signed bytes (-128 to 127); unsigned
// values are accepted too.
type javaBytes []byte

func (j *javaBytes) UnmarshalJSON(b []byte) error {
	var ints []int
	if err := json.Unmarshal(b, &ints); err != nil {
		return contentError("a byte array is not a list of numbers")
	}
	out := make([]byte, len(ints))
	for i, n := range ints {
		if n < -128 || n > 255 {
			return contentError("a byte array holds a number outside -128 to 255")
		}
		out[i] = byte(n)
	}
	*j = out
	return nil
}
