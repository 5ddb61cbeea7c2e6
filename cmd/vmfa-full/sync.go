package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/spf13/cobra"

	"github.com/vmfa/vmfa/internal/gitsync"
	"github.com/vmfa/vmfa/internal/term"
	"github.com/vmfa/vmfa/vault"
)

const syncHelp = `The vault travels through a git repository of yours (a private GitHub or
Gitea repository, a bare repository over SSH, a directory on a USB stick),
by the git program, with your SSH keys and credential helpers. What travels
is encrypted: vault.age, identity.age and recipients/; never the record of
codes handed out, backups, settings or AWS sessions. Every change is
committed locally at once; 'vmfa sync' exchanges them. Copies changed on
both sides are merged account by account, never by git.`

func (a *app) syncCmd() *cobra.Command {
	var (
		asJSON  bool
		timeout time.Duration
	)
	cmd := &cobra.Command{
		Use:   "sync",
		Short: "Exchange the vault's changes with its git remote",
		Long: `Fetch the remote's changes, merge them, commit and push, and say in one line
what moved ("2 changes in, 1 out"). Offline, changes stay committed here and
go out with the next sync. With --json: {"in","out","merged","published"}.

` + syncHelp,
		Example: `  vmfa sync init git@github.com:me/vmfa-vault.git   # once, on each machine
  vmfa sync                                         # then, whenever you like
  vmfa sync status`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			s, err := a.store()
			if err != nil {
				return err
			}
			r := gitsync.Open(s)
			r.Timeout = timeout
			res, err := r.Sync(context.Background(), a.unlock, timeout)
			if err != nil {
				return err
			}
			return printSync(cmd.OutOrStdout(), res, asJSON)
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, `print {"in","out","merged","published"}`)
	timeoutFlag(cmd, &timeout)
	cmd.AddCommand(a.syncInitCmd(), a.syncStatusCmd())
	return cmd
}

func timeoutFlag(cmd *cobra.Command, timeout *time.Duration) {
	cmd.Flags().DurationVar(timeout, "timeout", gitsync.DefaultTimeout, "give up on a remote that does not answer within `DURATION`")
}

func (a *app) syncInitCmd() *cobra.Command {
	var (
		asJSON  bool
		timeout time.Duration
	)
	cmd := &cobra.Command{
		Use:   "init URL",
		Short: "Publish the vault to a git repository, or join the vault one holds",
		Long: `Sync the vault with the git repository at URL (any URL git takes).

On a machine with a vault and an empty repository, publish the vault. On a
machine with no vault, join: the vault comes from the repository, and opens
with the passphrase it has elsewhere, or with --identity KEY where KEY is a
recipient ('vmfa recipients add'); nothing is written until it opens. Where
both hold the same vault, they are merged; where they hold different vaults,
nothing is done.

` + syncHelp,
		Example: `  vmfa sync init git@github.com:me/vmfa-vault.git
  vmfa --identity ~/.ssh/id_ed25519 sync init ssh://git.example.com/team/vault.git`,
		Args: exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			s, err := a.store()
			if err != nil {
				return err
			}
			ctx := context.Background()
			exists, err := s.Exists()
			if err != nil {
				return err
			}
			if !exists {
				if err := gitsync.Join(ctx, s, args[0], timeout, a.openJoined(args[0])); err != nil {
					return err
				}
				fmt.Fprintf(cmd.ErrOrStderr(), "Joined: the vault in %s syncs with %s.\n", s.Dir(), args[0])
				return nil
			}
			r := gitsync.Open(s)
			r.Timeout = timeout
			created, err := r.Init(ctx, args[0])
			if err != nil {
				return err
			}
			res, err := r.Sync(ctx, a.unlock, timeout)
			if err != nil {
				if created {
					r.Remove() // nothing was exchanged: as before
				}
				return err
			}
			return printSync(cmd.OutOrStdout(), res, asJSON)
		},
		ValidArgsFunction: func(_ *cobra.Command, _ []string, _ string) ([]string, cobra.ShellCompDirective) {
			return nil, cobra.ShellCompDirectiveNoFileComp
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, `print {"in","out","merged","published"} (not when joining)`)
	timeoutFlag(cmd, &timeout)
	return cmd
}

// openJoined opens the vault a join fetched, with the key or the
// passphrase: never through the agent, which holds another vault's key if
// any, nor handing the key to it.
func (a *app) openJoined(url string) func(*vault.Store) (*vault.Vault, error) {
	return func(staged *vault.Store) (*vault.Vault, error) {
		u := a.unlocker(staged)
		u.Agent = false
		u.Ask = func(string) (string, error) { return term.ReadSecret("Passphrase of the vault at " + url + ": ") }
		v, _, err := u.Local()
		return v, err
	}
}

func (a *app) syncStatusCmd() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "status",
		Short: "Say where the vault syncs, when it last did, and what waits to go out",
		Long: `Say the remote, when a sync last reached it, what it moved, why the last one
failed if it did, and how many changes wait to go out. It does not use the
network. With --json: {"configured","remote","last_exchange","last_try","error",
"offline","last":{"in","out","merged","published"},"waiting"}; a vault that
does not sync is {"configured":false}, and exits 0 as any other status.`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			s, err := a.store()
			if err != nil {
				return err
			}
			st, err := gitsync.Open(s).Status(context.Background())
			out := cmd.OutOrStdout()
			if errors.Is(err, gitsync.ErrNotSynced) {
				// Not set up is a status, the first one of every vault.
				if asJSON {
					return writeJSON(out, map[string]bool{"configured": false})
				}
				fmt.Fprintln(out, "sync is not set up: 'vmfa sync init URL' publishes the vault to a git repository")
				return nil
			} else if err != nil {
				return err
			}
			if asJSON {
				return writeJSON(out, st)
			}
			fmt.Fprintln(out, "remote: "+oneLine(st.Remote))
			last := "never"
			if !st.LastExchange.IsZero() {
				last = st.LastExchange.Local().Format(time.DateTime) + " (" + movedText(st.Last) + ")"
			}
			fmt.Fprintln(out, "last exchange: "+last)
			if st.Error != "" {
				fmt.Fprintln(out, "last try failed: "+oneLine(st.Error))
			}
			fmt.Fprintf(out, "waiting to go out: %d\n", st.Waiting)
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the status as JSON")
	return cmd
}

func printSync(w io.Writer, res gitsync.Result, asJSON bool) error {
	if asJSON {
		return writeJSON(w, res)
	}
	_, err := fmt.Fprintln(w, movedText(res))
	return err
}

// movedText says in a few words what a sync moved.
func movedText(res gitsync.Result) string {
	msg := "up to date"
	if res.In > 0 || res.Out > 0 {
		msg = fmt.Sprintf("%s in, %d out", plural(res.In, "change"), res.Out)
	}
	if res.Published {
		msg = "published"
	}
	if res.Merged {
		msg += " (both sides had changed: merged)"
	}
	return msg
}
