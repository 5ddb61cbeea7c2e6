package awsmfa

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/vmfa/vmfa/otp"
	"github.com/vmfa/vmfa/vault"
)

// Issuer is the issuer of AWS's QR codes, and of the vault's entries for
// AWS devices.
const Issuer = "Amazon Web Services"

// EntryFor returns the vault entry of the device arn: the one whose note
// names it, or else the one whose label holds arn's account ID and whose
// name, before any "@", is the device's. ok is false when there is none,
// or several.
func EntryFor(d *vault.Data, arn string) (e vault.Entry, ok bool) {
	e, err := d.Find(arn)
	if err != nil {
		return vault.Entry{}, false
	}
	if a, _, noted := vault.ParseAWSNote(e.Note); noted {
		return e, strings.EqualFold(a, arn)
	}
	device := arn[strings.LastIndexByte(arn, '/')+1:]
	name, _, _ := strings.Cut(e.Name, "@")
	return e, strings.EqualFold(name, device)
}

// Codes returns two consecutive codes of the entry e, each recorded as
// handed out: the second's window has begun when it returns (the caller
// waits for it, and may show the wait).
type Codes func(e vault.Entry) (code1, code2 string, err error)

// EnrollRequest says how to enroll a device.
type EnrollRequest struct {
	Name  string // the device's name; "" is the user's
	Vault *vault.Vault
	Codes Codes
	Now   func() time.Time
	// ConfigFile is the AWS config file whose profile gets mfa_serial.
	ConfigFile string
}

// Enrolled is what Enroll did.
type Enrolled struct {
	ARN   string
	Entry vault.Entry // the seed's entry in the vault
	// Reused is set when the device was created by an earlier Enroll
	// that could not enable it: its seed was in the vault, unconfirmed.
	Reused bool
	// OldSerial is the profile's mfa_serial before, "" if none.
	OldSerial string
	// Warning, if not "", says what went wrong once the device was
	// enabled: it is, and usable.
	Warning string
}

// EnableError is Enroll's error when the device was created and its seed
// is in the vault, unconfirmed, but IAM did not enable it.
type EnableError struct {
	ARN     string
	Label   string // the vault entry's
	Profile string
	Err     error
}

func (e *EnableError) Error() string {
	return fmt.Sprintf("the MFA device %s was created and its seed is in the vault as %s, unconfirmed, but enabling it failed: %v", e.ARN, e.Label, e.Err)
}

func (e *EnableError) Unwrap() error { return e.Err }

// ConfigError is Enroll's error when the device was enabled but the
// profile's mfa_serial could not be written.
type ConfigError struct {
	ARN, Profile, Path string
	Err                error
}

func (e *ConfigError) Error() string {
	return fmt.Sprintf("the MFA device %s is enabled and in the vault, but mfa_serial could not be written to profile %q in %s: %v", e.ARN, e.Profile, e.Path, e.Err)
}

func (e *ConfigError) Unwrap() error { return e.Err }

// Enroll creates a virtual MFA device for u, keeps its seed in the vault,
// enables it with two consecutive codes and names it in the profile's
// mfa_serial (the package doc says how, and what failure leaves).
func (u *User) Enroll(ctx context.Context, r EnrollRequest) (Enrolled, error) {
	name := r.Name
	if name == "" {
		name = u.Name
	}
	en := Enrolled{ARN: u.DeviceARN(name)}
	d, err := r.Vault.Load()
	if err != nil {
		return en, err
	}
	if e, ok := EntryFor(d, en.ARN); ok {
		if _, unconfirmed, _ := vault.ParseAWSNote(e.Note); !unconfirmed {
			return en, fmt.Errorf("%w: %s, in the vault as %s", ErrDeviceExists, en.ARN, e.Label())
		}
		en.Entry, en.Reused = e, true
	} else if en.Entry, err = u.createInVault(ctx, r, name); err != nil {
		return en, err
	}
	en.ARN, _, _ = vault.ParseAWSNote(en.Entry.Note)
	code1, code2, err := r.Codes(en.Entry)
	if err == nil {
		err = u.enable(ctx, en.ARN, code1, code2)
	}
	if en.Reused && errors.Is(err, ErrDeviceExists) && u.listed(ctx, en.ARN) {
		err = nil // the earlier attempt enabled it, but its answer was lost
	}
	if err != nil {
		return en, &EnableError{ARN: en.ARN, Label: en.Entry.Label(), Profile: u.Profile, Err: err}
	}
	if _, err := r.Vault.Update(func(d *vault.Data) error {
		return d.Edit(en.Entry.ID, func(e *vault.Entry) error { e.Note = vault.AWSNote(en.ARN, false); return nil })
	}); err != nil {
		en.Warning = fmt.Sprintf("the vault still says %s is unconfirmed: %v", en.Entry.Label(), err)
	}
	if en.OldSerial, err = SetMFASerial(r.ConfigFile, u.Profile, en.ARN); err != nil {
		return en, &ConfigError{ARN: en.ARN, Profile: u.Profile, Path: r.ConfigFile, Err: err}
	}
	return en, nil
}

// createInVault creates the device and adds its seed to the vault,
// unconfirmed. A seed the vault cannot take is deleted at AWS with its
// device, which no one could use.
func (u *User) createInVault(ctx context.Context, r EnrollRequest, name string) (vault.Entry, error) {
	arn, seed, err := u.create(ctx, name)
	if err != nil {
		return vault.Entry{}, err
	}
	defer clear(seed)
	acc := otp.Account{Issuer: Issuer, Name: u.Label(), Secret: string(seed),
		Type: otp.TOTP, Algorithm: otp.SHA1, Digits: 6, Period: 30}
	var e vault.Entry
	_, err = r.Vault.Update(func(d *vault.Data) error {
		added, err := d.Add(acc, r.Now())
		if err != nil {
			return err
		}
		return d.Edit(added.ID, func(live *vault.Entry) error {
			live.Note = vault.AWSNote(arn, true)
			e = *live
			return nil
		})
	})
	if err != nil {
		if derr := u.deleteDevice(ctx, arn); derr != nil {
			return vault.Entry{}, fmt.Errorf("the seed of the new MFA device %s could not be saved in the vault (%w), and deleting the device failed: %v", arn, err, derr)
		}
		return vault.Entry{}, fmt.Errorf("the seed of the new MFA device %s could not be saved in the vault, so the device was deleted: %w", arn, err)
	}
	return e, nil
}

// Resync tells IAM the clock of the profile's device (its mfa_serial) from
// two consecutive codes of its vault entry, and returns the device's ARN.
func (u *User) Resync(ctx context.Context, v *vault.Vault, codes Codes) (string, error) {
	if u.MFASerial == "" {
		return "", fmt.Errorf("%w: AWS profile %q names no device to resync", ErrNoSerial, u.Profile)
	}
	d, err := v.Load()
	if err != nil {
		return "", err
	}
	e, ok := EntryFor(d, u.MFASerial)
	if !ok {
		return u.MFASerial, fmt.Errorf("%w: no account in the vault for the MFA device %s", vault.ErrNotFound, u.MFASerial)
	}
	code1, code2, err := codes(e)
	if err != nil {
		return u.MFASerial, err
	}
	return u.MFASerial, u.resync(ctx, u.MFASerial, code1, code2)
}

// Device is one of the user's MFA devices, at AWS or in the vault.
type Device struct {
	Serial  string    `json:"serial"`
	Enabled time.Time `json:"enabled,omitzero"` // zero when AWS lists it not
	InVault bool      `json:"in_vault"`
	// Account is the vault entry's label, "" when the vault has none.
	Account string `json:"account,omitempty"`
	// Unconfirmed: the vault's entry says the device was created but not
	// enabled.
	Unconfirmed bool `json:"unconfirmed,omitempty"`
}

// Devices returns the devices IAM lists for the user, each with its vault
// entry if any, then those the vault holds unconfirmed for the user that
// IAM does not list (it lists enabled devices only).
func (u *User) Devices(ctx context.Context, d *vault.Data) ([]Device, error) {
	listed, err := u.ListDevices(ctx)
	if err != nil {
		return nil, err
	}
	var out []Device
	seen := map[string]bool{}
	for _, l := range listed {
		// Listed, it is enabled, whatever the vault's note says.
		dev := Device{Serial: l.Serial, Enabled: l.Enabled}
		if e, ok := EntryFor(d, l.Serial); ok {
			dev.Account, dev.InVault = e.Label(), true
			seen[e.ID] = true
		}
		out = append(out, dev)
	}
	prefix := "arn:" + u.Partition + ":iam::" + u.Account + ":mfa/"
	for _, e := range d.Accounts {
		if arn, unconfirmed, ok := vault.ParseAWSNote(e.Note); ok && unconfirmed && !seen[e.ID] && strings.HasPrefix(arn, prefix) && e.Name == u.Label() {
			out = append(out, Device{Serial: arn, InVault: true, Account: e.Label(), Unconfirmed: true})
		}
	}
	return out, nil
}

// listed reports whether IAM lists the device arn as the user's.
func (u *User) listed(ctx context.Context, arn string) bool {
	devices, err := u.ListDevices(ctx)
	return err == nil && slices.ContainsFunc(devices, func(d AWSDevice) bool { return d.Serial == arn })
}
