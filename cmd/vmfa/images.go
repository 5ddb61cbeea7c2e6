package main

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/vmfa/vmfa/internal/clipboard"
	"github.com/vmfa/vmfa/internal/imagefile"
	"github.com/vmfa/vmfa/otp"
	"github.com/vmfa/vmfa/otp/qr"
	"github.com/vmfa/vmfa/vault"
)

// decodeFile is imagefile.Decode with a spinner for large images.
func decodeFile(path string) ([]string, error) {
	return withSpinner("Decoding "+path, func() ([]string, error) { return imagefile.Decode(path) })
}

// imageError names the image in an error about its QR codes.
func imageError(name string, err error) error {
	var notOTP *otp.NotOTPError
	if errors.As(err, &notOTP) {
		return fmt.Errorf("%s: QR code holds %s, not an otpauth:// URI", name, notOTP.What)
	}
	return fmt.Errorf("%s: %w", name, err)
}

// unit is what is added to the vault whole or not at all: the accounts of
// one image, or of one Google Authenticator export split over several.
type unit struct {
	source   string
	accounts []otp.Account
}

// imageUnits decodes images into units. The parts of a multi-QR export are
// pooled across all images, in any order, into one unit. Every image that
// fails is reported in errs, by name.
func imageUnits(paths []string) (units []unit, errs []error) {
	var (
		exportParts   otp.Collector
		exportSources []string
	)
	for _, path := range paths {
		name := imagefile.CleanPath(path) // as dragged into a terminal
		texts, err := decodeFile(name)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		accounts, parts, err := parseImage(texts)
		if err != nil {
			errs = append(errs, imageError(name, err))
			continue
		}
		for _, p := range parts {
			if err = exportParts.Add(p); err != nil {
				break
			}
		}
		if err != nil {
			errs = append(errs, imageError(name, err))
			continue
		}
		if len(parts) > 0 {
			exportSources = append(exportSources, name)
		}
		if len(accounts) > 0 {
			units = append(units, unit{name, accounts})
		}
	}
	if len(exportSources) > 0 {
		source := strings.Join(exportSources, ", ")
		if accounts, err := exportParts.Accounts(); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", source, err))
		} else {
			units = append(units, unit{source, accounts})
		}
	}
	return units, errs
}

// parseImage sorts the QR texts of one image into accounts and the parts of
// multi-QR exports, which only make sense together.
func parseImage(texts []string) (accounts []otp.Account, exportParts []string, err error) {
	for _, text := range texts {
		a, batch, err := otp.Parse(text)
		switch {
		case err != nil:
			return nil, nil, err
		case batch != nil && batch.Size > 1:
			exportParts = append(exportParts, text)
		default:
			accounts = append(accounts, a...)
		}
	}
	return accounts, exportParts, nil
}

func (a *app) scanCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "scan IMAGE...",
		Short: "Print the otpauth:// URIs in QR images, without touching the vault",
		Long: `Decode every QR code in the images and print one otpauth:// URI a line; a
Google Authenticator export becomes one URI per account. The output holds
secrets: pipe it to 'vmfa add --uri', don't paste it into chats.

A file that cannot be read, holds no QR code or a QR code that is not an OTP
secret is reported on stderr; the others are still printed, and the exit
status is 1 if any failed.`,
		Example: `  vmfa scan screenshot.png | vmfa add --uri`,
		Args:    minArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			units, errs := imageUnits(args)
			out := cmd.OutOrStdout()
			for _, u := range units {
				for _, acc := range u.accounts {
					fmt.Fprintln(out, acc.URI())
				}
			}
			return report(cmd, errs)
		},
	}
}

// report prints each error on its own line and returns errSilent if there
// was any, for an exit status of 1.
func report(cmd *cobra.Command, errs []error) error {
	for _, err := range errs {
		fmt.Fprintln(cmd.ErrOrStderr(), "vmfa: "+oneLine(err.Error()))
	}
	if len(errs) > 0 {
		return errSilent
	}
	return nil
}

// errSilent is an error already reported to the user.
var errSilent = errors.New("")

// addImages adds the accounts of each image (or multi-QR export) whole or
// not at all; one bad image does not stop the others.
func (a *app) addImages(cmd *cobra.Command, paths []string) error {
	units, errs := imageUnits(paths)
	if len(units) > 0 {
		v, err := a.unlockOrCreate()
		if err != nil {
			return err
		}
		for _, u := range units {
			if err := a.addUnit(cmd, v, u); err != nil {
				errs = append(errs, err)
			}
		}
	}
	return report(cmd, errs)
}

func (a *app) addPaste(cmd *cobra.Command) error {
	img, err := clipboard.ReadImage()
	if err != nil {
		return err
	}
	texts, err := qr.Decode(bytes.NewReader(img))
	if err != nil {
		return fmt.Errorf("clipboard image: %w", err)
	}
	accounts, err := otp.ParseAll(texts)
	if err != nil {
		return imageError("clipboard image", err)
	}
	return a.addAll(cmd, "clipboard image", accounts)
}

func (a *app) enrollCmd() *cobra.Command {
	var wait, asJSON, copyCodes bool
	cmd := &cobra.Command{
		Use:   "enroll IMAGE",
		Short: "Add the account in a QR image and print the two codes AWS asks for",
		Long: `Enroll a virtual MFA device: add the one account in the QR image (creating the
vault if needed), then print "MFA code 1" and "MFA code 2", the codes of the
current and the next 30-second window, for the AWS "Set up device" page.

With --wait, code 2 is printed only once its window has begun, for services
that refuse a code from the future; a countdown runs on stderr meanwhile.
With --copy, code 1 goes to the clipboard, then code 2 when you press Enter.`,
		Example: `  vmfa enroll ~/Desktop/aws-mfa.png`,
		Args:    exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			path := imagefile.CleanPath(args[0])
			texts, err := decodeFile(path)
			if err != nil {
				return err
			}
			accounts, err := otp.ParseAll(texts)
			if err != nil {
				return imageError(path, err)
			}
			if len(accounts) != 1 {
				return fmt.Errorf("%s holds %d accounts; enroll takes an image of one (use 'vmfa add' for exports)", path, len(accounts))
			}
			if accounts[0].Type != otp.TOTP {
				return fmt.Errorf("%s is an HOTP (counter-based) account, not a time-based MFA device: add it with 'vmfa add' and read its codes with 'vmfa code'", accounts[0].Label())
			}
			v, err := a.unlockOrCreate()
			if err != nil {
				return err
			}
			var e vault.Entry
			_, err = v.Update(func(d *vault.Data) error {
				e, err = d.Add(accounts[0], time.Now())
				return err
			})
			var dup *vault.DuplicateError
			switch {
			case errors.As(err, &dup):
				// Enrolling again after AWS refused the codes must still work.
				e = dup.Existing
				fmt.Fprintf(cmd.ErrOrStderr(), "%s is already in the vault.\n", e.Label())
			case err != nil:
				return err
			default:
				fmt.Fprintf(cmd.ErrOrStderr(), "Added %s\n", e.Label())
			}
			return enroll(cmd, e.Account, wait, asJSON, copyCodes)
		},
	}
	f := cmd.Flags()
	f.BoolVar(&wait, "wait", false, "print code 2 only when its window begins")
	f.BoolVar(&asJSON, "json", false, `print {"issuer","name","code1","code2","remaining_seconds"}`)
	f.BoolVar(&copyCodes, "copy", false, "copy code 1, then code 2 on Enter")
	return cmd
}

func enroll(cmd *cobra.Command, acc otp.Account, wait, asJSON, copyCodes bool) error {
	now := clock.Now()
	code1, err := acc.Code(now)
	if err != nil {
		return err
	}
	code2, err := acc.NextCode(now)
	if err != nil {
		return err
	}
	out, errOut := cmd.OutOrStdout(), cmd.ErrOrStderr()
	if asJSON {
		return writeJSON(out, struct {
			Issuer    string `json:"issuer"`
			Name      string `json:"name"`
			Code1     string `json:"code1"`
			Code2     string `json:"code2"`
			Remaining int    `json:"remaining_seconds"`
		}{acc.Issuer, acc.Name, code1, code2, acc.SecondsLeft(now)})
	}
	fmt.Fprintf(out, "MFA code 1: %s\n", code1)
	if !wait {
		// AWS accepts a code a window or so late, so there is no need to
		// wait, but a user pasting slowly likes to know.
		fmt.Fprintf(errOut, "(code 1 is the current window's, %d s left; code 2 is the next one's)\n", acc.SecondsLeft(now))
	}
	if copyCodes {
		if err := clipboard.Copy(code1); err != nil {
			return err
		}
		fmt.Fprint(errOut, "Code 1 copied. Press Enter to copy code 2.")
		if _, err := readLine(""); err != nil {
			return err
		}
	}
	if wait {
		for acc.Step(clock.Now()) == acc.Step(now) {
			fmt.Fprintf(errOut, "\rCode 2 in %2ds…", acc.SecondsLeft(clock.Now()))
			time.Sleep(min(acc.Remaining(clock.Now()), time.Second))
		}
		fmt.Fprint(errOut, "\r\033[K")
	}
	fmt.Fprintf(out, "MFA code 2: %s\n", code2)
	if copyCodes {
		if err := clipboard.Copy(code2); err != nil {
			return err
		}
		fmt.Fprintln(errOut, "Code 2 copied.")
	}
	return nil
}
