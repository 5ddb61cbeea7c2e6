package importer

import (
	"fmt"
	"strings"

	"github.com/vmfa/vmfa/otp"
)

// Proton Authenticator's export (.json), the ExportedAuthenticatorEntry list
// of the app's Rust core (github.com/protonpass, proton-authenticator):
// {"version": 1, "entries": [{"content": {"uri", "entry_type", "name"},
// "note"}]}. entry_type is Totp, with an otpauth:// uri, or Steam, with a
// steam:// uri. The entry's name is the account name shown in the app; the
// issuer comes from the URI.
type protonExport struct {
	Entries []struct {
		Content struct {
			URI       string `json:"uri"`
			EntryType string `json:"entry_type"`
			Name      string `json:"name"`
		} `json:"content"`
	} `json:"entries"`
}

func parseProton(data []byte, _ *prompt) (*accounts, error) {
	var x protonExport
	if err := decodeJSON(data, &x); err != nil {
		return nil, fmt.Errorf("Proton Authenticator export: %w", err)
	}
	c := &accounts{}
	for _, e := range x.Entries {
		uri := strings.TrimSpace(e.Content.URI)
		if strings.HasPrefix(strings.ToLower(uri), "steam://") {
			if err := c.addBitwarden(e.Content.Name, "", uri); err != nil {
				return nil, err
			}
			continue
		}
		n := len(c.list)
		if err := c.addURI(uri); err != nil {
			return nil, err
		}
		if len(c.list) == n {
			continue // unsupported, and recorded
		}
		a := &c.list[n]
		if e.Content.Name != "" {
			a.Name = e.Content.Name
		}
		if strings.EqualFold(e.Content.EntryType, "steam") {
			a.Type, a.Algorithm, a.Digits, a.Period, a.Counter = otp.Steam, otp.SHA1, otp.SteamDigits, otp.SteamPeriod, 0
		}
		if err := a.Normalize(); err != nil {
			return nil, fmt.Errorf("account %d: %w", n+1, err)
		}
	}
	return c, nil
}
