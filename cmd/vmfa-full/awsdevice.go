package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/vmfa/vmfa/internal/awsmfa"
	"github.com/vmfa/vmfa/internal/awssession"
	"github.com/vmfa/vmfa/internal/enroll"
	"github.com/vmfa/vmfa/internal/shellquote"
	"github.com/vmfa/vmfa/internal/termsafe"
	"github.com/vmfa/vmfa/otp"
	"github.com/vmfa/vmfa/tui"
	"github.com/vmfa/vmfa/vault"
)

// The IAM half of 'vmfa aws': the device itself (enroll, resync, devices).

func (a *app) awsDeviceCmds() []*cobra.Command {
	return []*cobra.Command{a.awsEnrollCmd(), a.awsResyncCmd(), a.awsDevicesCmd()}
}

// openIAMUser opens the IAM user of --profile, which must be given (what
// says which profile it takes).
func openIAMUser(cmd *cobra.Command, profile, what string) (*awsmfa.User, error) {
	if profile == "" {
		return nil, usageError{errors.New("--profile is required: " + what)}
	}
	return awsmfa.Open(commandContext(cmd), profile)
}

func (a *app) awsEnrollCmd() *cobra.Command {
	var profile, name string
	cmd := &cobra.Command{
		Use:   "enroll --profile PROFILE [--name DEVICE]",
		Short: "Create, enable and configure a virtual MFA device through IAM",
		Long: `Enroll a new virtual MFA device for the IAM user whose long-term keys PROFILE
holds, with no console and no QR code:

  1. IAM CreateVirtualMFADevice, named DEVICE (default: the user's name); its
     seed goes straight into the vault as "Amazon Web Services:USER@ACCOUNT",
     as AWS's QR code labels it, and is never shown nor written elsewhere;
  2. code 1 of this window, then code 2 once the next window begins (a
     countdown on a terminal), to IAM EnableMFADevice;
  3. mfa_serial = ARN in PROFILE's section of the AWS config file
     (AWS_CONFIG_FILE, else ~/.aws/config), every other line kept.

If enabling fails, the seed stays in the vault, its note saying the device is
unconfirmed ('vmfa aws devices' shows it): run the same command again to retry
with the same device. The user's policy must allow managing their own MFA
device, as the policy AWS documents for self-service does.`,
		Example: `  vmfa aws enroll --profile base
  vmfa aws enroll --profile base --name alice-laptop`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			u, err := openIAMUser(cmd, profile, "the profile with the IAM user's long-term keys")
			if err != nil {
				return err
			}
			v, err := a.unlockOrCreate()
			if err != nil {
				return err
			}
			en, err := u.Enroll(commandContext(cmd), awsmfa.EnrollRequest{Name: name, Vault: v, Now: a.clock.Now,
				Codes: a.consecutiveCodes(cmd, v), ConfigFile: awsmfa.ConfigFile()})
			if en.Warning != "" {
				a.warn(en.Warning)
			}
			if err != nil {
				return err
			}
			printEnrolled(cmd.OutOrStdout(), profile, en)
			return nil
		},
	}
	cmd.Flags().StringVar(&profile, "profile", "", "the AWS profile with the IAM user's long-term keys (required)")
	cmd.Flags().StringVar(&name, "name", "", "the device's name in IAM (default: the user's name)")
	cmd.RegisterFlagCompletionFunc("profile", completeAllAWSProfiles)
	return cmd
}

func printEnrolled(w io.Writer, profile string, en awsmfa.Enrolled) {
	how := "Created"
	if en.Reused {
		how = "Reused"
	}
	fmt.Fprintf(w, "%s and enabled the MFA device %s; its seed is in the vault as %s.\n", how, termsafe.Escape(en.ARN), termsafe.Escape(en.Entry.Label()))
	switch en.OldSerial {
	case "":
		fmt.Fprintf(w, "Profile %s: mfa_serial = %s\n", termsafe.Escape(profile), termsafe.Escape(en.ARN))
	case en.ARN:
		fmt.Fprintf(w, "Profile %s already had mfa_serial = %s\n", termsafe.Escape(profile), termsafe.Escape(en.ARN))
	default:
		fmt.Fprintf(w, "Profile %s: mfa_serial = %s (was %s)\n", termsafe.Escape(profile), termsafe.Escape(en.ARN), termsafe.Escape(en.OldSerial))
	}
}

func (a *app) awsResyncCmd() *cobra.Command {
	var profile string
	cmd := &cobra.Command{
		Use:   "resync --profile PROFILE",
		Short: "Resynchronise PROFILE's MFA device with IAM",
		Long: `Send IAM ResyncMFADevice two consecutive codes of PROFILE's device (its
mfa_serial), from the vault: code 1 of a window, then code 2 once the next
window begins (a countdown on a terminal). This is the console's "Resync", for
a device AWS refuses codes of although this computer's clock is right
('vmfa time' checks it).`,
		Example: `  vmfa aws resync --profile base`,
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			u, err := openIAMUser(cmd, profile, "the profile with the IAM user's long-term keys and mfa_serial")
			if err != nil {
				return err
			}
			v, err := a.unlock()
			if err != nil {
				return err
			}
			arn, err := u.Resync(commandContext(cmd), v, a.consecutiveCodes(cmd, v))
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "Resynchronised the MFA device %s.\n", termsafe.Escape(arn))
			return nil
		},
	}
	cmd.Flags().StringVar(&profile, "profile", "", "the AWS profile with the IAM user's long-term keys and mfa_serial (required)")
	cmd.RegisterFlagCompletionFunc("profile", completeAWSProfiles)
	return cmd
}

func (a *app) awsDevicesCmd() *cobra.Command {
	var (
		profile string
		asJSON  bool
	)
	cmd := &cobra.Command{
		Use:   "devices --profile PROFILE [--json]",
		Short: "List the IAM user's MFA devices, marking those in this vault",
		Long: `List the MFA devices IAM has enabled for the IAM user whose long-term keys
PROFILE holds (ListMFADevices), each with the vault's account for it, and the
devices the vault holds unconfirmed ('vmfa aws enroll' created them but could
not enable them), one a line: ARN, when enabled, the account or "not in this
vault". With --json, an array of {"serial","enabled","in_vault","account","unconfirmed"}.`,
		Example: `  vmfa aws devices --profile base
  vmfa aws devices --profile base --json`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			u, err := openIAMUser(cmd, profile, "the profile with the IAM user's long-term keys")
			if err != nil {
				return err
			}
			d, err := a.accountsForDevices()
			if err != nil {
				return err
			}
			devices, err := u.Devices(commandContext(cmd), d)
			if err != nil {
				return err
			}
			if asJSON {
				return writeJSON(cmd.OutOrStdout(), append([]awsmfa.Device{}, devices...))
			}
			return printDevices(cmd.OutOrStdout(), devices)
		},
	}
	cmd.Flags().StringVar(&profile, "profile", "", "the AWS profile with the IAM user's long-term keys (required)")
	cmd.Flags().BoolVar(&asJSON, "json", false, `print a JSON array of {"serial","enabled","in_vault","account","unconfirmed"}`)
	cmd.RegisterFlagCompletionFunc("profile", completeAllAWSProfiles)
	return cmd
}

// accountsForDevices is the vault's accounts, or none when there is no
// vault yet: the devices are listed all the same, none in it.
func (a *app) accountsForDevices() (*vault.Data, error) {
	s, err := a.store()
	if err != nil {
		return nil, err
	}
	if exists, err := s.Exists(); err == nil && !exists {
		return &vault.Data{}, nil
	}
	v, err := a.unlock()
	if err != nil {
		return nil, err
	}
	return v.Load()
}

func printDevices(w io.Writer, devices []awsmfa.Device) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, d := range devices {
		enabled := "not enabled"
		if !d.Enabled.IsZero() {
			enabled = "enabled " + d.Enabled.Local().Format(time.DateOnly)
		}
		where := "not in this vault"
		if d.Account != "" {
			where = "vault: " + termsafe.Escape(d.Account)
		}
		if d.Unconfirmed {
			where += " (unconfirmed)"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\n", termsafe.Escape(d.Serial), enabled, where)
	}
	return tw.Flush()
}

// consecutiveCodes gives two consecutive codes of an entry, as 'vmfa enroll
// --wait' does: code 1 of a window no code was handed out of, then code 2
// once the next window has begun, counting down on a terminal's stderr (one
// plain line elsewhere). Both are recorded as handed out.
func (a *app) consecutiveCodes(cmd *cobra.Command, v *vault.Vault) awsmfa.Codes {
	return func(e vault.Entry) (string, string, error) {
		if e.Type != otp.TOTP {
			return "", "", fmt.Errorf("%s is %w", e.Label(), enroll.ErrCounterBased)
		}
		h, err := v.HandOut(e, a.clock.Now(), vault.HandOutOptions{Fresh: true, Next: true})
		if err != nil {
			return "", "", err
		}
		en := enroll.Enrollment{Account: e.Account, Code1: h.Codes[0], Code2: h.Codes[1], At: h.At, Unrecorded: h.Unrecorded}
		s := enroll.Session{ErrOut: cmd.ErrOrStderr(), Clock: enroll.Clock{Now: a.clock.Now},
			Warn: func(err error) { fmt.Fprintln(a.stderr(), "vmfa: "+oneLine(explain(err, a.dir))) }}
		// JSON waits for code 2's window (with the countdown) and prints nothing.
		if _, err := s.JSON(commandContext(cmd), en, true); err != nil {
			return "", "", err
		}
		return en.Code1, en.Code2, nil
	}
}

// tuiAWSProfiles reads the AWS config file's profiles that name an MFA
// device, for the interface to name beside each device, again when the
// file changed.
func tuiAWSProfiles() func() ([]tui.AWSProfile, bool) {
	var w awssession.MFAProfileWatch
	return func() ([]tui.AWSProfile, bool) {
		profiles, changed := w.MFAProfiles()
		var out []tui.AWSProfile
		for _, p := range profiles {
			out = append(out, tui.AWSProfile{Name: p.Name, MFASerial: p.MFASerial})
		}
		return out, changed
	}
}

// commandContext is cmd's context, or the background one.
func commandContext(cmd *cobra.Command) context.Context {
	if ctx := cmd.Context(); ctx != nil {
		return ctx
	}
	return context.Background()
}

// completeAllAWSProfiles offers every profile of the AWS config and
// credentials files: enroll's and devices' profiles have long-term keys,
// and no mfa_serial yet.
func completeAllAWSProfiles(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
	return awsmfa.ProfileNames(), cobra.ShellCompDirectiveNoFileComp
}

// awsDeviceHint says what to do about the errors of enroll, resync and
// devices.
func awsDeviceHint(err error, _ string) (string, bool) {
	var (
		enable *awsmfa.EnableError
		cfg    *awsmfa.ConfigError
	)
	msg := err.Error()
	switch {
	case errors.As(err, &cfg):
		return fmt.Sprintf("%s: add 'mfa_serial = %s' to the profile's section yourself", msg, cfg.ARN), true
	case errors.As(err, &enable):
		first := ""
		switch {
		case errors.Is(err, awsmfa.ErrCodesRejected):
			first = "check the clock with 'vmfa time', then "
		case errors.Is(err, awsmfa.ErrDeviceLimit):
			first = "remove a device the user no longer uses ('vmfa aws devices' lists them), then "
		}
		return fmt.Sprintf("%s: %srun 'vmfa aws enroll --profile %s' again to retry with this device, or remove it: 'aws iam delete-virtual-mfa-device --profile %s --serial-number %s', then 'vmfa rm %s'",
			msg, first, shellquote.Word(enable.Profile), shellquote.Word(enable.Profile), enable.ARN, enable.ARN), true
	case errors.Is(err, awsmfa.ErrDeviceExists):
		return msg + ": give the new device another name with --name, or delete the old one if nothing uses it (aws iam delete-virtual-mfa-device; deactivate-mfa-device first if it is enabled)", true
	case errors.Is(err, awsmfa.ErrDeviceLimit):
		return msg + ": remove one the user no longer uses ('vmfa aws devices' lists them; aws iam deactivate-mfa-device, then delete-virtual-mfa-device)", true
	case errors.Is(err, awsmfa.ErrCodesRejected):
		return msg + ": check the clock with 'vmfa time'; if it is right, the vault's account may not be this device's ('vmfa aws devices' shows which it is)", true
	case errors.Is(err, awsmfa.ErrAccessDenied):
		return msg + ": the IAM user's policy must allow managing their own MFA devices (iam:CreateVirtualMFADevice, EnableMFADevice, ResyncMFADevice, ListMFADevices on their own user), as AWS's self-service policy does", true
	case errors.Is(err, awsmfa.ErrNoSerial):
		return msg + ": enroll a device with 'vmfa aws enroll --profile PROFILE', or add 'mfa_serial = ARN' to it", true
	case errors.Is(err, awsmfa.ErrUnreachable):
		return msg + ": check the network, or the profile's endpoint_url", true
	}
	return "", false
}
