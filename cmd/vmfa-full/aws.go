package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/vmfa/vmfa/internal/agent"
	"github.com/vmfa/vmfa/internal/awssession"
	"github.com/vmfa/vmfa/internal/shellexec"
	"github.com/vmfa/vmfa/otp"
	"github.com/vmfa/vmfa/vault"
)

// awsTimeout bounds the STS calls of one command, retries included, and
// the wait for another vmfa fetching the same session; not the wait for a
// fresh code.
const awsTimeout = 60 * time.Second

const awsConfigSnippet = `In ~/.aws/config, a profile whose keys are long-term and whose device is in
the vault (enrolled with 'vmfa enroll'):

  [profile base]
  mfa_serial = arn:aws:iam::123456789012:mfa/alice
  # aws_access_key_id and aws_secret_access_key in ~/.aws/credentials

  # a role that requires MFA: base's MFA session assumes it, no new code
  [profile admin]
  role_arn = arn:aws:iam::123456789012:role/admin
  source_profile = base
  mfa_serial = arn:aws:iam::123456789012:mfa/alice

  # for every AWS tool, base's MFA session
  [profile dev]
  credential_process = vmfa aws credentials --profile base

The code comes from the vault's account for mfa_serial: one code serves every
role of a device (a role asked for over an hour takes its own). A role whose
source_profile is a role is a chain: an hour at most, as AWS allows. Sessions
are cached until 5 minutes before they expire, encrypted to the vault in its
aws-sessions directory, and in the agent while it is unlocked ('vmfa aws
sessions' lists them).`

// awsFlags are the flags every aws command takes.
type awsFlags struct {
	profile  string
	duration time.Duration
	refresh  bool
}

func (f *awsFlags) register(cmd *cobra.Command) {
	cmd.Flags().StringVar(&f.profile, "profile", "", "the AWS profile to get a session for (required)")
	cmd.Flags().DurationVar(&f.duration, "duration", 0, "session length, 15m to 36h (default: the profile's duration_seconds, else STS's)")
	cmd.Flags().BoolVar(&f.refresh, "refresh", false, "get a new session even if one is cached")
	cmd.RegisterFlagCompletionFunc("profile", completeAWSProfiles)
}

// completeAWSProfiles offers the profiles of the AWS config file that name
// an MFA device, themselves or through their source_profile, described by
// the device: those 'vmfa aws' serves. Credentials are never read.
func completeAWSProfiles(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
	var names []string
	for _, p := range awssession.MFAProfiles() {
		names = append(names, p.Name+"\t"+p.MFASerial)
	}
	return names, cobra.ShellCompDirectiveNoFileComp
}

func (a *app) awsCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "aws",
		Short: "MFA-protected AWS sessions, with the code from the vault",
		Long: `Get temporary AWS credentials for a profile that names an MFA device, with no
code typed: STS GetSessionToken for a profile with long-term keys, AssumeRole
for a profile with role_arn and source_profile; sign in to the console.

` + awsConfigSnippet,
		Args: noArgs,
	}
	cmd.AddCommand(a.awsCredentialsCmd(), a.awsExecCmd(), a.awsEnvCmd(), a.awsSessionsCmd(), a.awsLoginCmd())
	cmd.AddCommand(a.awsDeviceCmds()...)
	return cmd
}

func (a *app) awsCredentialsCmd() *cobra.Command {
	var f awsFlags
	cmd := &cobra.Command{
		Use:   "credentials --profile PROFILE",
		Short: "Print a session as credential_process JSON",
		Long: `Print an MFA session for PROFILE as the JSON an AWS profile's credential_process
reads: {"Version":1,"AccessKeyId","SecretAccessKey","SessionToken","Expiration"}.
The AWS CLI, every SDK, Terraform and kubectl's AWS authentication use it.

` + awsConfigSnippet,
		Example: `  vmfa aws credentials --profile base
  aws --profile dev s3 ls          # dev: credential_process = vmfa aws credentials --profile base`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := noSecretsOnTerminal(cmd, "this is for a profile's credential_process, or a pipe"); err != nil {
				return err
			}
			c, err := a.awsSession(cmd, f)
			if err != nil {
				return err
			}
			return writeJSON(cmd.OutOrStdout(), c.ForProcess())
		},
	}
	f.register(cmd)
	return cmd
}

func (a *app) awsExecCmd() *cobra.Command {
	var f awsFlags
	cmd := &cobra.Command{
		Use:   "exec --profile PROFILE [--] COMMAND [ARG...]",
		Short: "Run a command with a session in its environment",
		Long: `Run COMMAND with an MFA session for PROFILE in AWS_ACCESS_KEY_ID,
AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN, the profile's region in AWS_REGION
and AWS_DEFAULT_REGION, and VMFA_AWS_PROFILE naming the profile, as aws-vault's
exec does. AWS_PROFILE and AWS_DEFAULT_PROFILE are removed, so that no tool
prefers a profile to the session.

vmfa exits with the command's status, or 128+N when signal N ended it. As
shells and env(1) do, it exits 127 when COMMAND is not found and 126 when it
is found but cannot be run (not executable, a directory), with one line
naming it.

` + awsConfigSnippet,
		Example: `  vmfa aws exec --profile admin -- terraform plan
  vmfa aws exec --profile base -- aws sts get-caller-identity`,
		Args: minArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			// Before the session: a command that cannot run costs no code.
			path, err := shellexec.Look(args[0])
			if err != nil {
				return err
			}
			c, err := a.awsSession(cmd, f)
			if err != nil {
				return err
			}
			// No passphrase variable is left to pass on: passphrase.TakeEnv
			// removed them from vmfa's environment.
			return exitWith(shellexec.Run(shellexec.Command{
				Name: args[0], Path: path, Args: args[1:],
				Env:   c.Environ(os.Environ(), f.profile),
				Stdin: cmd.InOrStdin(), Stdout: cmd.OutOrStdout(), Stderr: cmd.ErrOrStderr(),
			}))
		},
	}
	f.register(cmd)
	cmd.Flags().SetInterspersed(false)
	return cmd
}

func (a *app) awsEnvCmd() *cobra.Command {
	var (
		f     awsFlags
		shell string
	)
	cmd := &cobra.Command{
		Use:   "env --profile PROFILE [--shell sh|fish]",
		Short: "Print a session as shell exports for eval",
		Long: `Print an MFA session for PROFILE as shell commands that export
AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN and the region, and
unset AWS_PROFILE, for eval: POSIX shells (sh, bash, zsh) or fish.

` + awsConfigSnippet,
		Example: `  eval "$(vmfa aws env --profile base)"
  vmfa aws env --profile base --shell fish | source`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if !slices.Contains(awssession.Shells, shell) {
				return usageError{fmt.Errorf("--shell %q: use %s", otp.Shorten(shell, 32), strings.Join(awssession.Shells, " or "))}
			}
			if err := noSecretsOnTerminal(cmd, `eval "$(vmfa aws env --profile PROFILE)"`); err != nil {
				return err
			}
			c, err := a.awsSession(cmd, f)
			if err != nil {
				return err
			}
			return awssession.WriteShellEnv(cmd.OutOrStdout(), shell, c.EnvVars(f.profile))
		},
	}
	f.register(cmd)
	cmd.Flags().StringVar(&shell, "shell", "sh", "sh (POSIX: sh, bash, zsh) or fish")
	return cmd
}

// awsSession gets the session of f's profile.
func (a *app) awsSession(cmd *cobra.Command, f awsFlags) (awssession.Credentials, error) {
	p, r, err := a.awsRequest(cmd, f, nil)
	if err != nil {
		return awssession.Credentials{}, err
	}
	return p.Session(cmd.Context(), r)
}

// awsRequest loads the profile, then unlocks the vault: a profile that
// cannot work is said before a passphrase is asked for, as is check's
// error for it (if check is not nil).
func (a *app) awsRequest(cmd *cobra.Command, f awsFlags, check func(*awssession.Profile) error) (*awssession.Profile, awssession.Request, error) {
	if f.profile == "" {
		return nil, awssession.Request{}, usageError{errors.New("--profile is required: the AWS profile to get a session for")}
	}
	if f.duration != 0 && (f.duration < awssession.MinDuration || f.duration > awssession.MaxDuration || f.duration%time.Second != 0) {
		return nil, awssession.Request{}, usageError{fmt.Errorf("--duration %s: STS gives sessions of 15m to 36h, in whole seconds", f.duration)}
	}
	if cmd.Context() == nil {
		cmd.SetContext(context.Background())
	}
	p, err := awssession.Load(cmd.Context(), f.profile)
	if err != nil {
		return nil, awssession.Request{}, credentialProcessHint(err)
	}
	if check != nil {
		if err := check(p); err != nil {
			return nil, awssession.Request{}, err
		}
	}
	s, err := a.store()
	if err != nil {
		return nil, awssession.Request{}, err
	}
	v, err := a.unlock()
	if err != nil {
		return nil, awssession.Request{}, err
	}
	// The STS calls' time starts once the passphrase and the code are in.
	return p, awssession.Request{
		Duration: f.duration,
		Refresh:  f.refresh,
		Codes:    a.freshCode(v, cmd.ErrOrStderr()),
		Cache:    a.sessionCache(s, v),
		Now:      a.clock.Now,
		Warn:     a.warn,
		Timeout:  awsTimeout,
	}, nil
}

// credentialProcessHint adds to the error for a profile whose credentials
// come from its credential_process which profile to ask for instead.
func credentialProcessHint(err error) error {
	var cp *awssession.CredentialProcessError
	switch {
	case !errors.As(err, &cp):
		return err
	case cp.ByVMFA && cp.Source != "":
		return fmt.Errorf("%w: give that one to --profile here; AWS tools given profile %q get its session from vmfa as it is", err, cp.Profile)
	case cp.ByVMFA:
		return fmt.Errorf("%w, naming no profile: give it --profile and the profile with the MFA device", err)
	}
	return fmt.Errorf("%w: vmfa serves a profile with mfa_serial and long-term keys, or a role whose source_profile has them", err)
}

// sessionCache is where AWS sessions are kept: in aws-sessions/,
// encrypted to the vault, and, while the agent is unlocked, in its memory
// too, in front.
func (a *app) sessionCache(s *vault.Store, v *vault.Vault) awssession.Cache {
	disk := a.sessionFiles(s, v)
	if c := a.unlockedAgent(s); c != nil {
		return &awssession.Tiered{Memory: c, Disk: disk}
	}
	return disk
}

// sessionFiles is the aws-sessions/ cache; v nil for one that is only
// listed and removed, never opened.
func (a *app) sessionFiles(s *vault.Store, v *vault.Vault) *awssession.FileCache {
	c := &awssession.FileCache{Dir: filepath.Join(s.Dir(), "aws-sessions"), Now: a.clock.Now}
	if v != nil {
		c.Recipient, c.Decrypter = v.Recipient(), v
	}
	return c
}

// unlockedAgent is the client of the vault's agent if it runs unlocked,
// else nil.
func (a *app) unlockedAgent(s *vault.Store) *agent.Client {
	if !a.agentEnabled() {
		return nil
	}
	c, err := agent.NewClient(s.Dir())
	if err != nil {
		return nil
	}
	if st, err := c.Status(); err != nil || st.Locked {
		return nil
	}
	return c
}

// freshCode takes the code of the vault's account for an MFA device's ARN
// as 'vmfa code --fresh ARN' does: STS refuses a code it has seen, so one
// vmfa handed out already means waiting for the first window whose code was
// not. An HOTP counter is spent and saved first.
func (a *app) freshCode(v *vault.Vault, errOut io.Writer) awssession.CodeSource {
	return func(serial string) (string, error) {
		d, err := v.Load()
		if err != nil {
			return "", err
		}
		e, err := d.Find(serial)
		var amb *vault.AmbiguousError
		switch {
		case errors.As(err, &amb):
			return "", fmt.Errorf("%d accounts match the MFA device %s (%s): rename the right one to the device's name with 'vmfa rename'", len(amb.Matches), serial, quoteLabels(amb.Matches))
		case errors.Is(err, vault.ErrNotFound):
			return "", fmt.Errorf("no account in the vault for the MFA device %s: add its QR code with 'vmfa add QR.png' ('vmfa enroll QR.png' for a device AWS is still setting up), or put the account ID in its account's name with 'vmfa rename'", serial)
		case err != nil:
			return "", err
		}
		c, err := handOut(v, e, a.clock.Now(), vault.HandOutOptions{Fresh: true}, errOut)
		return c.Code, err
	}
}
