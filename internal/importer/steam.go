package importer

import (
	"encoding/base64"
	"encoding/json"
	"fmt"

	"github.com/vmfa/vmfa/otp"
)

// Steam Guard secrets as Steam Desktop Authenticator writes them in a
// .maFile (github.com/Jessecar96/SteamDesktopAuthenticator, SteamAuth's
// SteamGuardAccount): a JSON object whose shared_secret (base64) is the
// TOTP key and account_name the login. Newer tools wrap several such
// objects in {"accounts": {id: {...}}}. Codes are Steam Guard codes
// (otp.Steam); the issuer is "Steam".
type steamGuardAccount struct {
	SharedSecret *string `json:"shared_secret"`
	AccountName  string  `json:"account_name"`
}

func parseSteam(data []byte, _ *prompt) (*accounts, error) {
	var wrapped struct {
		Accounts map[string]steamGuardAccount `json:"accounts"`
	}
	if err := decodeJSON(data, &wrapped); err != nil {
		return nil, fmt.Errorf("Steam Guard file: %w", err)
	}
	list := []steamGuardAccount{}
	if wrapped.Accounts != nil {
		for _, k := range sortedKeys(wrapped.Accounts) {
			list = append(list, wrapped.Accounts[k])
		}
	} else {
		var one steamGuardAccount
		if err := json.Unmarshal(data, &one); err != nil {
			return nil, fmt.Errorf("Steam Guard file: %w", err)
		}
		list = append(list, one)
	}
	c := &accounts{}
	for _, s := range list {
		if s.SharedSecret == nil {
			return nil, fmt.Errorf("Steam Guard account %d (%s) has no shared_secret", c.count()+1, describeLabel(s.AccountName))
		}
		raw, err := base64.StdEncoding.DecodeString(*s.SharedSecret)
		if err != nil {
			return nil, fmt.Errorf("Steam Guard account %d (%s): shared_secret is not valid base64", c.count()+1, describeLabel(s.AccountName))
		}
		if err := c.add(otp.Account{Issuer: "Steam", Name: s.AccountName, Secret: base32Of(raw), Type: otp.Steam}); err != nil {
			return nil, err
		}
	}
	return c, nil
}
