package importer

import (
	"fmt"

	"github.com/vmfa/vmfa/otp"
)

// Duo Mobile keeps third-party accounts in files/duokit/accounts.json: a
// JSON list of {"name", "otpGenerator": {"otpSecret", "counter"}}, read as
// Aegis's DuoImporter reads it. An account with a counter is HOTP, the
// others TOTP; both SHA1, 6 digits, 30 s. Duo stores no issuer.
type duoAccount struct {
	Name         string `json:"name"`
	OTPGenerator *struct {
		OTPSecret string  `json:"otpSecret"`
		Counter   *uint64 `json:"counter"`
	} `json:"otpGenerator"`
}

func parseDuo(data []byte, _ *prompt) (*accounts, error) {
	var list []duoAccount
	if err := decodeJSON(data, &list); err != nil {
		return nil, fmt.Errorf("Duo accounts: %w", err)
	}
	c := &accounts{}
	for _, d := range list {
		if d.OTPGenerator == nil {
			return nil, fmt.Errorf("Duo account %d (%s) has no otpGenerator", c.count()+1, describeLabel(d.Name))
		}
		e := entry{Name: d.Name, Secret: d.OTPGenerator.OTPSecret}
		if n := d.OTPGenerator.Counter; n != nil {
			e.Type, e.Counter = string(otp.HOTP), *n
		}
		if err := c.addEntry(e); err != nil {
			return nil, err
		}
	}
	return c, nil
}
