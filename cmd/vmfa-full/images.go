package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/vmfa/vmfa/internal/clipboard"
	"github.com/vmfa/vmfa/internal/intake"
	"github.com/vmfa/vmfa/internal/screen"
	"github.com/vmfa/vmfa/internal/term"
	"github.com/vmfa/vmfa/otp"
	"github.com/vmfa/vmfa/vault"
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
	texts, err := withSpinner("Reading the screen", func() ([]string, error) { return intake.ReadScreen(screen.Capture) })
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

func (a *app) enrollCmd() *cobra.Command {
	var wait, asJSON, copyCodes bool
	var clearAfter time.Duration
	cmd := &cobra.Command{
		Use:   "enroll IMAGE",
		Short: "Add the account in a QR image and print the two codes AWS asks for",
		Long: `Enroll a virtual MFA device: add the one account in the QR image (creating the
vault if needed), then print "MFA code 1" and "MFA code 2", the codes of the
current and the next 30-second window, for the AWS "Set up device" page.

With --wait, code 2 is printed only once its window has begun, for services
that refuse a code from the future; meanwhile a countdown runs on stderr (a
plain line when stderr is not a terminal). With --json, the codes come as
{"issuer","name","code1","code2","remaining_seconds"}, remaining_seconds being
what is left of the newest code's window; with --wait, once code 2's window
has begun.

With --copy, code 1 goes to the clipboard, then code 2 when you press Enter;
code 2 is cleared from the clipboard after 20 s, or at the next Enter, if it
is still there (as in the interface). --copy needs a terminal to press Enter
on, and does not go with --json.`,
		Example: `  vmfa enroll ~/Desktop/aws-mfa.png
  vmfa enroll --copy --wait ~/Desktop/aws-mfa.png`,
		Args: exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if copyCodes && asJSON {
				return usageError{errors.New("--copy is for a person at a terminal, --json for scripts: use one")}
			}
			if copyCodes && !term.Available() {
				return usageError{errors.New("--copy waits for Enter on the terminal, and there is none: leave out --copy")}
			}
			if cmd.Flags().Changed("clear-after") && !copyCodes {
				return usageError{errors.New("--clear-after goes with --copy")}
			}
			if clearAfter <= 0 || clearAfter > clipboard.ClearAfter {
				return usageError{fmt.Errorf("--clear-after %v: use a duration up to %v", clearAfter, clipboard.ClearAfter)}
			}
			if err := checkPaths(args); err != nil {
				return err
			}
			path := intake.CleanPath(args[0])
			texts, err := readImage(path)
			if err != nil {
				return err
			}
			u, err := intake.QRUnit(path, texts)
			if err != nil {
				return err
			}
			accounts := u.Accounts
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
			// Enrolling again after AWS refused the codes must still work, so
			// the account may be in the vault already.
			var (
				added   []vault.Entry
				skipped []vault.Skipped
			)
			if _, err = v.Update(func(d *vault.Data) (err error) {
				added, skipped, err = d.AddAll(accounts, time.Now(), true)
				return err
			}); err != nil {
				return err
			}
			var e vault.Entry
			if len(added) == 1 {
				e = added[0]
				fmt.Fprintf(cmd.ErrOrStderr(), "Added %s\n", e.Label())
			} else {
				e = skipped[0].Existing
				fmt.Fprintf(cmd.ErrOrStderr(), "%s is already in the vault.\n", e.Label())
			}
			en := enrollment{acc: e.Account, out: cmd.OutOrStdout(), errOut: cmd.ErrOrStderr(), clearAfter: clearAfter,
				handOut: func(at time.Time) error { _, err := v.ClaimCode(e, at, false); return err }}
			switch {
			case asJSON:
				return en.json(wait)
			case copyCodes:
				return en.copy(wait)
			}
			return en.print(wait)
		},
	}
	f := cmd.Flags()
	f.BoolVar(&wait, "wait", false, "print code 2 only when its window begins")
	f.BoolVar(&asJSON, "json", false, `print {"issuer","name","code1","code2","remaining_seconds"}`)
	f.BoolVar(&copyCodes, "copy", false, "copy code 1, then code 2 on Enter (cleared after 20 s)")
	// Only ever shorter than ClearAfter: for tests, which wait for it.
	f.DurationVar(&clearAfter, "clear-after", clipboard.ClearAfter, "how long code 2 stays on the clipboard")
	f.MarkHidden("clear-after")
	return cmd
}

// enrollment shows the two codes of a device being enrolled.
type enrollment struct {
	acc         otp.Account
	out, errOut io.Writer
	clearAfter  time.Duration // how long code 2 stays: clipboard.ClearAfter, shorter in tests
	// handOut records a code as handed out (vault.ClaimCode), so that
	// 'vmfa code --fresh' never gives it again.
	handOut func(at time.Time) error
}

// codes returns code 1 and code 2 as of now, and now, both recorded as
// handed out.
func (en enrollment) codes() (code1, code2 string, now time.Time, err error) {
	now = clock.Now()
	if code1, err = en.acc.Code(now); err != nil {
		return
	}
	if code2, err = en.acc.NextCode(now); err != nil {
		return
	}
	if err = en.handOut(now); err == nil {
		err = en.handOut(now.Add(en.acc.Remaining(now)))
	}
	return
}

func (en enrollment) json(wait bool) error {
	code1, code2, now, err := en.codes()
	if err != nil {
		return err
	}
	if wait {
		now, _ = en.waitForNext(now, nil)
	}
	return writeJSON(en.out, struct {
		Issuer    string `json:"issuer"`
		Name      string `json:"name"`
		Code1     string `json:"code1"`
		Code2     string `json:"code2"`
		Remaining int    `json:"remaining_seconds"`
	}{en.acc.Issuer, en.acc.Name, code1, code2, en.acc.SecondsLeft(now)})
}

func (en enrollment) print(wait bool) error {
	code1, code2, now, err := en.codes()
	if err != nil {
		return err
	}
	fmt.Fprintf(en.out, "MFA code 1: %s\n", code1)
	if wait {
		en.waitForNext(now, nil)
	} else {
		// AWS accepts a code a window or so late, so there is no need to
		// wait, but a user pasting slowly likes to know.
		fmt.Fprintf(en.errOut, "(code 1 is the current window's, %d s left; code 2 is the next one's)\n", en.acc.SecondsLeft(now))
	}
	fmt.Fprintf(en.out, "MFA code 2: %s\n", code2)
	return nil
}

// copy puts code 1 on the clipboard, then code 2 at Enter, then clears code
// 2 by the interface's rule: after clearAfter, if it is still
// there (or at the next Enter, or when vmfa is interrupted, which clears
// code 1 too before code 2 is copied). A copy that fails is reported, and
// the codes are still printed.
func (en enrollment) copy(wait bool) error {
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
	defer signal.Stop(stop)

	code1, code2, now, err := en.codes()
	if err != nil {
		return err
	}
	fmt.Fprintf(en.out, "MFA code 1: %s\n", code1)
	if err := clipboard.Copy(code1); err != nil {
		fmt.Fprintln(en.errOut, "vmfa: code 1 was not copied: "+oneLine(err.Error()))
		if wait {
			if _, ok := en.waitForNext(now, stop); !ok {
				return errSilent
			}
		}
		fmt.Fprintf(en.out, "MFA code 2: %s\n", code2)
		return errSilent
	}
	interrupted := func() error {
		fmt.Fprintln(en.errOut)
		clipboard.ClearIf(code1)
		return errors.New("interrupted; code 1 was cleared from the clipboard")
	}
	fmt.Fprint(en.errOut, "Code 1 copied. Press Enter to copy code 2.")
	enter := enterKeys()
	select {
	case _, ok := <-enter:
		if !ok {
			return interrupted()
		}
	case <-stop:
		return interrupted()
	}
	if wait {
		if _, ok := en.waitForNext(now, stop); !ok {
			return interrupted()
		}
	}
	fmt.Fprintf(en.out, "MFA code 2: %s\n", code2)
	if err := clipboard.Copy(code2); err != nil {
		clipboard.ClearIf(code1)
		fmt.Fprintln(en.errOut, "vmfa: code 2 was not copied: "+oneLine(err.Error()))
		return errSilent
	}
	clipboard.ClearIf(code1) // tmux keeps each copy in a buffer of its own
	fmt.Fprintf(en.errOut, "Code 2 copied; it leaves the clipboard in %d s, or when you press Enter.\n", int(en.clearAfter.Round(time.Second)/time.Second))

	timer := time.NewTimer(en.clearAfter)
	defer timer.Stop()
	select {
	case <-timer.C:
	case <-enter:
	case <-stop:
	}
	cleared, err := clipboard.ClearIf(code2)
	switch {
	case err != nil:
		return fmt.Errorf("clearing code 2 from the clipboard: %w", err)
	case cleared:
		fmt.Fprintln(en.errOut, "Code 2 cleared from the clipboard.")
	default:
		fmt.Fprintln(en.errOut, "The clipboard holds something else now: left alone.")
	}
	return nil
}

// enterKeys reports each Enter pressed on the terminal; it is closed when
// the terminal can no longer be read.
func enterKeys() <-chan struct{} {
	ch := make(chan struct{})
	go func() {
		defer close(ch)
		for {
			if _, err := term.ReadLine(""); err != nil {
				return
			}
			ch <- struct{}{}
		}
	}()
	return ch
}

// waitForNext waits until the window after the one of start begins, with a
// countdown on a terminal's stderr (a plain line elsewhere), and returns the
// time it ended. A signal on stop ends it early, reporting false.
func (en enrollment) waitForNext(start time.Time, stop <-chan os.Signal) (end time.Time, ok bool) {
	onTerminal := false
	if f, ok := en.errOut.(*os.File); ok {
		onTerminal = term.IsTerminal(f)
	}
	if !onTerminal {
		fmt.Fprintf(en.errOut, "Code 2 in %d s, when its window begins.\n", en.acc.SecondsLeft(start))
	}
	now := clock.Now()
	for ; en.acc.Step(now) == en.acc.Step(start); now = clock.Now() {
		if onTerminal {
			fmt.Fprintf(en.errOut, "\rCode 2 in %2ds…", en.acc.SecondsLeft(now))
		}
		select {
		case <-time.After(min(en.acc.Remaining(now), time.Second)):
		case <-stop:
			return now, false
		}
	}
	if onTerminal {
		fmt.Fprint(en.errOut, "\r\033[K")
	}
	return now, true
}
