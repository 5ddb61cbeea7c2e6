package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/vmfa/vmfa/otp"
	"github.com/vmfa/vmfa/vault"
)

func (a *app) initCmd() *cobra.Command {
	var workFactor int
	cmd := &cobra.Command{
		Use:   "init",
		Short: "Create a new vault",
		Long: `Create a new, empty vault protected by a passphrase. It refuses to touch an
existing vault. The scrypt work factor sets the cost of every unlock: 18 takes
about half a second.`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := checkWorkFactor(workFactor); err != nil {
				return err
			}
			s, err := a.store()
			if err != nil {
				return err
			}
			if exists, err := s.Exists(); err != nil {
				return err
			} else if exists {
				return fmt.Errorf("%w in %s; nothing was changed", vault.ErrExists, s.Dir())
			}
			v, err := a.create(s, workFactor)
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.ErrOrStderr(), "Created a vault in %s (age recipient %s).\n", s.Dir(), v.Recipient())
			return nil
		},
	}
	cmd.Flags().IntVar(&workFactor, "work-factor", vault.DefaultWorkFactor, "scrypt work factor of the passphrase (log2 of N)")
	return cmd
}

func (a *app) passwdCmd() *cobra.Command {
	var workFactor int
	cmd := &cobra.Command{
		Use:   "passwd",
		Short: "Change the vault's passphrase",
		Long: `Change the passphrase. Only identity.age is rewritten; the accounts are not
re-encrypted. The new passphrase comes from VMFA_NEW_PASSPHRASE or is asked
twice on the terminal.`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := checkWorkFactor(workFactor); err != nil {
				return err
			}
			v, err := a.unlock()
			if err != nil {
				return err
			}
			pass, ok := os.LookupEnv("VMFA_NEW_PASSPHRASE")
			if !ok {
				if pass, err = newPassphrase("New passphrase: "); errors.Is(err, errNoTTY) {
					return fmt.Errorf("%w: set VMFA_NEW_PASSPHRASE", err)
				} else if err != nil {
					return err
				}
			}
			if _, err := withSpinner("Changing the passphrase", func() (struct{}, error) {
				return struct{}{}, v.ChangePassphrase(pass, workFactor)
			}); err != nil {
				return err
			}
			s, err := a.store()
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.ErrOrStderr(), "Passphrase changed. The backup %s still opens with the old one: delete it if that leaked.\n",
				filepath.Join(s.Dir(), "identity.age.bak"))
			return nil
		},
	}
	cmd.Flags().IntVar(&workFactor, "work-factor", vault.DefaultWorkFactor, "scrypt work factor of the new passphrase")
	return cmd
}

func (a *app) addCmd() *cobra.Command {
	var (
		fromURI, manual, paste bool
		skipExisting           bool
		preset                 otp.Account
		algorithm              string
	)
	cmd := &cobra.Command{
		Use:   "add [IMAGE...]",
		Short: "Add accounts from QR images, otpauth URIs or a typed secret",
		Long: `Add accounts to the vault, creating the vault first if there is none.

  vmfa add IMAGE...   decode every QR code in the images (PNG, JPEG, GIF, WebP,
                      BMP, TIFF): otpauth:// codes and Google Authenticator
                      exports, whose parts may come in any order
  vmfa add --paste    the same, with the image on the clipboard
  vmfa add --uri      otpauth:// or otpauth-migration:// URIs on stdin, one a line
  vmfa add --manual   type the issuer, account name and secret (not echoed)

Each image, or all of stdin, is added whole or not at all: an account already
in the vault (the same secret) refuses the lot, unless --skip-existing, which
adds the others, as when importing a newer export. Secrets are never printed.`,
		Example: `  vmfa add ~/Desktop/Screenshot\ 2026-11-24.png
  pbpaste | vmfa add --uri
  vmfa add --manual --issuer GitHub --name alice`,
		RunE: func(cmd *cobra.Command, args []string) error {
			modes := 0
			for _, on := range []bool{fromURI, manual, paste, len(args) > 0} {
				if on {
					modes++
				}
			}
			if modes != 1 {
				return usageError{errors.New("give IMAGE files, --paste, --uri or --manual (exactly one)")}
			}
			a.skipExisting = skipExisting
			switch {
			case fromURI:
				accounts, err := readURIs(cmd.InOrStdin())
				if err != nil {
					return err
				}
				return a.addAll(cmd, "stdin", accounts)
			case manual:
				acc, err := readManual(preset, algorithm)
				if err != nil {
					return err
				}
				return a.addAll(cmd, "manual entry", []otp.Account{acc})
			case paste:
				return a.addPaste(cmd)
			}
			return a.addImages(cmd, args)
		},
	}
	f := cmd.Flags()
	f.BoolVar(&fromURI, "uri", false, "read otpauth:// URIs from stdin, one a line")
	f.BoolVar(&manual, "manual", false, "type the secret instead of scanning a QR code")
	f.BoolVar(&paste, "paste", false, "read the QR image from the clipboard")
	f.BoolVar(&skipExisting, "skip-existing", false, "skip accounts already in the vault instead of refusing")
	f.StringVar(&preset.Issuer, "issuer", "", "issuer, with --manual")
	f.StringVar(&preset.Name, "name", "", "account name, with --manual")
	f.IntVar(&preset.Digits, "digits", otp.DefaultDigits, "code length, with --manual")
	f.IntVar(&preset.Period, "period", otp.DefaultPeriod, "seconds per code, with --manual")
	f.StringVar(&algorithm, "algorithm", "SHA1", "SHA1, SHA256 or SHA512, with --manual")
	return cmd
}

// readURIs reads one URI a line; blank lines and # comments are skipped, as
// in exported lists. Any bad line fails the whole input.
func readURIs(r io.Reader) ([]otp.Account, error) {
	var c otp.Collector
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 4*1024*1024)
	n := 0
	for sc.Scan() {
		n++
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if err := c.Add(line); err != nil {
			return nil, fmt.Errorf("line %d: %w; nothing was added", n, err)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("reading stdin: %w", err)
	}
	accounts, err := c.Accounts()
	if err != nil {
		return nil, err
	}
	if len(accounts) == 0 {
		return nil, errors.New("no otpauth:// URI on stdin")
	}
	return accounts, nil
}

// readManual completes preset with prompts; the secret is read without echo
// from the terminal, or from stdin when there is none.
func readManual(preset otp.Account, algorithm string) (otp.Account, error) {
	acc := preset
	var err error
	if acc.Algorithm, err = otp.ParseAlgorithm(algorithm); err != nil {
		return acc, usageError{err}
	}
	if acc.Digits <= 0 || acc.Period <= 0 {
		return acc, usageError{errors.New("--digits and --period must be positive")}
	}
	if acc.Issuer == "" {
		if acc.Issuer, err = readLine("Issuer (e.g. Amazon Web Services): "); err != nil {
			return acc, fmt.Errorf("%w: pass --issuer and --name", err)
		}
	}
	if acc.Name == "" {
		if acc.Name, err = readLine("Account name: "); err != nil {
			return acc, fmt.Errorf("%w: pass --issuer and --name", err)
		}
	}
	if acc.Secret, err = readSecret("Secret key (not shown): "); errors.Is(err, errNoTTY) {
		// No terminal: the secret may come on stdin, never in arguments.
		line, rerr := bufio.NewReader(os.Stdin).ReadString('\n')
		if rerr != nil && line == "" {
			return acc, fmt.Errorf("%w: pipe the secret on stdin", err)
		}
		acc.Secret = line
	} else if err != nil {
		return acc, err
	}
	acc.Type = otp.TOTP
	if err := acc.Normalize(); err != nil {
		return acc, err
	}
	return acc, nil
}

// addAll adds accounts in one transaction, creating the vault if needed.
func (a *app) addAll(cmd *cobra.Command, source string, accounts []otp.Account) error {
	v, err := a.unlockOrCreate()
	if err != nil {
		return err
	}
	return a.addUnit(cmd, v, unit{source, accounts})
}

// addUnit adds the accounts of u in one transaction and names each one
// added, or skipped with --skip-existing.
func (a *app) addUnit(cmd *cobra.Command, v *vault.Vault, u unit) error {
	var added, skipped []string
	_, err := v.Update(func(d *vault.Data) error {
		added, skipped = added[:0], skipped[:0]
		for _, acc := range u.accounts {
			e, err := d.Add(acc, time.Now())
			var dup *vault.DuplicateError
			switch {
			case errors.As(err, &dup) && a.skipExisting:
				skipped = append(skipped, acc.Label()+" (already in the vault as "+dup.Existing.Label()+")")
			case err != nil:
				return fmt.Errorf("%s: %s: %w; nothing from it was added (--skip-existing adds the others)", u.source, acc.Label(), err)
			default:
				added = append(added, e.Label())
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, label := range added {
		fmt.Fprintf(cmd.OutOrStdout(), "Added %s\n", label)
	}
	for _, label := range skipped {
		fmt.Fprintf(cmd.ErrOrStderr(), "Skipped %s\n", label)
	}
	return nil
}

func (a *app) listCmd() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:     "list",
		Aliases: []string{"ls"},
		Short:   "List the accounts (never their secrets)",
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			v, err := a.unlock()
			if err != nil {
				return err
			}
			d, err := v.Load()
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			if asJSON {
				type item struct {
					ID     string   `json:"id"`
					Issuer string   `json:"issuer"`
					Name   string   `json:"name"`
					Type   otp.Type `json:"type"`
				}
				items := make([]item, 0, len(d.Accounts))
				for _, e := range d.Accounts {
					items = append(items, item{e.ID, e.Issuer, e.Name, e.Type})
				}
				return writeJSON(out, items)
			}
			if len(d.Accounts) == 0 {
				fmt.Fprintln(cmd.ErrOrStderr(), "The vault is empty: add an account with 'vmfa add IMAGE' or 'vmfa add --uri'.")
			}
			for _, e := range d.Accounts {
				fmt.Fprintf(out, "%s\t%s\t%s\n", e.Issuer, e.Name, e.Type)
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print a JSON array")
	return cmd
}

func (a *app) codeCmd() *cobra.Command {
	var (
		next, asJSON bool
		at           string
	)
	cmd := &cobra.Command{
		Use:   "code QUERY",
		Short: "Print the code of one account",
		Long: `Print the current code of the one account whose "issuer:name" contains QUERY
(case-insensitively; an exact match wins) or whose issuer's initials are QUERY
("aws" for Amazon Web Services), and nothing else, for scripts.
With --next, print the current and the next code on two lines: the two
consecutive codes AWS asks for when enrolling a device.

An HOTP account's counter advances with every code printed.`,
		Example: `  aws sts get-session-token --serial-number ARN --token-code "$(vmfa code aws)"
  vmfa code github --json`,
		Args:              exactArgs(1),
		ValidArgsFunction: a.completeAccounts,
		RunE: func(cmd *cobra.Command, args []string) error {
			now, err := parseTime(at)
			if err != nil {
				return usageError{err}
			}
			v, e, err := a.unlockAndFind(args[0])
			if err != nil {
				return err
			}
			if e.Type == otp.HOTP {
				// The counter is spent before the code is shown, so a crash
				// can skip a code but never show one twice.
				spent := uint64(1)
				if next {
					spent = 2
				}
				if e, err = updateEntry(v, e.ID, func(e *vault.Entry) error {
					return e.Spend(spent)
				}); err != nil {
					return err
				}
			}
			code, err := e.Code(now)
			if err != nil {
				return err
			}
			var nextCode string
			if next || e.Type == otp.TOTP {
				// An HOTP next code is shown only when it was spent.
				if nextCode, err = e.NextCode(now); err != nil {
					return err
				}
			}
			out := cmd.OutOrStdout()
			if asJSON {
				return writeJSON(out, struct {
					Issuer    string `json:"issuer"`
					Name      string `json:"name"`
					Code      string `json:"code"`
					Next      string `json:"next,omitempty"`
					Remaining int    `json:"remaining_seconds"`
					Period    int    `json:"period"`
				}{e.Issuer, e.Name, code, nextCode, e.SecondsLeft(now), e.Period})
			}
			fmt.Fprintln(out, code)
			if next {
				fmt.Fprintln(out, nextCode)
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.BoolVar(&next, "next", false, "also print the next code, on a second line")
	f.StringVar(&at, "at", "", "the code at this time instead of now (RFC 3339 or Unix seconds)")
	f.BoolVar(&asJSON, "json", false, `print {"issuer","name","code","next","remaining_seconds","period"}`)
	return cmd
}

func parseTime(s string) (time.Time, error) {
	if s == "" {
		return clock.Now(), nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if n, nerr := strconv.ParseInt(s, 10, 64); nerr == nil {
		t, err = time.Unix(n, 0), nil
	}
	if err != nil {
		return time.Time{}, fmt.Errorf("--at %q: use RFC 3339 (2026-11-24T10:00:00Z) or Unix seconds", s)
	}
	if t.Unix() < 0 {
		return time.Time{}, fmt.Errorf("--at %q is before 1970, where TOTP has no codes", s)
	}
	return t, nil
}

// unlockAndFind unlocks the vault and returns the one account matching query,
// or an error listing the candidates.
func (a *app) unlockAndFind(query string) (*vault.Vault, vault.Entry, error) {
	if strings.TrimSpace(query) == "" {
		return nil, vault.Entry{}, usageError{errors.New("the query is empty")}
	}
	v, err := a.unlock()
	if err != nil {
		return nil, vault.Entry{}, err
	}
	d, err := v.Load()
	if err != nil {
		return nil, vault.Entry{}, err
	}
	e, err := d.Find(query)
	var amb *vault.AmbiguousError
	switch {
	case errors.As(err, &amb):
		return nil, e, fmt.Errorf("%q matches %d accounts: %s; be more specific", query, len(amb.Matches), quoteLabels(amb.Matches))
	case errors.Is(err, vault.ErrNotFound) && len(d.Accounts) == 0:
		return nil, e, fmt.Errorf("no account matches %q: the vault is empty", query)
	case errors.Is(err, vault.ErrNotFound):
		return nil, e, fmt.Errorf("no account matches %q; accounts: %s", query, quoteLabels(d.Accounts))
	}
	return v, e, err
}

// quoteLabels lists entries for an error; where two share a label, their
// IDs (which queries match too) tell them apart.
func quoteLabels(entries []vault.Entry) string {
	seen := map[string]int{}
	for _, e := range entries {
		seen[e.Label()]++
	}
	labels := make([]string, len(entries))
	for i, e := range entries {
		labels[i] = strconv.Quote(e.Label())
		if seen[e.Label()] > 1 {
			labels[i] += " (id " + e.ID + ")"
		}
	}
	return strings.Join(labels, ", ")
}

// updateEntry changes the entry with that ID in one locked transaction and
// returns it as it was before fn.
func updateEntry(v *vault.Vault, id string, fn func(*vault.Entry) error) (vault.Entry, error) {
	var before vault.Entry
	_, err := v.Update(func(d *vault.Data) error {
		return d.Edit(id, func(e *vault.Entry) error {
			before = *e
			return fn(e)
		})
	})
	return before, err
}

func (a *app) rmCmd() *cobra.Command {
	var yes bool
	cmd := &cobra.Command{
		Use:               "rm QUERY",
		Aliases:           []string{"remove", "delete"},
		Short:             "Remove one account",
		Long:              "Remove the one account matching QUERY, after confirming on the terminal (or with --yes).\nThe previous vault is kept as vault.age.bak.",
		Args:              exactArgs(1),
		ValidArgsFunction: a.completeAccounts,
		RunE: func(cmd *cobra.Command, args []string) error {
			v, e, err := a.unlockAndFind(args[0])
			if err != nil {
				return err
			}
			if !yes {
				answer, err := readLine(fmt.Sprintf("Remove %s? Its codes cannot be recovered. [y/N] ", e.Label()))
				if errors.Is(err, errNoTTY) {
					return fmt.Errorf("%w to confirm: pass --yes", err)
				} else if err != nil {
					return err
				}
				if a := strings.ToLower(answer); a != "y" && a != "yes" {
					return errors.New("not removed")
				}
			}
			if _, err := v.Update(func(d *vault.Data) error {
				if !d.Remove(e.ID) {
					return vault.ErrNotFound
				}
				return nil
			}); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "Removed %s\n", e.Label())
			return nil
		},
	}
	cmd.Flags().BoolVarP(&yes, "yes", "y", false, "do not ask for confirmation")
	return cmd
}

func (a *app) renameCmd() *cobra.Command {
	var issuer string
	cmd := &cobra.Command{
		Use:               "rename QUERY NEW-NAME",
		Short:             "Rename one account",
		Args:              exactArgs(2),
		ValidArgsFunction: a.completeAccounts,
		RunE: func(cmd *cobra.Command, args []string) error {
			if strings.TrimSpace(args[1]) == "" {
				return usageError{errors.New("the new name is empty")}
			}
			v, e, err := a.unlockAndFind(args[0])
			if err != nil {
				return err
			}
			if !cmd.Flags().Changed("issuer") {
				issuer = e.Issuer
			}
			var renamed vault.Entry
			if _, err := v.Update(func(d *vault.Data) (err error) {
				renamed, err = d.Rename(e.ID, issuer, args[1])
				return err
			}); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "Renamed %s to %s\n", e.Label(), renamed.Label())
			return nil
		},
	}
	cmd.Flags().StringVar(&issuer, "issuer", "", "also set the issuer")
	return cmd
}

// completeAccounts completes account labels when the passphrase is in the
// environment; it never prompts from a completion.
func (a *app) completeAccounts(_ *cobra.Command, args []string, _ string) ([]string, cobra.ShellCompDirective) {
	none := cobra.ShellCompDirectiveNoFileComp
	pass, ok, err := passphraseFromEnv()
	if len(args) > 0 || !ok || err != nil {
		return nil, none
	}
	s, err := a.store()
	if err != nil {
		return nil, none
	}
	v, err := s.Unlock(pass)
	if err != nil {
		return nil, none
	}
	d, err := v.Load()
	if err != nil {
		return nil, none
	}
	var labels []string
	for _, e := range d.Accounts {
		labels = append(labels, e.Label())
	}
	return labels, none
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
