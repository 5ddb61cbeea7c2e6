package importer

import (
	"fmt"
	"strings"

	"github.com/vmfa/vmfa/otp"
)

// Google Authenticator's own database (databases/databases, readable on a
// rooted phone or from an old backup; not the app's QR export, which
// 'vmfa add' reads): table accounts with email (the label, often
// "Issuer:Name"), secret (base32), counter, type (0 TOTP, 1 HOTP) and
// issuer. The app generates only SHA1, 6 digits and 30 s, so that is what
// every account gets. Rows with isencrypted set hold secrets encrypted with
// a key in the phone's keystore, which no export carries.
func parseGoogleAuthenticatorDB(data []byte, _ *prompt) (*accounts, error) {
	rows, err := sqliteRows(data, "accounts", "email", "secret", "counter", "type", "issuer")
	if err != nil {
		return nil, fmt.Errorf("Google Authenticator database: %w", err)
	}
	encrypted, _ := sqliteRows(data, "accounts", "isencrypted")
	c := &accounts{}
	for i, r := range rows {
		email, secret, issuer := r[0], r[1], r[4]
		if i < len(encrypted) && encrypted[i][0] != "" && encrypted[i][0] != "0" {
			return nil, fmt.Errorf("Google Authenticator database: account %d (%s) is encrypted with a key only the phone has", i+1, describeLabel(email))
		}
		counter, err := sqliteInt(r[2])
		if err != nil || counter < 0 {
			return nil, fmt.Errorf("Google Authenticator database: account %d: the counter is not a number", i+1)
		}
		typ, err := sqliteInt(r[3])
		if err != nil {
			return nil, fmt.Errorf("Google Authenticator database: account %d: the type is not a number", i+1)
		}
		name := email
		if prefix, rest, ok := strings.Cut(email, ":"); ok && !strings.Contains(rest, ":") {
			name = rest
			if issuer == "" {
				issuer = prefix
			}
		}
		a := otp.Account{Issuer: issuer, Name: name, Secret: secret, Algorithm: otp.SHA1, Digits: otp.DefaultDigits}
		switch typ {
		case 0:
			a.Type, a.Period = otp.TOTP, otp.DefaultPeriod
		case 1:
			a.Type, a.Counter = otp.HOTP, uint64(counter)
		default:
			if err := c.skip(issuer, name, fmt.Sprintf("Google Authenticator type %d", typ)); err != nil {
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
