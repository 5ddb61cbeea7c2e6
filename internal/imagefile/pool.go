package imagefile

import (
	"errors"
	"fmt"
	"strings"

	"github.com/vmfa/vmfa/otp"
)

// Unit is what is added to a vault whole or not at all (vault.Data.AddAll):
// the accounts of one image, or of one Google Authenticator export whose QR
// codes were spread over several.
type Unit struct {
	Source   string // the image's name, or the names of an export's images
	Accounts []otp.Account
}

// Pool sorts the QR codes of several images into Units. An image's own
// accounts make a Unit of their own; the parts of a multi-QR export are
// pooled across every image, in any order, into one Unit. The zero value is
// ready to use.
type Pool struct {
	units         []Unit
	exportParts   otp.Collector
	exportSources []string
}

// Add takes the QR texts of the image called name. It refuses the whole
// image, with an error naming it, if one of its texts is not an OTP account
// or export part.
func (p *Pool) Add(name string, texts []string) error {
	var accounts []otp.Account
	var parts []string
	for _, text := range texts {
		a, batch, err := otp.Parse(text)
		switch {
		case err != nil:
			return imageError(name, err)
		case batch != nil && batch.Size > 1:
			parts = append(parts, text)
		default:
			accounts = append(accounts, a...)
		}
	}
	for _, text := range parts {
		if err := p.exportParts.Add(text); err != nil {
			return imageError(name, err)
		}
	}
	if len(parts) > 0 {
		p.exportSources = append(p.exportSources, name)
	}
	if len(accounts) > 0 {
		p.units = append(p.units, Unit{name, accounts})
	}
	return nil
}

// Units returns the units of the images added, the pooled export last, and
// an error naming the images of an export that is incomplete (whose accounts
// are then left out).
func (p *Pool) Units() ([]Unit, error) {
	units := append([]Unit(nil), p.units...)
	if len(p.exportSources) == 0 {
		return units, nil
	}
	source := strings.Join(p.exportSources, ", ")
	accounts, err := p.exportParts.Accounts()
	if err != nil {
		return units, fmt.Errorf("%s: %w", source, err)
	}
	return append(units, Unit{source, accounts}), nil
}

// imageError names the image in an error about its QR codes.
func imageError(name string, err error) error {
	var notOTP *otp.NotOTPError
	if errors.As(err, &notOTP) {
		return fmt.Errorf("%s: QR code holds %s, not an otpauth:// URI", name, notOTP.What)
	}
	return fmt.Errorf("%s: %w", name, err)
}
