package main

import (
	"fmt"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/vmfa/vmfa/vault"
)

// currentID is how history names the version in use, which restore refuses.
const currentID = "current"

func (a *app) historyCmd() *cobra.Command {
	var (
		asJSON bool
		keep   int
	)
	cmd := &cobra.Command{
		Use:   "history",
		Short: "List the versions of the vault kept in its backups",
		Long: `List the versions of the vault, newest first: the current one, then the
earlier ones every save keeps in backups/ beside vault.age (the last 20, or as
many as --keep sets, from 5 to 1000). Each line gives the version's ID, which
'vmfa restore' takes, when it was saved, how many accounts it holds, and what
changed since the version before it: accounts added, removed, renamed, an
HOTP counter stepped ("Hetzner:alice counter 7 → 9") or otherwise changed,
by label. Secrets are never shown.

With --json: a list of {"id","time","accounts","changes"}, newest first. The
version in use has the id "current". changes is a list of
{"change","label","from","counter"}: "change" is added, removed, renamed,
counter (only the HOTP counter moved) or changed; "from" is only for
renamed; "counter" {"from","to"} only where the counter moved. changes is
null for the oldest version, whose predecessor is gone. A version that can't be read has
an "error" instead.`,
		Example: `  vmfa history
  vmfa restore 20261124T100500.000000Z     # bring that version back
  vmfa history --keep 50                   # keep more versions from now on`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if cmd.Flags().Changed("keep") && (keep < vault.MinGenerations || keep > vault.MaxGenerations) {
				return usageError{fmt.Errorf("--keep %d: keep %d to %d versions", keep, vault.MinGenerations, vault.MaxGenerations)}
			}
			v, err := a.unlock()
			if err != nil {
				return err
			}
			if cmd.Flags().Changed("keep") {
				return setKeep(cmd, v, keep)
			}
			h, err := v.History()
			if err != nil {
				return err
			}
			if asJSON {
				return writeJSON(cmd.OutOrStdout(), historyJSON(h))
			}
			return printHistory(cmd, h)
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, `print a JSON list of {"id","time","accounts","changes"}`)
	cmd.Flags().IntVar(&keep, "keep", vault.DefaultGenerations, "set how many earlier versions the vault keeps (5 to 1000)")
	return cmd
}

// setKeep makes the vault keep its last keep versions (history --keep).
func setKeep(cmd *cobra.Command, v *vault.Vault, keep int) error {
	if _, err := v.Update(func(d *vault.Data) error { d.Generations = keep; return nil }); err != nil {
		return err
	}
	fmt.Fprintf(cmd.ErrOrStderr(), "The vault now keeps its last %d versions.\n", keep)
	return nil
}

// historyJSON is the --json form of a history.
func historyJSON(h []vault.Revision) any {
	type counter struct {
		From uint64 `json:"from"`
		To   uint64 `json:"to"`
	}
	type change struct {
		Change  vault.ChangeKind `json:"change"`
		Label   string           `json:"label"`
		From    string           `json:"from,omitempty"`
		Counter *counter         `json:"counter,omitempty"`
	}
	type version struct {
		ID       string     `json:"id"`
		Time     *time.Time `json:"time"`
		Accounts int        `json:"accounts"`
		Changes  []change   `json:"changes"`
		Error    string     `json:"error,omitempty"`
	}
	out := make([]version, 0, len(h))
	for _, r := range h {
		item := version{ID: r.ID, Accounts: r.Accounts}
		if r.Current() {
			item.ID = currentID
		}
		if !r.Time.IsZero() {
			t := r.Time.UTC()
			item.Time = &t
		}
		if r.Changes != nil {
			item.Changes = []change{}
		}
		for _, c := range r.Changes {
			ch := change{Change: c.Kind, Label: c.Label, From: c.From}
			if c.CounterFrom != c.CounterTo {
				ch.Counter = &counter{c.CounterFrom, c.CounterTo}
			}
			item.Changes = append(item.Changes, ch)
		}
		if r.Err != nil {
			item.Error = r.Err.Error()
		}
		out = append(out, item)
	}
	return out
}

// printHistory prints a history as a table, local times, at most a few
// changes a line.
func printHistory(cmd *cobra.Command, h []vault.Revision) error {
	w := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 0, 2, ' ', 0)
	fmt.Fprintln(w, "ID\tSAVED\tACCOUNTS\tCHANGES")
	for _, r := range h {
		id, saved, accounts := r.ID, "", strconv.Itoa(r.Accounts)
		if r.Current() {
			id = currentID
		}
		if !r.Time.IsZero() {
			saved = r.Time.Local().Format("2006-01-02 15:04:05")
		}
		var changes string
		switch {
		case r.Err != nil:
			accounts, changes = "?", "can't be read: "+r.Err.Error()
		case r.Changes == nil:
			changes = "(the oldest kept)"
		case len(r.Changes) == 0:
			changes = "no account changed"
		default:
			const show = 3
			var cs []string
			for i, c := range r.Changes {
				if i == show {
					cs = append(cs, fmt.Sprintf("and %d more", len(r.Changes)-show))
					break
				}
				cs = append(cs, c.String())
			}
			changes = strings.Join(cs, ", ")
		}
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\n", id, saved, accounts, changes)
	}
	return w.Flush()
}

func (a *app) restoreCmd() *cobra.Command {
	var yes bool
	cmd := &cobra.Command{
		Use:   "restore ID",
		Short: "Make an earlier version of the vault current",
		Long: `Make the version ID, as 'vmfa history' lists it, the vault's current version,
after confirming on the terminal (or with --yes). The beginning of an ID is
enough if it names one version. The version in use is kept as an earlier
version first, so a restore can be undone with another. How many versions
the vault keeps stays as it is.`,
		Example: `  vmfa history
  vmfa restore 20261124T1005`,
		Args:              exactArgs(1),
		ValidArgsFunction: a.completeVersions,
		RunE: func(cmd *cobra.Command, args []string) error {
			v, err := a.unlock()
			if err != nil {
				return err
			}
			s, err := a.store()
			if err != nil {
				return err
			}
			id, err := s.ResolveVersion(args[0])
			if err != nil {
				return err
			}
			if !yes {
				if err := confirmRestore(v, id); err != nil {
					return err
				}
			}
			d, kept, err := v.Restore(id)
			if err != nil {
				return err
			}
			fmt.Fprintln(cmd.ErrOrStderr(), restoredText(id, len(d.Accounts), kept))
			return nil
		},
	}
	cmd.Flags().BoolVarP(&yes, "yes", "y", false, "do not ask for confirmation")
	return cmd
}

// restoredText says that version id, of n accounts, is current again, and
// how to undo that when the version it replaced is kept (as kept).
func restoredText(id string, n int, kept string) string {
	msg := fmt.Sprintf("Restored version %s (%s).", id, plural(n, "account"))
	if kept != "" {
		msg += fmt.Sprintf(" The version it replaced is kept as %s: 'vmfa restore %s' undoes this.", kept, kept)
	}
	return msg
}

// confirmRestore asks on the terminal, saying what the restore changes.
func confirmRestore(v *vault.Vault, id string) error {
	h, err := v.History()
	if err != nil {
		return err
	}
	var target, current vault.Revision
	for _, r := range h {
		switch {
		case r.Current():
			current = r
		case r.ID == id:
			target = r
		}
	}
	if target.Err != nil {
		return target.Err
	}
	now := plural(current.Accounts, "account")
	if current.Err != nil {
		now = "which can't be read"
	}
	return confirm(fmt.Sprintf("Make version %s (saved %s, %s) current? The one in use (%s) is kept.",
		id, target.Time.Local().Format("2006-01-02 15:04:05"), plural(target.Accounts, "account"), now), "not restored")
}

// completeVersions completes the IDs of the versions kept, which needs no
// passphrase: they are file names.
func (a *app) completeVersions(_ *cobra.Command, args []string, _ string) ([]string, cobra.ShellCompDirective) {
	none := cobra.ShellCompDirectiveNoFileComp
	s, err := a.store()
	if len(args) > 0 || err != nil {
		return nil, none
	}
	ids, _ := s.VersionIDs()
	return ids, none
}

func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}
