package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/vmfa/vmfa/internal/agent"
	"github.com/vmfa/vmfa/internal/awssession"
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

  # a role that requires MFA
  [profile admin]
  role_arn = arn:aws:iam::123456789012:role/admin
  source_profile = base
  mfa_serial = arn:aws:iam::123456789012:mfa/alice

  # for every AWS tool, base's MFA session
  [profile dev]
  credential_process = vmfa aws credentials --profile base

The code comes from the vault's account for mfa_serial. Sessions are cached,
encrypted to the vault, in its aws-sessions directory until 5 minutes before
they expire.`

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
for a profile with role_arn and source_profile.

` + awsConfigSnippet,
		Args: noArgs,
	}
	cmd.AddCommand(a.awsCredentialsCmd(), a.awsExecCmd(), a.awsEnvCmd())
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
			if err := noSecretsOnTerminal("this is for a profile's credential_process, or a pipe"); err != nil {
				return err
			}
			c, err := a.awsSession(cmd.Context(), f)
			if err != nil {
				return err
			}
			return writeJSON(cmd.OutOrStdout(), struct {
				Version         int
				AccessKeyID     string `json:"AccessKeyId"`
				SecretAccessKey string
				SessionToken    string
				Expiration      string
			}{1, c.AccessKeyID, c.SecretAccessKey, c.SessionToken, c.Expiration.UTC().Format(time.RFC3339)})
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
			path, status, err := lookCommand(args[0])
			if err != nil {
				fmt.Fprintln(os.Stderr, "vmfa: "+oneLine(err.Error()))
				os.Exit(status)
			}
			c, err := a.awsSession(cmd.Context(), f)
			if err != nil {
				return err
			}
			os.Exit(runWithSession(args[0], path, args[1:], sessionEnv(os.Environ(), f.profile, c)))
			return nil
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
			if shell != "sh" && shell != "fish" {
				return usageError{fmt.Errorf("--shell %q: use sh or fish", otp.Shorten(shell, 32))}
			}
			if err := noSecretsOnTerminal(`eval "$(vmfa aws env --profile PROFILE)"`); err != nil {
				return err
			}
			c, err := a.awsSession(cmd.Context(), f)
			if err != nil {
				return err
			}
			return writeShellEnv(cmd.OutOrStdout(), shell, sessionVars(f.profile, c))
		},
	}
	f.register(cmd)
	cmd.Flags().StringVar(&shell, "shell", "sh", "sh (POSIX: sh, bash, zsh) or fish")
	return cmd
}

// awsSession loads the profile, then unlocks the vault: a profile that
// cannot work is said before a passphrase is asked for.
func (a *app) awsSession(ctx context.Context, f awsFlags) (awssession.Credentials, error) {
	if f.profile == "" {
		return awssession.Credentials{}, usageError{errors.New("--profile is required: the AWS profile to get a session for")}
	}
	if f.duration != 0 && (f.duration < 15*time.Minute || f.duration > 36*time.Hour || f.duration%time.Second != 0) {
		return awssession.Credentials{}, usageError{fmt.Errorf("--duration %s: STS gives sessions of 15m to 36h, in whole seconds", f.duration)}
	}
	if ctx == nil {
		ctx = context.Background()
	}
	p, err := awssession.Load(ctx, f.profile)
	if err != nil {
		return awssession.Credentials{}, credentialProcessHint(err)
	}
	s, err := a.store()
	if err != nil {
		return awssession.Credentials{}, err
	}
	v, err := a.unlock()
	if err != nil {
		return awssession.Credentials{}, err
	}
	// The STS calls' time starts once the passphrase and the code are in.
	return p.Session(ctx, awssession.Request{
		Duration: f.duration,
		Refresh:  f.refresh,
		Codes:    freshCode(v),
		Cache:    a.sessionCache(s, v),
		Now:      clock.Now,
		Warn:     warn,
		Timeout:  awsTimeout,
	})
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

// sessionCache is where AWS sessions are kept: in the agent while it is
// unlocked (in memory, forgotten when it locks), else in aws-sessions/,
// encrypted to the vault.
func (a *app) sessionCache(s *vault.Store, v *vault.Vault) awssession.Cache {
	if a.agentEnabled() {
		if c, err := agent.NewClient(s.Dir()); err == nil {
			if st, err := c.Status(); err == nil && !st.Locked {
				return c
			}
		}
	}
	return &awssession.FileCache{
		Dir:       filepath.Join(s.Dir(), "aws-sessions"),
		Recipient: v.Recipient(),
		Decrypter: v,
		Now:       clock.Now,
	}
}

// freshCode takes the code of the vault's account for an MFA device's ARN
// as 'vmfa code --fresh ARN' does: STS refuses a code it has seen, so one
// vmfa handed out already means waiting for the first window whose code was
// not. An HOTP counter is spent and saved first.
func freshCode(v *vault.Vault) awssession.CodeSource {
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
		c, err := handOut(v, e, clock.Now(), vault.HandOutOptions{Fresh: true}, os.Stderr)
		return c.Code, err
	}
}

// sessionVars are the variables a session sets, in the order printed.
func sessionVars(profile string, c awssession.Credentials) [][2]string {
	vars := [][2]string{
		{"AWS_ACCESS_KEY_ID", c.AccessKeyID},
		{"AWS_SECRET_ACCESS_KEY", c.SecretAccessKey},
		{"AWS_SESSION_TOKEN", c.SessionToken},
		{"AWS_CREDENTIAL_EXPIRATION", c.Expiration.UTC().Format(time.RFC3339)},
	}
	if c.Region != "" {
		vars = append(vars, [2]string{"AWS_REGION", c.Region}, [2]string{"AWS_DEFAULT_REGION", c.Region})
	}
	return append(vars, [2]string{"VMFA_AWS_PROFILE", profile})
}

// unsetForSession are the variables that would make a tool prefer
// something else to the session: a profile, or an old session's parts.
var unsetForSession = []string{"AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SECURITY_TOKEN",
	"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_CREDENTIAL_EXPIRATION",
	"AWS_REGION", "AWS_DEFAULT_REGION", "VMFA_AWS_PROFILE"}

// sessionEnv is environ with the session's variables set and those that
// conflict with them removed. The passphrase variables are already gone:
// passphrase.TakeEnv removed them from vmfa's own environment.
func sessionEnv(environ []string, profile string, c awssession.Credentials) []string {
	var env []string
	for _, kv := range environ {
		k, _, _ := strings.Cut(kv, "=")
		if !slices.Contains(unsetForSession, k) {
			env = append(env, kv)
		}
	}
	for _, v := range sessionVars(profile, c) {
		env = append(env, v[0]+"="+v[1])
	}
	return env
}

// The exit statuses of a command that did not run, as shells and env(1)
// give them.
const (
	exitCannotRun = 126 // found, but not executable
	exitNotFound  = 127
)

// lookCommand finds the program name runs, as a shell would: in $PATH
// unless name holds a slash. When it cannot, it returns the status a shell
// exits with and the error to print, naming the command.
func lookCommand(name string) (path string, status int, err error) {
	path, err = exec.LookPath(name)
	if err == nil {
		return path, exitOK, nil
	}
	shown := otp.Shorten(name, 64)
	if strings.Contains(name, "/") {
		fi, serr := os.Stat(name)
		switch {
		case serr != nil:
			return "", exitNotFound, fmt.Errorf("%s: no such file", shown)
		case fi.IsDir():
			return "", exitCannotRun, fmt.Errorf("%s: is a directory, not a command", shown)
		}
		return "", exitCannotRun, fmt.Errorf("%s: not executable ('chmod +x %s' makes it so)", shown, shown)
	}
	if errors.Is(err, exec.ErrDot) {
		return "", exitNotFound, fmt.Errorf("%s: command not found, but for one in the current directory, which vmfa does not run from $PATH: ./%s runs it", shown, shown)
	}
	// A shell that finds a file of that name in $PATH, but no executable
	// one, says so rather than that there is none.
	for _, dir := range filepath.SplitList(os.Getenv("PATH")) {
		if dir == "" {
			continue
		}
		p := filepath.Join(dir, name)
		if fi, err := os.Stat(p); err == nil && fi.Mode().IsRegular() {
			return "", exitCannotRun, fmt.Errorf("%s: %s is not executable", shown, otp.Shorten(p, 128))
		}
	}
	return "", exitNotFound, fmt.Errorf("%s: command not found", shown)
}

// runWithSession runs path (found for name) with args and env and returns
// its exit status: 128+N when signal N ended it, as shells report, and 126
// or 127 when it could not be started. A supervisor's SIGTERM or SIGHUP,
// sent to vmfa alone, is passed on. Ctrl-C is not: the terminal sends
// SIGINT to the child as well, and a second one would make tools such as
// Terraform abandon a graceful stop.
func runWithSession(name, path string, args, env []string) int {
	child := exec.Command(path, args...)
	child.Env = env
	child.Stdin, child.Stdout, child.Stderr = os.Stdin, os.Stdout, os.Stderr
	if err := child.Start(); err != nil {
		// The file can change after lookCommand, or name an interpreter
		// (#!) that is missing, or be in no format the system runs.
		status, why := exitCannotRun, err.Error()
		var errno syscall.Errno
		if errors.As(err, &errno) {
			why = errno.Error()
			if errno == syscall.ENOENT {
				status, why = exitNotFound, "it, or the interpreter its #! line names, is not found"
			}
		}
		fmt.Fprintln(os.Stderr, "vmfa: "+oneLine(otp.Shorten(name, 64)+": cannot run it: "+why))
		return status
	}
	// Caught, not ignored: an ignored signal stays ignored in the child.
	signals := make(chan os.Signal, 4)
	signal.Notify(signals, os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
	go func() {
		for s := range signals {
			if s != os.Interrupt {
				child.Process.Signal(s)
			}
		}
	}()
	err := child.Wait()
	signal.Stop(signals)
	close(signals)
	if err == nil {
		return exitOK
	}
	var exit *exec.ExitError
	if !errors.As(err, &exit) {
		fmt.Fprintln(os.Stderr, "vmfa: "+oneLine(err.Error()))
		return exitError
	}
	if ws, ok := exit.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		return 128 + int(ws.Signal())
	}
	return exit.ExitCode()
}

// writeShellEnv prints vars as commands for shell ("sh" or "fish"), each
// value single-quoted so that eval takes it as it is.
func writeShellEnv(w io.Writer, shell string, vars [][2]string) error {
	var b strings.Builder
	for _, k := range []string{"AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SECURITY_TOKEN"} {
		if shell == "fish" {
			fmt.Fprintf(&b, "set -e %s;\n", k)
		} else {
			fmt.Fprintf(&b, "unset %s\n", k)
		}
	}
	for _, v := range vars {
		if shell == "fish" {
			fmt.Fprintf(&b, "set -gx %s %s;\n", v[0], fishQuote(v[1]))
		} else {
			fmt.Fprintf(&b, "export %s=%s\n", v[0], shQuote(v[1]))
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// shQuote single-quotes s for a POSIX shell, where a quote inside is ended,
// escaped with a backslash and begun again.
func shQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// fishQuote single-quotes s for fish, where \ and ' are escaped inside.
func fishQuote(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(s) + "'"
}
