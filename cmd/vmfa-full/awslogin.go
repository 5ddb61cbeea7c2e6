package main

import (
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/vmfa/vmfa/internal/awssession"
	"github.com/vmfa/vmfa/internal/browser"
	"github.com/vmfa/vmfa/internal/termsafe"
)

// browserTimeout is how long 'vmfa aws login' waits for the browser to
// take the sign-in link.
const browserTimeout = 2 * time.Minute

func (a *app) awsLoginCmd() *cobra.Command {
	var (
		f      awsFlags
		stdout bool
	)
	cmd := &cobra.Command{
		Use:   "login --profile PROFILE [--stdout] [--duration D]",
		Short: "Open the AWS console signed in as a profile",
		Long: `Sign in to the AWS console as PROFILE, through AWS's federation endpoint, and
open it in the browser (` + browser.Opener() + `), or print the sign-in link with --stdout.

A role profile signs in with its MFA-backed role session, the one its other
commands get (cached: no new code while it lasts); --duration is the console
session's length, 15m to 12h (an hour at most for a role chain).

A profile of long-term keys signs in with GetFederationToken, which takes no
MFA code: that console session carries no MFA, and vmfa says so. --duration
is its length, 15m to 36h (default: duration_seconds, else 1h).

The link holds a sign-in token good for 15 minutes. It never goes in a
command line: the browser is handed a one-time link on 127.0.0.1 that
redirects to it once. --stdout prints it, for a browser on another machine.`,
		Example: `  vmfa aws login --profile admin
  vmfa aws login --profile admin --stdout     # over SSH: open it locally`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			p, r, err := a.awsRequest(cmd, f, func(p *awssession.Profile) error {
				if p.Kind != awssession.KindSession && f.duration > 12*time.Hour {
					return usageError{fmt.Errorf("--duration %s: a role's console session lasts 15m to 12h", f.duration)}
				}
				return nil
			})
			if err != nil {
				return err
			}
			// --duration is the console's: the role's session is the one
			// cached for the profile's other commands.
			r.Duration = 0
			console, err := p.Console(cmd.Context(), r, f.duration)
			if err != nil {
				return err
			}
			if !console.MFA {
				a.warn(fmt.Sprintf("AWS profile %q has long-term keys: its console session comes from GetFederationToken, which takes no MFA code, so it carries no MFA; a role profile's does", termsafe.Escape(p.Name)))
			}
			if stdout {
				_, err := fmt.Fprintln(cmd.OutOrStdout(), console.URL)
				return err
			}
			fmt.Fprintf(cmd.ErrOrStderr(), "Opening the AWS console for profile %q in the browser…\n", termsafe.Escape(p.Name))
			return browser.Open(cmd.Context(), console.URL, browserTimeout)
		},
	}
	f.register(cmd)
	cmd.Flags().Lookup("duration").Usage = "console session length (see above)"
	cmd.Flags().BoolVar(&stdout, "stdout", false, "print the sign-in link instead of opening it")
	return cmd
}
