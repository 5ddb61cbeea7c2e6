package intake

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/vmfa/vmfa/otp"
)

// Pool sorts the QR codes of several sources (images, the screen, pastes)
// into Units. A source's own accounts make a Unit of their own; the parts of
// a multi-QR export are pooled across every source, in any order, into one
// Unit. A source refused (Add's error) leaves the pool as it was. The zero
// value is ready to use; a copy is a pool of its own, which adding to the
// original does not change (as an interface's model needs).
type Pool struct {
	units         []Unit
	exportParts   []string // the texts of the export parts pooled
	exportSources []string
}

// Add takes the QR texts of the source called name. It refuses the whole
// source, with an error naming it, if one of its texts is not an OTP account
// or export part.
func (p *Pool) Add(name string, texts []string) error {
	return p.add(name, texts, qrError)
}

// AddText takes the URIs of text pasted or typed (white space between them, quotes around each taken away) as the source
// called name, as Add does.
func (p *Pool) AddText(name, text string) error {
	return p.add(name, uriFields(text), func(name string, err error) error { return fmt.Errorf("%s: %w", name, err) })
}

func (p *Pool) add(name string, texts []string, nameErr func(string, error) error) error {
	var accounts []otp.Account
	var parts []string
	for _, text := range texts {
		a, batch, err := otp.Parse(text)
		switch {
		case err != nil:
			return nameErr(name, err)
		case batch != nil && batch.Size > 1:
			parts = append(parts, text)
		default:
			accounts = append(accounts, a...)
		}
	}
	// The parts are collected anew with those pooled, so that a part whose
	// export disagrees with them refuses its source without leaving the
	// source's other parts behind.
	// Every slice is made anew (slices.Concat), never appended to in
	// place, for the sake of copies.
	exportParts := slices.Concat(p.exportParts, parts)
	if _, err := collect(exportParts); err != nil {
		return nameErr(name, err)
	}
	p.exportParts = exportParts
	if len(parts) > 0 {
		p.exportSources = slices.Concat(p.exportSources, []string{name})
	}
	if len(accounts) > 0 {
		p.units = slices.Concat(p.units, []Unit{{name, accounts}})
	}
	return nil
}

// Units returns the units of the sources added, the pooled export last, and
// an error naming the sources of an export that is incomplete (whose
// accounts are then left out).
func (p *Pool) Units() ([]Unit, error) {
	units := append([]Unit(nil), p.units...)
	if len(p.exportSources) == 0 {
		return units, nil
	}
	source := strings.Join(p.exportSources, ", ")
	c, _ := collect(p.exportParts) // each part was collected when added
	accounts, err := c.Accounts()
	if err != nil {
		return units, fmt.Errorf("%s: %w", source, err)
	}
	return append(units, Unit{source, accounts}), nil
}

// Unit returns everything added as one unit, named by its sources, or the
// error of an incomplete export: what one image or one paste makes, and
// what the interface adds once the parts it pools are whole.
func (p *Pool) Unit() (Unit, error) {
	units, err := p.Units()
	if err != nil {
		return Unit{}, err
	}
	var u Unit
	for _, each := range units {
		u.Accounts = append(u.Accounts, each.Accounts...)
	}
	var sources []string
	for _, name := range slices.Concat(p.sources(), p.exportSources) {
		if !slices.Contains(sources, name) {
			sources = append(sources, name)
		}
	}
	u.Source = strings.Join(sources, ", ")
	return u, nil
}

// sources are the names of the sources of the units of their own.
func (p *Pool) sources() []string {
	names := make([]string, len(p.units))
	for i, u := range p.units {
		names[i] = u.Source
	}
	return names
}

// QRUnits sorts the QR codes of one source into units, as a Pool of that
// source alone does.
func QRUnits(name string, texts []string) ([]Unit, error) {
	var p Pool
	if err := p.Add(name, texts); err != nil {
		return nil, err
	}
	return p.Units()
}

// QRUnit returns the accounts of one source's QR codes (its otpauth:// codes
// and the complete export they hold) as one unit.
func QRUnit(name string, texts []string) (Unit, error) {
	var p Pool
	if err := p.Add(name, texts); err != nil {
		return Unit{}, err
	}
	return p.Unit()
}

// collect gathers export parts (otp.Collector).
func collect(parts []string) (*otp.Collector, error) {
	var c otp.Collector
	for _, text := range parts {
		if err := c.Add(text); err != nil {
			return nil, err
		}
	}
	return &c, nil
}

// qrError names the source in an error about its QR codes.
func qrError(name string, err error) error {
	var notOTP *otp.NotOTPError
	if errors.As(err, &notOTP) {
		return fmt.Errorf("%s: QR code holds %s, not an otpauth:// URI", name, notOTP.What)
	}
	return fmt.Errorf("%s: %w", name, err)
}
