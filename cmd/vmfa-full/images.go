package main

import (
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/vmfa/vmfa/internal/clipboard"
	"github.com/vmfa/vmfa/internal/intake"
	"github.com/vmfa/vmfa/internal/screenshot"
	"github.com/vmfa/vmfa/otp"
)

// readImages decodes images into the units they are added as, with a
// spinner for large ones (see intake.ReadImageFiles).
func readImages(paths []string) ([]intake.Unit, []error) {
	return intake.ReadImageFiles(paths, readImage)
}

// readImage is intake.ReadImageFile with a spinner for large images.
func readImage(path string) ([]string, error) {
	return withSpinner("Decoding "+path, func() ([]string, error) { return intake.ReadImageFile(path) })
}

// readScreen reads the OTP QR codes on the screen into the units they are
// added as.
func readScreen() ([]intake.Unit, []error) {
	texts, err := withSpinner("Reading the screen", func() ([]string, error) { return intake.ReadScreen(screenshot.Capture) })
	if err != nil {
		return nil, []error{err}
	}
	units, err := intake.QRUnits(intake.ScreenSource, texts)
	if err != nil {
		return units, []error{err}
	}
	return units, nil
}

func (a *app) scanCmd() *cobra.Command {
	var fromScreen bool
	cmd := &cobra.Command{
		Use:   "scan IMAGE... | --screen",
		Short: "Print the otpauth:// URIs in QR images or on the screen, without touching the vault",
		Long: `Decode every QR code in the images and print one otpauth:// URI a line; a
Google Authenticator export becomes one URI per account. The output holds
secrets: pipe it to 'vmfa add --uri', don't paste it into chats.

With --screen, the QR codes shown on the screen are read instead, on every
monitor (X11, Wayland with grim, macOS, Windows); codes that are not OTP
ones, such as links, are left out. The picture of the screen stays in
memory.

A file that cannot be read, holds no QR code or a QR code that is not an OTP
secret is reported on stderr; the others are still printed, and the exit
status is 1 if any failed.`,
		Example: `  vmfa scan screenshot.png | vmfa add --uri
  vmfa scan --screen`,
		Args: func(cmd *cobra.Command, args []string) error {
			if fromScreen && len(args) > 0 {
				return usageError{errors.New("give IMAGE files or --screen, not both")}
			}
			if fromScreen {
				return nil
			}
			if err := minArgs(1)(cmd, args); err != nil {
				return err
			}
			return checkPaths(args)
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			read := func() ([]intake.Unit, []error) { return readImages(args) }
			if fromScreen {
				read = readScreen
			}
			units, errs := read()
			out := cmd.OutOrStdout()
			for _, u := range units {
				for _, acc := range u.Accounts {
					fmt.Fprintln(out, acc.URI())
				}
			}
			return report(cmd, errs)
		},
	}
	cmd.Flags().BoolVar(&fromScreen, "screen", false, "read the QR codes shown on the screen")
	return cmd
}

// report prints each error on its own line and returns errSilent if there
// was any, for an exit status of 1.
func report(cmd *cobra.Command, errs []error) error {
	for _, err := range errs {
		fmt.Fprintln(cmd.ErrOrStderr(), "vmfa: "+oneLine(explain(err, cmd.Flag("dir").Value.String())))
	}
	if len(errs) > 0 {
		return errSilent
	}
	return nil
}

// errSilent is an error already reported to the user.
var errSilent = errors.New("")

// addUnits adds the accounts of each image (or multi-QR export), as
// readImages or readScreen return them, whole or not at all; one bad image
// does not stop the others.
func (a *app) addUnits(cmd *cobra.Command, units []intake.Unit, errs []error) error {
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

// addPaste adds what the clipboard holds: a QR code image, URIs, or a bare
// secret completed by preset (--issuer, --name…) or questions.
func (a *app) addPaste(cmd *cobra.Command, preset otp.Account) error {
	img, imgErr := clipboard.ReadImage()
	if imgErr == nil {
		texts, err := intake.ReadImage("clipboard image", img)
		if err != nil {
			return err
		}
		u, err := intake.QRUnit("clipboard image", texts)
		if err != nil {
			return err
		}
		return a.addAll(cmd, u)
	}
	if errors.Is(imgErr, clipboard.ErrNoDisplay) {
		return fmt.Errorf("%w (a terminal's OSC 52 only writes a clipboard, it can't read one): "+
			"save the image and run 'vmfa add FILE', pipe a URI to 'vmfa add --uri', or type a secret into 'vmfa add --manual'", imgErr)
	}
	if !errors.Is(imgErr, clipboard.ErrNoImage) && !errors.Is(imgErr, clipboard.ErrNoImageTool) {
		return imgErr
	}
	text, err := clipboard.ReadText()
	if err != nil {
		return fmt.Errorf("%v; %v", imgErr, err)
	}
	switch intake.Classify(text) {
	case intake.Empty:
		return errors.New("the clipboard is empty: copy a QR code image, an otpauth:// URI or a secret key first")
	case intake.URI:
		u, err := intake.ReadURIs("clipboard text", strings.NewReader(text))
		if err != nil {
			return err
		}
		return a.addAll(cmd, u)
	case intake.Secret:
		acc, err := readManual(preset, strings.TrimSpace(text))
		if err != nil {
			return err
		}
		return a.addTyped(cmd, "clipboard secret", acc)
	}
	// The text is never echoed: it may be a secret with a typo.
	const neither = "the clipboard holds neither a QR code image, an otpauth:// URI nor a base32 secret"
	if err := intake.NotSecret(text); err != nil {
		return fmt.Errorf(neither+" (as a secret: %w)", err)
	}
	return errors.New(neither)
}
