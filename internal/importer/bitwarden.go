package importer

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/vmfa/vmfa/otp"
)

// Bitwarden's vault export (bitwarden.com/help/export-your-data/), as JSON
// ({"encrypted": false, "items": [{"name", "login": {"totp"}}]}) or as CSV
// with a login_totp column. A TOTP field holds an otpauth:// URI, a
// steam://SECRET for Steam Guard, or a bare base32 secret (TOTP, SHA1, 6
// digits, 30 s), as Bitwarden's own authenticator reads it
// (bitwarden.com/help/integrated-authenticator/). Items without one are
// passwords only, and are not accounts here. The item's name names a
// Steam or bare-secret account, whose field has no label.
//
// A password-protected export (bitwarden.com/help/encrypted-export/) holds
// that JSON encrypted (bitwarden_protected.go); an "account restricted" one
// needs the account's own key, which only Bitwarden has.
type bitwardenExport struct {
	Encrypted         bool `json:"encrypted"`
	PasswordProtected bool `json:"passwordProtected"`
	bitwardenProtected
	Items []struct {
		Name  string `json:"name"`
		Login *struct {
			Username string `json:"username"`
			TOTP     string `json:"totp"`
		} `json:"login"`
	} `json:"items"`
}

func parseBitwarden(data []byte, p *prompt) (*accounts, error) {
	text := bytes.TrimSpace(bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")))
	if len(text) > 0 && text[0] == '{' {
		return parseBitwardenJSON(text, p)
	}
	return parseBitwardenCSV(text)
}

func parseBitwardenJSON(data []byte, p *prompt) (*accounts, error) {
	var x bitwardenExport
	if err := decodeJSON(data, &x); err != nil {
		return nil, fmt.Errorf("Bitwarden export: %w", err)
	}
	switch {
	case x.Encrypted && x.PasswordProtected && p != nil:
		plain, err := x.decrypt(p)
		if err != nil {
			return nil, err
		}
		return parseBitwardenJSON(plain, nil) // what it holds is not encrypted again
	case x.Encrypted && x.PasswordProtected:
		return nil, errors.New("Bitwarden export: encrypted twice")
	case x.Encrypted:
		return nil, errors.New("Bitwarden export is encrypted with the account's key (\"account restricted\"): export it again password-protected, or as unencrypted JSON or CSV")
	}
	c := &accounts{}
	for _, it := range x.Items {
		if it.Login == nil {
			continue
		}
		if err := c.addBitwarden(it.Name, it.Login.Username, it.Login.TOTP); err != nil {
			return nil, err
		}
	}
	return c, nil
}

func parseBitwardenCSV(data []byte) (*accounts, error) {
	r := csv.NewReader(bytes.NewReader(data))
	r.FieldsPerRecord = -1
	header, err := r.Read()
	if err != nil {
		return nil, errors.New("Bitwarden CSV export: no header line")
	}
	col := map[string]int{}
	for i, h := range header {
		col[strings.TrimSpace(h)] = i
	}
	totpCol, ok := col["login_totp"]
	if !ok {
		return nil, errors.New("Bitwarden CSV export: no login_totp column")
	}
	field := func(rec []string, name string) string {
		if i, ok := col[name]; ok && i < len(rec) {
			return rec[i]
		}
		return ""
	}
	c := &accounts{}
	for line := 2; ; line++ {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("Bitwarden CSV export: line %d is not valid CSV", line)
		}
		if totpCol >= len(rec) {
			continue
		}
		if err := c.addBitwarden(field(rec, "name"), field(rec, "login_username"), rec[totpCol]); err != nil {
			return nil, err
		}
	}
	return c, nil
}

// addBitwarden adds the account of one item's TOTP field, if it has one.
func (c *accounts) addBitwarden(item, username, totp string) error {
	totp = strings.TrimSpace(totp)
	scheme, rest, _ := strings.Cut(totp, "://")
	switch strings.ToLower(scheme) {
	case "":
		return nil
	case "otpauth":
		return c.addURI(totp)
	case "steam":
		return c.addEntry(entry{Issuer: "Steam", Name: item, Type: string(otp.Steam), Secret: rest})
	}
	// A bare secret.
	return c.addEntry(entry{Issuer: item, Name: username, Secret: totp})
}

// addURI adds the account of one otpauth:// URI.
func (c *accounts) addURI(uri string) error {
	if issuer, name, kind := unsupportedURI(uri); kind != "" {
		return c.skip(issuer, name, kind)
	}
	a, err := otp.ParseURI(uri)
	if err != nil {
		return fmt.Errorf("account %d: %w", c.count()+1, err)
	}
	return c.add(a)
}
