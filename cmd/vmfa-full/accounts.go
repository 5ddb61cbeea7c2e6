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

	"github.com/vmfa/vmfa/internal/codeprint"
	"github.com/vmfa/vmfa/internal/intake"
	"github.com/vmfa/vmfa/internal/passphrase"
	"github.com/vmfa/vmfa/internal/term"
	"github.com/vmfa/vmfa/internal/termsafe"
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
about half a second. Unset, it is VMFA_WORK_FACTOR's, as for a vault that
'vmfa add' creates.`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if !cmd.Flags().Changed("work-factor") {
				var err error
				if workFactor, err = envWorkFactor(); err != nil {
					return err
				}
			} else if err := checkWorkFactor(workFactor); err != nil {
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
	cmd.Flags().Lookup("work-factor").DefValue = "$VMFA_WORK_FACTOR, or 18" // what --help says
	return cmd
}

func (a *app) passwdCmd() *cobra.Command {
	var workFactor int
	cmd := &cobra.Command{
		Use:   "passwd",
		Short: "Change the vault's passphrase",
		Long: `Change the passphrase. Only identity.age is rewritten; the accounts are not
re-encrypted. The new passphrase comes from VMFA_NEW_PASSPHRASE or is asked
twice on the terminal. The scrypt work factor stays the vault's unless
--work-factor changes it.`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := checkWorkFactor(workFactor); err != nil {
				return err
			}
			// The old passphrase, even with an unlocked agent: the agent
			// never gives the key out, and who changes the passphrase
			// should know it.
			s, err := a.store()
			if err != nil {
				return err
			}
			v, _, err := a.unlockLocal(s)
			if err != nil {
				return err
			}
			if !cmd.Flags().Changed("work-factor") {
				if workFactor, err = s.WorkFactor(); err != nil {
					return err
				}
			}
			if err := a.changePassphrase(v, workFactor); err != nil {
				return err
			}
			fmt.Fprintf(cmd.ErrOrStderr(), "Passphrase changed. The backup %s still opens with the old one: delete it if that leaked.\n",
				filepath.Join(s.Dir(), "identity.age.bak"))
			return nil
		},
	}
	cmd.Flags().IntVar(&workFactor, "work-factor", vault.DefaultWorkFactor, "scrypt work factor of the new passphrase")
	cmd.Flags().Lookup("work-factor").DefValue = "the vault's" // what --help says; unset, the vault's is read
	return cmd
}

// changePassphrase gives v's identity a new passphrase, of scrypt work
// factor workFactor: VMFA_NEW_PASSPHRASE, else asked twice on the terminal.
func (a *app) changePassphrase(v *vault.Vault, workFactor int) error {
	pass, ok := a.env.New()
	if !ok {
		var err error
		if pass, err = passphrase.AskNew("New passphrase: "); errors.Is(err, term.ErrNoTTY) {
			return fmt.Errorf("%w: set VMFA_NEW_PASSPHRASE", err)
		} else if err != nil {
			return err
		}
	}
	_, err := withSpinner("Changing the passphrase", func() (struct{}, error) {
		return struct{}{}, v.ChangePassphrase(pass, workFactor)
	})
	return err
}

func (a *app) addCmd() *cobra.Command {
	var (
		fromURI, manual, paste bool
		fromScreen             bool
		skipExisting           bool
		typed                  manualFlags
	)
	cmd := &cobra.Command{
		Use:   "add [IMAGE...]",
		Short: "Add accounts from QR images, otpauth URIs or a typed secret",
		Long: `Add accounts to the vault, creating the vault first if there is none.

  vmfa add IMAGE...   decode every QR code in the images (PNG, JPEG, GIF, WebP,
                      BMP, TIFF): otpauth:// codes and Google Authenticator
                      exports, whose parts may come in any order
  vmfa add --paste    what the clipboard holds: a QR code image, otpauth:// or
                      otpauth-migration:// URIs, or a bare base32 secret (as
                      AWS's "Show secret key" gives), whose issuer and name
                      are asked for or taken from --issuer and --name
  vmfa add --screen   every OTP QR code shown on the screen, on every monitor
  vmfa add --uri      otpauth:// or otpauth-migration:// URIs on stdin, one a line
  vmfa add --manual   type the issuer, account name and secret (not echoed)

A typed or pasted secret makes a TOTP account of 6 digits, SHA1 and 30 s
windows, unless --type, --digits, --algorithm and --period say otherwise; an
HOTP account (--type hotp) starts at --counter, 0 unless given.

Each image, the screen, or all of stdin, is added whole or not at all: an account already
in the vault (the same secret) refuses the lot, unless --skip-existing, which
adds the others, as when importing a newer export. Secrets are never printed.`,
		Example: `  vmfa add ~/Desktop/Screenshot\ 2026-11-24.png
  vmfa add --screen
  pbpaste | vmfa add --uri
  vmfa add --manual --issuer GitHub --name alice
  vmfa add --manual --type hotp --counter 12 --digits 8 --issuer Bank --name alice`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if countTrue(fromURI, manual, paste, fromScreen, len(args) > 0) != 1 {
				return usageError{errors.New("give IMAGE files, --screen, --paste, --uri or --manual (exactly one)")}
			}
			preset, err := typed.account(cmd, manual || paste)
			if err != nil {
				return usageError{err}
			}
			a.skipExisting = skipExisting
			switch {
			case fromURI:
				return a.addURIs(cmd)
			case manual:
				return a.addManual(cmd, preset)
			case paste:
				return a.addPaste(cmd, preset)
			case fromScreen:
				units, errs := readScreen()
				return a.addUnits(cmd, units, errs)
			}
			if err := checkPaths(args); err != nil {
				return err
			}
			units, errs := readImages(args)
			return a.addUnits(cmd, units, errs)
		},
	}
	f := cmd.Flags()
	f.BoolVar(&fromURI, "uri", false, "read otpauth:// URIs from stdin, one a line")
	f.BoolVar(&manual, "manual", false, "type the secret instead of scanning a QR code")
	f.BoolVar(&paste, "paste", false, "read a QR image, URIs or a secret from the clipboard")
	f.BoolVar(&fromScreen, "screen", false, "read the QR codes shown on the screen")
	f.BoolVar(&skipExisting, "skip-existing", false, "skip accounts already in the vault instead of refusing")
	typed.define(cmd)
	return cmd
}

// countTrue is how many of flags are on.
func countTrue(flags ...bool) int {
	n := 0
	for _, on := range flags {
		if on {
			n++
		}
	}
	return n
}

// addURIs adds the accounts of the otpauth:// URIs on stdin (add --uri).
func (a *app) addURIs(cmd *cobra.Command) error {
	u, err := intake.ReadURIs("stdin", cmd.InOrStdin())
	if err != nil {
		return err
	}
	return a.addAll(cmd, u)
}

// addManual adds the account preset describes, with what it lacks typed
// (add --manual).
func (a *app) addManual(cmd *cobra.Command, preset otp.Account) error {
	acc, err := readManual(preset, "")
	if err != nil {
		return err
	}
	return a.addTyped(cmd, "manual entry", acc)
}

// addTyped adds acc, whose secret was typed or pasted, as the source named.
func (a *app) addTyped(cmd *cobra.Command, source string, acc otp.Account) error {
	u, err := intake.Typed(source, acc)
	if err != nil {
		return err
	}
	return a.addAll(cmd, u)
}

// manualFlags describe the account of a secret typed (--manual) or pasted,
// as ykman's 'oath accounts add' does: --issuer, --name, --type, --counter,
// --digits, --algorithm, --period.
type manualFlags struct {
	issuer, name, typ, algorithm string
	counter                      uint64
	digits, period               int
}

func (m *manualFlags) define(cmd *cobra.Command) {
	f := cmd.Flags()
	f.StringVar(&m.issuer, "issuer", "", "issuer, with --manual or a pasted secret")
	f.StringVar(&m.name, "name", "", "account name, with --manual or a pasted secret")
	f.StringVar(&m.typ, "type", "totp", "totp or hotp, with --manual or a pasted secret")
	f.Uint64Var(&m.counter, "counter", 0, "the counter of an HOTP account's next code")
	f.IntVar(&m.digits, "digits", otp.DefaultDigits, "code length, with --manual or a pasted secret")
	f.IntVar(&m.period, "period", otp.DefaultPeriod, "seconds per TOTP code, with --manual or a pasted secret")
	f.StringVar(&m.algorithm, "algorithm", "SHA1", "SHA1, SHA256 or SHA512, with --manual or a pasted secret")
}

// manualFlagNames are the flags of manualFlags, as they are named in errors.
var manualFlagNames = []string{"issuer", "name", "type", "counter", "digits", "period", "algorithm"}

// account returns the account the flags describe, without its secret, or
// what is wrong with them; forSecret says a secret is to be typed or pasted,
// the only way they are used. Digits and period the flags leave alone are
// the type's defaults (otp.Account.Normalize).
func (m *manualFlags) account(cmd *cobra.Command, forSecret bool) (otp.Account, error) {
	f := cmd.Flags()
	acc := otp.Account{Issuer: m.issuer, Name: m.name, Counter: m.counter}
	if !forSecret {
		for _, name := range manualFlagNames {
			if f.Changed(name) {
				return acc, fmt.Errorf("--%s goes with --manual or --paste: an image or a URI says its own", name)
			}
		}
		return acc, nil
	}
	var err error
	if acc.Type, err = otp.ParseType(m.typ); err != nil {
		return acc, err
	}
	if acc.Algorithm, err = otp.ParseAlgorithm(m.algorithm); err != nil {
		return acc, err
	}
	if f.Changed("digits") {
		if m.digits < otp.MinDigits || m.digits > otp.MaxDigits {
			return acc, fmt.Errorf("--digits %d: use %d to %d", m.digits, otp.MinDigits, otp.MaxDigits)
		}
		acc.Digits = m.digits
	}
	switch {
	case f.Changed("counter") && acc.Type != otp.HOTP:
		return acc, errors.New("--counter is for HOTP accounts (--type hotp)")
	case f.Changed("period") && !acc.Type.TimeBased():
		return acc, errors.New("--period is for TOTP accounts: an HOTP code has no time window")
	case f.Changed("period") && (m.period < otp.MinPeriod || m.period > otp.MaxPeriod):
		return acc, fmt.Errorf("--period %d: use %d to %d seconds", m.period, otp.MinPeriod, otp.MaxPeriod)
	case f.Changed("period"):
		acc.Period = m.period
	}
	return acc, nil
}

// readManual completes preset (manualFlags.account) with prompts; the
// secret, unless given, is read without echo from the terminal, or from stdin
// when there is none. intake.Typed checks it.
func readManual(preset otp.Account, secret string) (otp.Account, error) {
	acc := preset
	var err error
	if acc.Issuer == "" {
		if acc.Issuer, err = term.ReadLine("Issuer (e.g. Amazon Web Services): "); err != nil {
			return acc, fmt.Errorf("%w: pass --issuer and --name", err)
		}
	}
	if acc.Name == "" {
		if acc.Name, err = term.ReadLine("Account name: "); err != nil {
			return acc, fmt.Errorf("%w: pass --issuer and --name", err)
		}
	}
	if secret != "" {
		acc.Secret = secret
	} else if acc.Secret, err = term.ReadSecret("Secret key (not shown): "); errors.Is(err, term.ErrNoTTY) {
		// No terminal: the secret may come on stdin, never in arguments.
		line, rerr := bufio.NewReader(os.Stdin).ReadString('\n')
		if rerr != nil && line == "" {
			return acc, fmt.Errorf("%w: pipe the secret on stdin", err)
		}
		acc.Secret = line
	} else if err != nil {
		return acc, err
	}
	return acc, nil
}

// addAll adds u in one transaction, creating the vault if needed.
func (a *app) addAll(cmd *cobra.Command, u intake.Unit) error {
	v, err := a.unlockOrCreate()
	if err != nil {
		return err
	}
	return a.addUnit(cmd, v, u)
}

// addUnit adds the accounts of u in one transaction (vault.Data.AddAll) and
// names each one added, or skipped with --skip-existing.
func (a *app) addUnit(cmd *cobra.Command, v *vault.Vault, u intake.Unit) error {
	var (
		added   []vault.Entry
		skipped []vault.Skipped
	)
	_, err := v.Update(func(d *vault.Data) (err error) {
		added, skipped, err = d.AddAll(u.Accounts, time.Now(), a.skipExisting)
		return err
	})
	var dup *vault.DuplicateError
	switch {
	case errors.As(err, &dup):
		return fmt.Errorf("%s: %w; nothing from it was added (--skip-existing adds the others)", u.Source, err)
	case err != nil:
		return fmt.Errorf("%s: %w; nothing from it was added", u.Source, err)
	}
	for _, e := range added {
		fmt.Fprintf(cmd.OutOrStdout(), "Added %s\n", e.Label())
	}
	for _, s := range skipped {
		fmt.Fprintf(cmd.ErrOrStderr(), "Skipped %s (already in the vault as %s)\n", s.Account.Label(), s.Existing.Label())
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
			if asJSON {
				return writeJSON(cmd.OutOrStdout(), accountsJSON(d.Accounts))
			}
			printAccounts(cmd, d.Accounts)
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print a JSON array")
	return cmd
}

// accountItem is an account as 'vmfa list --json' prints it: no secret.
type accountItem struct {
	ID     string   `json:"id"`
	Issuer string   `json:"issuer"`
	Name   string   `json:"name"`
	Type   otp.Type `json:"type"`
}

// accountsJSON is the --json form of a list of accounts.
func accountsJSON(entries []vault.Entry) []accountItem {
	items := make([]accountItem, 0, len(entries))
	for _, e := range entries {
		items = append(items, accountItem{e.ID, e.Issuer, e.Name, e.Type})
	}
	return items
}

// printAccounts prints one account a line, issuer, name and type apart by
// tabs, or on stderr what to do about an empty vault.
func printAccounts(cmd *cobra.Command, entries []vault.Entry) {
	if len(entries) == 0 {
		fmt.Fprintln(cmd.ErrOrStderr(), "The vault is empty: add an account with 'vmfa add IMAGE' or 'vmfa add --uri'.")
	}
	for _, e := range entries {
		fmt.Fprintf(cmd.OutOrStdout(), "%s\t%s\t%s\n", termsafe.Escape(e.Issuer), termsafe.Escape(e.Name), e.Type)
	}
}

// codeFlags are code's flags.
type codeFlags struct {
	next, asJSON, fresh bool
	at                  string
	copyTo              clipboardCopy
}

func (a *app) codeCmd() *cobra.Command {
	var fl codeFlags
	cmd := &cobra.Command{
		Use:   "code QUERY",
		Short: "Print the code of one account",
		Long: `Print the current code of the one account QUERY designates, and nothing else,
for scripts. QUERY matches an account (case-insensitively; an exact match wins)
whose "issuer:name" contains it, whose issuer's initials it is ("aws" for
Amazon Web Services), as ISSUER:NAME where ISSUER may be initials too
("aws:alice"), or as an AWS MFA serial ARN (arn:aws:iam::123456789012:mfa/alice,
as in ~/.aws/config): the account whose label holds that account ID, and that
name when there are several.
With --next, print the current and the next code on two lines: the two
consecutive codes AWS asks for when enrolling a device.

With --fresh, never print a TOTP code vmfa has handed out already (by
'vmfa code', a copy in the interface, or enroll): if the current window's was,
wait for the first window whose code was not (up to 10 windows away, with a
countdown on a terminal's stderr) and print that one. AWS refuses a code it
has accepted once, so two sessions started in one window need this; for
aws-vault:
mfa_process = vmfa code --fresh arn:aws:iam::123456789012:mfa/alice
vmfa records the windows handed out (account IDs and time steps, never codes)
in steps.json in the vault directory. A code printed is handed out: --next,
and --json, which prints the next TOTP code too, record the next window as
well. Where that record can't be written (a read-only or full file system),
the code is printed all the same, with a warning that it was not recorded.

An HOTP account's counter advances with every code printed, and never goes
back, not even when an older version of the vault is restored.

With --copy, the code goes to the clipboard instead of stdout (through tmux,
or a terminal's OSC 52 over SSH, as in the interface) and leaves it after
20 s, if it is still there, as '2fa -clip' does: a process of its own clears it
once this command has returned.`,
		Example: `  aws sts get-session-token --serial-number ARN --token-code "$(vmfa code aws)"
  vmfa code github --json`,
		Args:              exactArgs(1),
		ValidArgsFunction: a.completeAccount,
		RunE: func(cmd *cobra.Command, args []string) error {
			now, err := fl.check(cmd, a.clock.Now)
			if err != nil {
				return err
			}
			v, _, e, err := a.unlockAndFind(args[0])
			if err != nil {
				return err
			}
			c, err := handOut(v, e, now, fl.handOutOptions(e), cmd.ErrOrStderr())
			if errors.Is(err, vault.ErrHOTPAtTime) {
				return usageError{err} // --at does not go with this account
			} else if err != nil {
				return err
			}
			if fl.copyTo.on {
				// Recorded until cleared, as the interface's copies are.
				rec := vault.CopyOf(e, now)
				if c.Counter != nil {
					rec.Step = *c.Counter
				} else if fl.at == "" {
					rec.Step = e.Step(a.clock.Now()) // after a fresh code's wait
				}
				return fl.copyTo.copy(c.Code, e.Label(), cmd.ErrOrStderr(), v.Store(), rec)
			}
			return codeprint.Print(cmd.OutOrStdout(), c, fl.asJSON, fl.next)
		},
	}
	fl.define(cmd)
	return cmd
}

func (fl *codeFlags) define(cmd *cobra.Command) {
	f := cmd.Flags()
	f.BoolVar(&fl.next, "next", false, "also print the next code, on a second line")
	f.BoolVar(&fl.fresh, "fresh", false, "never a code vmfa handed out already: wait for the first window whose code was not (up to 10 windows)")
	f.StringVar(&fl.at, "at", "", "the TOTP code at this time instead of now (RFC 3339, or Unix seconds, as 1700000000 or @1700000000)")
	f.BoolVar(&fl.asJSON, "json", false, `print {"issuer","name","code","next","remaining_seconds","period"}; for HOTP {"issuer","name","code","counter"}`)
	fl.copyTo.define(cmd)
}

// check refuses flags that don't go together, before anything is asked,
// and returns the time of the code: --at, else now().
func (fl *codeFlags) check(cmd *cobra.Command, now func() time.Time) (time.Time, error) {
	if fl.fresh && fl.at != "" {
		return time.Time{}, usageError{errors.New("--fresh is about the codes handed out now: it does not go with --at")}
	}
	if err := fl.copyTo.check(cmd, fl.next || fl.asJSON); err != nil {
		return time.Time{}, usageError{err}
	}
	if fl.at == "" {
		return now(), nil
	}
	at, err := parseTime(fl.at)
	if err != nil {
		return time.Time{}, usageError{err}
	}
	return at, nil
}

// handOutOptions are what the flags ask of the vault for e's code. A TOTP
// code's next one costs nothing and is always in the JSON; an HOTP's is
// shown only with --next, which spends its counter.
func (fl *codeFlags) handOutOptions(e vault.Entry) vault.HandOutOptions {
	return vault.HandOutOptions{
		Fresh:        fl.fresh,
		Next:         fl.next || fl.asJSON && e.Type != otp.HOTP,
		AtChosenTime: fl.at != "",
	}
}

func parseTime(s string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339, s)
	// Unix seconds, bare or after an @ as date(1) and oathtool write them.
	if n, nerr := strconv.ParseInt(strings.TrimPrefix(s, "@"), 10, 64); nerr == nil {
		t, err = time.Unix(n, 0), nil
	}
	if err != nil {
		return time.Time{}, fmt.Errorf("--at %q: use RFC 3339 (2026-11-24T10:00:00Z) or Unix seconds (1700000000 or @1700000000)", s)
	}
	if t.Unix() < 0 {
		return time.Time{}, fmt.Errorf("--at %q is before 1970, where TOTP has no codes", s)
	}
	return t, nil
}

// unlockAndFind unlocks the vault and returns the one account matching query,
// or an error listing the candidates.
func (a *app) unlockAndFind(query string) (*vault.Vault, *vault.Data, vault.Entry, error) {
	if strings.TrimSpace(query) == "" {
		return nil, nil, vault.Entry{}, usageError{errors.New("the query is empty")}
	}
	v, err := a.unlock()
	if err != nil {
		return nil, nil, vault.Entry{}, err
	}
	d, err := v.Load()
	if err != nil {
		return nil, nil, vault.Entry{}, err
	}
	e, err := findAccount(d, query)
	if err != nil {
		return nil, nil, e, err
	}
	return v, d, e, nil
}

// findAccount returns the one account of d matching query, or an error
// listing the candidates.
func findAccount(d *vault.Data, query string) (vault.Entry, error) {
	e, err := d.Find(query)
	var amb *vault.AmbiguousError
	switch {
	case errors.As(err, &amb):
		return e, fmt.Errorf("%q matches %d accounts: %s; be more specific", query, len(amb.Matches), quoteLabels(amb.Matches))
	case errors.Is(err, vault.ErrNotFound) && len(d.Accounts) == 0:
		return e, fmt.Errorf("no account matches %q: the vault is empty", query)
	case errors.Is(err, vault.ErrNotFound):
		return e, fmt.Errorf("no account matches %q; accounts: %s", query, quoteLabels(d.Accounts))
	}
	return e, err
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

func (a *app) rmCmd() *cobra.Command {
	var yes bool
	cmd := &cobra.Command{
		Use:               "rm QUERY",
		Aliases:           []string{"remove", "delete"},
		Short:             "Remove one account",
		Long:              "Remove the one account matching QUERY, after confirming on the terminal (or with --yes).\nIt is not erased at once: the earlier versions of the vault kept in its backups/\nhold it ('vmfa history' lists them, 'vmfa restore ID' brings one back).",
		Args:              exactArgs(1),
		ValidArgsFunction: a.completeAccount,
		RunE: func(cmd *cobra.Command, args []string) error {
			v, _, e, err := a.unlockAndFind(args[0])
			if err != nil {
				return err
			}
			if !yes {
				if err := confirm(fmt.Sprintf("Remove %s?", e.Label()), "not removed"); err != nil {
					return err
				}
			}
			d, err := v.Update(func(d *vault.Data) error {
				if !d.Remove(e.ID) {
					return vault.ErrNotFound
				}
				return nil
			})
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "Removed %s\n", e.Label())
			if s, err := a.store(); err == nil {
				fmt.Fprintln(cmd.ErrOrStderr(), recoveryNote(s, d))
			}
			return nil
		},
	}
	cmd.Flags().BoolVarP(&yes, "yes", "y", false, "do not ask for confirmation")
	return cmd
}

func (a *app) renameCmd() *cobra.Command {
	var issuer string
	cmd := &cobra.Command{
		Use:   "rename QUERY NEW-NAME",
		Short: "Rename one account",
		Long: `Rename the one account matching QUERY. NEW-NAME may be a whole label,
ISSUER:NAME, split at its first colon as in otpauth:// URIs; a name alone keeps
the issuer. --issuer wins over a label's ISSUER part.`,
		Example: `  vmfa rename gitlab GitLab:work
  vmfa rename alice@example.com alice --issuer "GitHub Enterprise"`,
		Args:              exactArgs(2),
		ValidArgsFunction: a.completeAccount,
		RunE: func(cmd *cobra.Command, args []string) error {
			newIssuer, name, hasIssuer := otp.ParseLabel(args[1])
			if name == "" {
				return usageError{errors.New("the new name is empty")}
			}
			v, _, e, err := a.unlockAndFind(args[0])
			if err != nil {
				return err
			}
			switch {
			case cmd.Flags().Changed("issuer"):
			case hasIssuer:
				issuer = newIssuer
			default:
				issuer = e.Issuer
			}
			var renamed vault.Entry
			if _, err := v.Update(func(d *vault.Data) (err error) {
				renamed, err = d.Rename(e.ID, issuer, name)
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

// confirm asks question on the terminal; refused is the error for any
// answer but yes.
func confirm(question, refused string) error {
	yes, err := term.Confirm(question)
	switch {
	case errors.Is(err, term.ErrNoTTY):
		return fmt.Errorf("%w to confirm: pass --yes", err)
	case err != nil:
		return err
	case !yes:
		return errors.New(refused)
	}
	return nil
}

// writeJSON prints v indented, with the controls that JSON leaves raw
// escaped (termsafe.EscapeJSON): a decoder reads the same strings.
func writeJSON(w io.Writer, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	_, err = w.Write(termsafe.EscapeJSON(append(b, '\n')))
	return err
}
