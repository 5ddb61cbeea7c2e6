package importer

import (
	"encoding/base64"
	"fmt"

	"github.com/vmfa/vmfa/otp"
)

// Microsoft Authenticator's database (databases/PhoneFactor, readable on a
// rooted phone): table accounts with name (the issuer), username,
// oath_secret_key and account_type. Type 0 is a third-party TOTP account
// (base32 secret, SHA1, 6 digits, 30 s) whatever parameters it was added
// with, since the app generates no others; type 1, a Microsoft work or
// school account, has a base64 secret and 8-digit codes. Other types are
// sign-in by notification, with no code vmfa could generate.
func parseMicrosoftAuthenticatorDB(data []byte, _ *prompt) (*accounts, error) {
	rows, err := sqliteRows(data, "accounts", "name", "username", "oath_secret_key", "account_type")
	if err != nil {
		return nil, fmt.Errorf("Microsoft Authenticator database: %w", err)
	}
	c := &accounts{}
	for i, r := range rows {
		issuer, name, secret := r[0], r[1], r[2]
		typ, err := sqliteInt(r[3])
		if err != nil {
			return nil, fmt.Errorf("Microsoft Authenticator database: account %d: the type is not a number", i+1)
		}
		a := otp.Account{Issuer: issuer, Name: name, Type: otp.TOTP, Algorithm: otp.SHA1, Digits: otp.DefaultDigits, Period: otp.DefaultPeriod}
		switch typ {
		case 0:
			a.Secret = secret
		case 1:
			raw, err := base64.StdEncoding.DecodeString(secret)
			if err != nil {
				return nil, fmt.Errorf("Microsoft Authenticator database: account %d (%s): the secret is not valid base64", i+1, describeLabel(a.Label()))
			}
			a.Secret, a.Digits = base32Of(raw), 8
		default:
			if err := c.skip(issuer, name, fmt.Sprintf("Microsoft account type %d, sign-in by notification", typ)); err != nil {
				return nil, err
			}
			continue
		}
		if err := c.add(a); err != nil {
			return nil, err
		}
	}
	return c, nil
}
