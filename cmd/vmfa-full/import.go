package main

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/vmfa/vmfa/internal/importer"
	"github.com/vmfa/vmfa/internal/intake"
	"github.com/vmfa/vmfa/internal/term"
	"github.com/vmfa/vmfa/otp"
	"github.com/vmfa/vmfa/vault"
)

func (a *app) importCmd() *cobra.Command {
	var (
		format                        string
		skipExisting, skipUnsupported bool
	)
	cmd := &cobra.Command{
		Use:   "import [--format NAME] FILE...",
		Short: "Import the accounts of other authenticator apps' exports",
		Long: `Import every account of export or backup files of other authenticator apps,
creating the vault first if there is none. The format is recognized from the
content; --format names it when it is not (WinAuth's export looks like any
list of otpauth:// URIs).

Encrypted exports ask for their password on the terminal, or read it from
VMFA_IMPORT_PASSPHRASE.

Every file is read before the vault is touched, and all are added in one
transaction: if any file cannot be read, or holds an account already in the
vault (the same secret), nothing is added. --skip-existing leaves such
accounts out instead. An account of a kind vmfa cannot generate codes for
(mOTP, Yandex, MD5) refuses its file, unless --skip-unsupported, which names
it and imports the others. Secrets are never printed.

Formats:
` + formatList(),
		Example: `  vmfa import ~/Downloads/aegis-export-20261130.json
  VMFA_IMPORT_PASSPHRASE=… vmfa import backup.2fas
  vmfa import --format winauth winauth.txt`,
		Args: minArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkPaths(args); err != nil {
				return err
			}
			if format != "" {
				if _, err := importer.Lookup(format); err != nil {
					return usageError{err}
				}
			}
			units, errs := intake.ReadImports(args, a.importOptions(cmd, format, skipUnsupported))
			if len(errs) > 0 {
				return report(cmd, errs)
			}
			v, err := a.unlockOrCreate()
			if err != nil {
				return err
			}
			return importUnits(cmd, v, units, skipExisting)
		},
	}
	f := cmd.Flags()
	f.StringVar(&format, "format", "", "the format of the files, when it is not recognized (see the list above)")
	f.BoolVar(&skipExisting, "skip-existing", false, "skip accounts already in the vault instead of refusing")
	f.BoolVar(&skipUnsupported, "skip-unsupported", false, "skip accounts vmfa cannot generate codes for instead of refusing")
	cmd.RegisterFlagCompletionFunc("format", func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		var names []string
		for _, f := range importer.Formats {
			names = append(names, f.Name+"\t"+f.App)
		}
		return names, cobra.ShellCompDirectiveNoFileComp
	})
	return cmd
}

// formatList is the help's table of formats.
func formatList() string {
	var b strings.Builder
	for _, f := range importer.Formats {
		fmt.Fprintf(&b, "  %-27s %s: %s\n", f.Name, f.App, f.Files)
	}
	return strings.TrimRight(b.String(), "\n")
}

// importOptions reads files in format (empty: recognized), asking the
// password of an encrypted one (importPassword) and telling what is skipped
// on stderr.
func (a *app) importOptions(cmd *cobra.Command, format string, skipUnsupported bool) intake.Import {
	return intake.Import{
		Format:          format,
		SkipUnsupported: skipUnsupported,
		Password: func(path string, attempt int) (string, bool, error) {
			if attempt > 1 {
				fmt.Fprintln(cmd.ErrOrStderr(), "Wrong password, try again.")
			}
			return a.importPassword(path)
		},
		Note: func(msg string) { fmt.Fprintln(cmd.ErrOrStderr(), oneLine(msg)) },
	}
}

// importPassword gives an encrypted file its password: from
// VMFA_IMPORT_PASSPHRASE, else asked on the terminal (typed, so it may be
// asked again), never from argv.
func (a *app) importPassword(path string) (pw string, typed bool, err error) {
	if pw, ok := a.env.Import(); ok {
		return pw, false, nil
	}
	pw, err = term.ReadSecret("Password of " + oneLine(path) + ": ")
	if errors.Is(err, term.ErrNoTTY) {
		return "", false, fmt.Errorf("the file is encrypted and there is %w: set VMFA_IMPORT_PASSPHRASE", err)
	}
	return pw, err == nil, err
}

// importUnits adds every unit in one transaction through vault.Data.AddAll,
// so that the vault holds all of them or none.
func importUnits(cmd *cobra.Command, v *vault.Vault, units []intake.Unit, skipExisting bool) error {
	type result struct {
		added   []vault.Entry
		skipped []vault.Skipped
	}
	var results []result
	_, err := v.Update(func(d *vault.Data) error {
		results = results[:0]
		now := time.Now()
		for _, u := range units {
			added, skipped, err := d.AddAll(u.Accounts, now, skipExisting)
			if err != nil {
				hint := ""
				var dup *vault.DuplicateError
				if errors.As(err, &dup) {
					hint = " (--skip-existing imports the others)"
				}
				return fmt.Errorf("%s: %w; nothing was imported%s", u.Source, err, hint)
			}
			results = append(results, result{added, skipped})
		}
		return nil
	})
	if err != nil {
		return err
	}
	out, errOut := cmd.OutOrStdout(), cmd.ErrOrStderr()
	hotp := 0
	for i, r := range results {
		for _, e := range r.added {
			fmt.Fprintf(out, "Added %s\n", e.Label())
			if e.Type == otp.HOTP {
				hotp++
			}
		}
		for _, s := range r.skipped {
			fmt.Fprintf(errOut, "Skipped %s (already in the vault as %s)\n", s.Account.Label(), s.Existing.Label())
		}
		fmt.Fprintf(errOut, "%s: %d imported, %d already in the vault.\n", oneLine(units[i].Source), len(r.added), len(r.skipped))
	}
	if hotp > 0 {
		// An export's counter can lag behind codes the app showed later.
		fmt.Fprintf(errOut, "%d HOTP account(s) start at the counter the export had; if a code is refused, the old app may have used more.\n", hotp)
	}
	return nil
}
