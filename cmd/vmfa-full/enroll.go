package main

import (
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/vmfa/vmfa/internal/clipboard"
	"github.com/vmfa/vmfa/internal/enroll"
	"github.com/vmfa/vmfa/internal/intake"
	"github.com/vmfa/vmfa/internal/term"
	"github.com/vmfa/vmfa/internal/timesync"
	"github.com/vmfa/vmfa/otp"
	"github.com/vmfa/vmfa/vault"
)

func (a *app) enrollCmd() *cobra.Command {
	var f enrollFlags
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
			if err := f.check(cmd.Flags().Changed("clear-after")); err != nil {
				return err
			}
			if err := checkPaths(args); err != nil {
				return err
			}
			acc, err := enrollImage(intake.CleanPath(args[0]))
			if err != nil {
				return err
			}
			v, err := a.unlockOrCreate()
			if err != nil {
				return err
			}
			e, err := addEnrolled(cmd, v, acc)
			if err != nil {
				return err
			}
			en, err := enroll.Claim(v, e, a.clock.Now())
			if err != nil {
				return err
			}
			return f.show(cmd, en, a.clock, v.Store())
		},
	}
	fs := cmd.Flags()
	fs.BoolVar(&f.wait, "wait", false, "print code 2 only when its window begins")
	fs.BoolVar(&f.asJSON, "json", false, `print {"issuer","name","code1","code2","remaining_seconds"}`)
	fs.BoolVar(&f.copy, "copy", false, "copy code 1, then code 2 on Enter (cleared after 20 s)")
	// Only ever shorter than ClearAfter: for tests, which wait for it.
	fs.DurationVar(&f.clearAfter, "clear-after", clipboard.ClearAfter, "how long code 2 stays on the clipboard")
	fs.MarkHidden("clear-after")
	return cmd
}

// enrollImage returns the account to enroll in the image at path.
func enrollImage(path string) (otp.Account, error) {
	texts, err := readImage(path)
	if err != nil {
		return otp.Account{}, err
	}
	u, err := intake.QRUnit(path, texts)
	if err != nil {
		return otp.Account{}, err
	}
	return enroll.One(path, u.Accounts)
}

// addEnrolled adds acc to v, or finds it there (enroll.Add), and says which.
func addEnrolled(cmd *cobra.Command, v *vault.Vault, acc otp.Account) (vault.Entry, error) {
	e, added, err := enroll.Add(v, acc, time.Now())
	switch {
	case err != nil:
		return e, err
	case added:
		fmt.Fprintf(cmd.ErrOrStderr(), "Added %s\n", e.Label())
	default:
		fmt.Fprintf(cmd.ErrOrStderr(), "%s is already in the vault.\n", e.Label())
	}
	return e, nil
}

// enrollFlags are the flags of 'vmfa enroll'.
type enrollFlags struct {
	wait, asJSON, copy bool
	clearAfter         time.Duration
}

// check refuses what can't work, before anything is added or printed.
func (f enrollFlags) check(clearAfterSet bool) error {
	switch {
	case f.copy && f.asJSON:
		return usageError{errors.New("--copy is for a person at a terminal, --json for scripts: use one")}
	case f.copy && !term.Available():
		return usageError{errors.New("--copy waits for Enter on the terminal, and there is none: leave out --copy")}
	case clearAfterSet && !f.copy:
		return usageError{errors.New("--clear-after goes with --copy")}
	case f.clearAfter <= 0 || f.clearAfter > clipboard.ClearAfter:
		return usageError{fmt.Errorf("--clear-after %v: use a duration up to %v", f.clearAfter, clipboard.ClearAfter)}
	}
	return nil
}

// show shows en's codes as the flags say, on cmd's stdout and stderr; a
// code copied is recorded in copies until it is cleared.
func (f enrollFlags) show(cmd *cobra.Command, en enroll.Enrollment, clock *timesync.Clock, copies *vault.Store) error {
	s := enroll.Session{
		Out: cmd.OutOrStdout(), ErrOut: cmd.ErrOrStderr(),
		Clock: enroll.Clock{Now: clock.Now},
		Warn: func(err error) {
			fmt.Fprintln(cmd.ErrOrStderr(), "vmfa: "+oneLine(explain(err, cmd.Flag("dir").Value.String())))
		},
		ClearAfter: f.clearAfter,
		Copies:     copies,
	}
	switch {
	case f.asJSON:
		js, err := s.JSON(cmd.Context(), en, f.wait)
		if err != nil {
			return err
		}
		return writeJSON(cmd.OutOrStdout(), js)
	case f.copy:
		// Interrupted, enroll takes the codes off the clipboard first.
		ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
		defer stop()
		err := s.Copy(ctx, en, f.wait)
		if errors.Is(err, enroll.ErrNotCopied) {
			return errSilent // Warn said why
		}
		return err
	}
	return s.Print(cmd.Context(), en, f.wait)
}
