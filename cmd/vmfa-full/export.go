package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"
	xterm "golang.org/x/term"

	"github.com/vmfa/vmfa/internal/atomicfile"
	"github.com/vmfa/vmfa/internal/exporter"
	"github.com/vmfa/vmfa/internal/passphrase"
	"github.com/vmfa/vmfa/internal/term"
	"github.com/vmfa/vmfa/otp/qr"
	"github.com/vmfa/vmfa/vault"
)

// exportFlags are export's flags.
type exportFlags struct {
	format, output, pngDir string
	force, encrypt         bool
}

func (a *app) exportCmd() *cobra.Command {
	var fl exportFlags
	cmd := &cobra.Command{
		Use:   "export --format FORMAT [--output FILE] [QUERY...]",
		Short: "Export the accounts, secrets included, for another app or a phone",
		Long: `Export every account, or only those the QUERY arguments designate (each must
designate one account, as with 'vmfa code'), in a format other apps import.

The export holds the secrets, so it goes only where it was sent: to a new
file that only you can read (--output; an existing file is replaced only with
--force), or to standard output when that is a pipe or a file, never to the
terminal. The Google Authenticator format is the exception: on a terminal it
shows its QR codes one by one, to scan with the phone.

Formats:
` + exportFormatList() + `

--encrypt protects an Aegis export with a password, read from
VMFA_EXPORT_PASSPHRASE or asked twice on the terminal. Google Authenticator
cannot hold every account (Steam, 7 or 8 digits, SHA256/SHA512, periods other
than 30 s): those are named on standard error and left out.`,
		Example: `  vmfa export --format aegis --encrypt --output aegis-vault.json
  vmfa export --format google                # QR codes on the terminal, Enter for the next
  vmfa export --format google --png ~/qr     # the same QR codes as PNG files
  vmfa export --format uri github | qrencode -t ansiutf8`,
		ValidArgsFunction: a.completeAccounts,
		RunE: func(cmd *cobra.Command, queries []string) error {
			format, err := fl.check()
			if err != nil {
				return err
			}
			showQR := format.Name == "google" && fl.pngDir == "" && fl.output == "" && isTerminal(cmd.OutOrStdout())
			if err := fl.checkDestination(cmd, showQR); err != nil {
				return err
			}
			password, err := a.exportPassword(fl.encrypt)
			if err != nil {
				return err
			}
			d, entries, err := a.exportedEntries(queries)
			if err != nil {
				return err
			}
			if format.Name == "google" {
				return fl.exportGoogle(cmd, entries, showQR)
			}
			data, err := exporter.Encode(format.Name, d, entries, password)
			if err != nil {
				return err
			}
			return fl.write(cmd, data, len(entries))
		},
	}
	fl.define(cmd)
	return cmd
}

func (fl *exportFlags) define(cmd *cobra.Command) {
	f := cmd.Flags()
	f.StringVar(&fl.format, "format", "", "the format: "+exporter.Names())
	f.StringVarP(&fl.output, "output", "o", "", "write to this new file (mode 0600) instead of standard output")
	f.BoolVar(&fl.force, "force", false, "replace an existing file")
	f.BoolVar(&fl.encrypt, "encrypt", false, "encrypt the Aegis export with a password (VMFA_EXPORT_PASSPHRASE or asked)")
	f.StringVar(&fl.pngDir, "png", "", "write Google Authenticator's QR codes as PNG files in this directory (mode 0700); with --force, an earlier export's there are replaced")
	cmd.MarkFlagDirname("png")
	cmd.RegisterFlagCompletionFunc("format", func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		var names []string
		for _, f := range exporter.Formats {
			names = append(names, f.Name+"\t"+f.App)
		}
		return names, cobra.ShellCompDirectiveNoFileComp
	})
}

// check returns the format the flags name, or how they are misused.
func (fl *exportFlags) check() (exporter.Format, error) {
	if fl.format == "" {
		return exporter.Format{}, usageError{errors.New("--format is required: " + exporter.Names())}
	}
	f, err := exporter.Lookup(fl.format)
	switch {
	case err != nil:
		return f, usageError{err}
	case fl.encrypt && f.Name != "aegis":
		return f, usageError{errors.New("--encrypt is for --format aegis; vmfa's own encrypted file is vault.age")}
	case fl.pngDir != "" && f.Name != "google":
		return f, usageError{errors.New("--png is for --format google")}
	case fl.pngDir != "" && fl.output != "":
		return f, usageError{errors.New("--png and --output exclude each other")}
	}
	return f, nil
}

// checkDestination refuses, before the vault is unlocked, an export to the
// terminal (unless it shows QR codes there) and, without --force, to a file
// that exists.
func (fl *exportFlags) checkDestination(cmd *cobra.Command, showQR bool) error {
	if fl.output == "" && fl.pngDir == "" && !showQR {
		if err := noSecretsOnTerminal(cmd, "use --output FILE, or a pipe"); err != nil {
			return err
		}
	}
	if fl.output != "" && !fl.force {
		return exporter.CheckNew(fl.output)
	}
	return nil
}

// exportedEntries unlocks the vault and returns its data and the entries
// the queries designate (selectEntries).
func (a *app) exportedEntries(queries []string) (*vault.Data, []vault.Entry, error) {
	v, err := a.unlock()
	if err != nil {
		return nil, nil, err
	}
	d, err := v.Load()
	if err != nil {
		return nil, nil, err
	}
	entries, err := selectEntries(d, queries)
	return d, entries, err
}

// exportGoogle exports entries as Google Authenticator's QR codes, naming
// on stderr those it can't hold: PNG files with --png, shown one by one on
// the terminal, else their URIs written as any export.
func (fl *exportFlags) exportGoogle(cmd *cobra.Command, entries []vault.Entry, showQR bool) error {
	errOut := cmd.ErrOrStderr()
	uris, left, err := exporter.Google(entries, exporter.Random)
	for _, l := range left {
		fmt.Fprintf(errOut, "Left out %s: Google Authenticator cannot hold %s\n", l.Label, l.Reason)
	}
	switch {
	case err != nil:
		return err
	case len(uris) == 0:
		return errors.New("no account can go to Google Authenticator; try --format uri or aegis")
	case fl.pngDir != "":
		return writePNGs(errOut, fl.pngDir, uris, fl.force)
	case showQR:
		return showMigrationQRs(cmd.OutOrStdout(), errOut, uris)
	}
	return fl.write(cmd, []byte(strings.Join(uris, "\n")+"\n"), len(entries))
}

// write puts the export of n accounts in data to --output, else to
// stdout, and then clears data, which holds their secrets.
func (fl *exportFlags) write(cmd *cobra.Command, data []byte, n int) error {
	defer clear(data)
	if fl.output == "" {
		_, err := cmd.OutOrStdout().Write(data)
		return err
	}
	if err := exporter.WriteFile(fl.output, data, fl.force); err != nil {
		return err
	}
	fmt.Fprintf(cmd.ErrOrStderr(), "Exported %d account(s) to %s.\n", n, fl.output)
	return nil
}

// noSecretsOnTerminal refuses to print secrets when cmd's standard output
// is a terminal, where they stay in view and in the scrollback; hint says
// where they can go instead.
func noSecretsOnTerminal(cmd *cobra.Command, hint string) error {
	if isTerminal(cmd.OutOrStdout()) {
		return usageError{errors.New("refusing to print secrets on the terminal: " + hint)}
	}
	return nil
}

// isTerminal reports whether w is a terminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(f)
}

func exportFormatList() string {
	var b strings.Builder
	for _, f := range exporter.Formats {
		fmt.Fprintf(&b, "  %-7s %s: %s\n", f.Name, f.App, f.Description)
	}
	return strings.TrimRight(b.String(), "\n")
}

// exportPassword is the password of an encrypted export (nil when encrypt
// is off): from VMFA_EXPORT_PASSPHRASE, else asked twice on the terminal;
// never argv.
func (a *app) exportPassword(encrypt bool) (*string, error) {
	if !encrypt {
		return nil, nil
	}
	if pw, ok := a.env.Export(); ok {
		if pw == "" {
			return nil, errors.New("VMFA_EXPORT_PASSPHRASE is empty")
		}
		return &pw, nil
	}
	pw, err := passphrase.AskNew("Password for the export: ")
	if errors.Is(err, term.ErrNoTTY) {
		return nil, fmt.Errorf("there is %w for the export's password: set VMFA_EXPORT_PASSPHRASE", err)
	}
	return &pw, err
}

// selectEntries returns the entries the queries designate, each query one
// entry as 'vmfa code' finds it, in the vault's order; no query is all.
func selectEntries(d *vault.Data, queries []string) ([]vault.Entry, error) {
	if len(d.Accounts) == 0 {
		return nil, errors.New("the vault is empty: nothing to export")
	}
	if len(queries) == 0 {
		return d.Accounts, nil
	}
	want := map[string]bool{}
	for _, q := range queries {
		e, err := findAccount(d, q)
		if err != nil {
			return nil, err
		}
		want[e.ID] = true
	}
	var out []vault.Entry
	for _, e := range d.Accounts {
		if want[e.ID] {
			out = append(out, e)
		}
	}
	return out, nil
}

// writePNGs writes each export QR code as a PNG file in dir. Without force,
// one file that exists stops them all before the first is written, and so
// does an earlier export's QR code of another number of codes. With force,
// the earlier export's codes that the new one does not replace are removed
// once it is written, so that dir holds one export, never the parts of two.
func writePNGs(errOut io.Writer, dir string, uris []string, force bool) error {
	if err := exporter.MakePrivateDir(dir); err != nil {
		return err
	}
	names := make([]string, len(uris))
	for i := range uris {
		names[i] = exporter.PNGName(i+1, len(uris))
		if !force {
			if err := exporter.CheckNew(filepath.Join(dir, names[i])); err != nil {
				return err
			}
		}
	}
	earlier, err := exporter.OtherPNGs(dir, names)
	if err != nil {
		return err
	}
	if len(earlier) > 0 && !force {
		return fmt.Errorf("%s holds the QR codes of an earlier export (%s): --force replaces them, or name another directory", dir, listNames(earlier))
	}
	// A QR code that a killed export left unrenamed holds secrets too.
	atomicfile.RemoveStaleTemps(dir, exporter.IsPNGName)
	for i, name := range names {
		data, err := exporter.PNG(uris[i])
		if err != nil {
			return err
		}
		path := filepath.Join(dir, name)
		if err := exporter.WriteFile(path, data, force); err != nil {
			return err
		}
		fmt.Fprintf(errOut, "Wrote %s\n", path)
	}
	for _, path := range earlier {
		if err := os.Remove(path); err != nil {
			return fmt.Errorf("can't remove %s, a QR code of an earlier export, which a reader could take for one of this export: remove it yourself (%v)", path, errors.Unwrap(err))
		}
		fmt.Fprintf(errOut, "Removed %s, of an earlier export\n", path)
	}
	fmt.Fprintf(errOut, "Scan them in order in Google Authenticator (Transfer accounts, Import accounts), then delete them.\n")
	return nil
}

// listNames is the base names of paths, for a message: the first three,
// then how many more.
func listNames(paths []string) string {
	var names []string
	for i, p := range paths {
		if i == 3 {
			names = append(names, fmt.Sprintf("and %d more", len(paths)-3))
			break
		}
		names = append(names, filepath.Base(p))
	}
	return strings.Join(names, ", ")
}

// showMigrationQRs draws the export QR codes on the terminal out one at a
// time, light on dark as phones read them, and clears the screen after the
// last.
func showMigrationQRs(out, errOut io.Writer, uris []string) error {
	// The codes hold secrets: off the screen and its scrollback when done.
	cleared := false
	clearScreen := func() {
		if !cleared {
			fmt.Fprint(out, "\x1b[2J\x1b[3J\x1b[H")
			cleared = true
		}
	}
	defer clearScreen() // also when reading Enter fails
	for i, uri := range uris {
		code, err := qr.Terminal(uri)
		if err != nil {
			return err
		}
		// A code wider than the terminal wraps, and no phone reads it.
		qw, qh := len([]rune(strings.SplitN(code, "\n", 2)[0])), strings.Count(code, "\n")+1
		for {
			w, h, ok := terminalSize(out)
			if !ok || w >= qw && h >= qh+2 {
				break
			}
			answer, err := term.ReadLine(fmt.Sprintf("QR code %d of %d needs a terminal of %d×%d, this one is %d×%d: enlarge it and press Enter, or type q and Enter to stop (--png DIR writes the codes as images): ",
				i+1, len(uris), qw, qh+2, w, h))
			if err != nil {
				return err
			}
			if strings.EqualFold(answer, "q") {
				return errors.New("stopped before the last QR code; nothing was changed")
			}
		}
		fmt.Fprint(out, "\x1b[2J\x1b[H")
		cleared = false
		fmt.Fprintf(out, "Google Authenticator export: QR code %d of %d\n", i+1, len(uris))
		for _, line := range strings.Split(code, "\n") {
			fmt.Fprint(out, "\x1b[97;40m"+line+"\x1b[0m\n")
		}
		next := "Enter shows the next QR code"
		if i == len(uris)-1 {
			next = "Enter ends the export"
		}
		if _, err := term.ReadLine("Scan it in Google Authenticator (Transfer accounts, Import accounts). " + next + ": "); err != nil {
			return err
		}
	}
	clearScreen()
	fmt.Fprintf(errOut, "Shown %d QR code(s).\n", len(uris))
	return nil
}

// terminalSize is the size of the terminal w, ok=false when it can't tell.
func terminalSize(w io.Writer) (width, height int, ok bool) {
	f, isFile := w.(*os.File)
	if !isFile {
		return 0, 0, false
	}
	width, height, err := xterm.GetSize(int(f.Fd()))
	return width, height, err == nil
}
