package main

import (
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/vmfa/vmfa/internal/awssession"
	"github.com/vmfa/vmfa/internal/termsafe"
)

func (a *app) awsSessionsCmd() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "sessions [--json]",
		Short: "List the cached AWS sessions (never a secret)",
		Long: `List the AWS sessions vmfa holds: profile, kind (session: GetSessionToken;
role; role chain), when the credentials expire, and where they are held: on
disk (aws-sessions/ in the vault directory, encrypted to the vault) and in
the agent's memory while it is unlocked. A role's source session is listed
under the source profile. No key, secret or token is shown.`,
		Example: `  vmfa aws sessions
  vmfa aws sessions --json
  vmfa aws sessions clear --profile admin`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			s, err := a.store()
			if err != nil {
				return err
			}
			v, err := a.unlock()
			if err != nil {
				return err
			}
			var memory awssession.Cache
			if c := a.unlockedAgent(s); c != nil {
				memory = c
			}
			held, errs := awssession.List(a.sessionFiles(s, v), memory)
			for _, err := range errs {
				a.warn(err.Error())
			}
			if asJSON {
				if held == nil {
					held = []awssession.Held{}
				}
				return writeJSON(cmd.OutOrStdout(), held)
			}
			return a.writeSessions(cmd, held)
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON: [{profile, kind, expiration, where}]")
	cmd.AddCommand(a.awsSessionsClearCmd())
	return cmd
}

// writeSessions prints held as a table, or says there is none.
func (a *app) writeSessions(cmd *cobra.Command, held []awssession.Held) error {
	if len(held) == 0 {
		fmt.Fprintln(cmd.ErrOrStderr(), "No AWS sessions cached.")
		return nil
	}
	w := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "PROFILE\tKIND\tEXPIRES\tHELD")
	now := a.clock.Now()
	for _, h := range held {
		fmt.Fprintf(w, "%s\t%s\t%s (in %s)\t%s\n", termsafe.Escape(h.Profile), h.Kind,
			h.Expiration.Local().Format("2006-01-02 15:04"), hoursMinutes(h.Expiration.Sub(now)), strings.Join(h.Where, ", "))
	}
	return w.Flush()
}

// hoursMinutes says d to the minute: "11h59m", "12h", "45m".
func hoursMinutes(d time.Duration) string {
	d = d.Round(time.Minute)
	h, m := int(d/time.Hour), int(d%time.Hour/time.Minute)
	switch {
	case h == 0:
		return fmt.Sprintf("%dm", m)
	case m == 0:
		return fmt.Sprintf("%dh", h)
	}
	return fmt.Sprintf("%dh%02dm", h, m)
}

func (a *app) awsSessionsClearCmd() *cobra.Command {
	var profile string
	cmd := &cobra.Command{
		Use:   "clear [--profile PROFILE]",
		Short: "Forget cached AWS sessions, on disk and in the agent",
		Long: `Forget the cached AWS sessions of PROFILE, or all of them: their files in
aws-sessions/ and their copies in the agent. The next command gets a new
session (and a code). Clearing all needs no passphrase.`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			s, err := a.store()
			if err != nil {
				return err
			}
			files := a.sessionFiles(s, nil)
			if profile != "" {
				v, err := a.unlock()
				if err != nil {
					return err
				}
				files = a.sessionFiles(s, v)
			}
			var memory awssession.Forgetter
			if c := a.unlockedAgent(s); c != nil {
				memory = c
			}
			n, err := awssession.Clear(files, memory, profile)
			if err != nil {
				return err
			}
			what := "AWS sessions"
			if n == 1 {
				what = "AWS session"
			}
			if profile != "" {
				what += fmt.Sprintf(" of profile %q", termsafe.Escape(profile))
			}
			fmt.Fprintf(cmd.ErrOrStderr(), "Cleared %d %s.\n", n, what)
			return nil
		},
	}
	cmd.Flags().StringVar(&profile, "profile", "", "forget only this profile's sessions")
	cmd.RegisterFlagCompletionFunc("profile", completeAWSProfiles)
	return cmd
}
