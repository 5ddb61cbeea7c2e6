// Command vmfa-full is vmfa, a virtual MFA device for the terminal: an
// age-encrypted vault of TOTP and HOTP seeds, imported from QR screenshots,
// with codes for scripts and a live interface. cmd/vmfa, the front end users
// run, hands it every command line it does not answer itself.
//
// This package is the command line, and only that: flags and arguments,
// exit statuses, questions asked on the terminal, how results are printed
// (countdowns and spinners included), and the hints that name vmfa's
// commands and flags (hints.go), which the libraries never do. The rules
// are in the packages it calls, where the interface and the agent reach
// them too: vault (accounts, queries, handing out codes, history,
// recipients), unlock (agent, key or passphrase), enroll, importer and
// exporter, awssession, agent, timesync (the clock every code uses), dirs,
// tui and the others under internal.
//
// Each command's RunE is about 20 lines: it checks its flags, calls those
// packages, and prints what they return on the command's own stdout and
// stderr (what is said with no command at hand, on the root's). Only main
// exits, with the status an error maps to (exitStatus).
package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/vmfa/vmfa/internal/dirs"
	"github.com/vmfa/vmfa/internal/gitsync"
	"github.com/vmfa/vmfa/internal/harden"
	"github.com/vmfa/vmfa/internal/intake"
	"github.com/vmfa/vmfa/internal/passphrase"
	"github.com/vmfa/vmfa/internal/termhandoff"
	"github.com/vmfa/vmfa/internal/termsafe"
	"github.com/vmfa/vmfa/internal/timesync"
	"github.com/vmfa/vmfa/internal/version"
	"github.com/vmfa/vmfa/otp"
	"github.com/vmfa/vmfa/vault"
)

// Exit codes scripts can trust.
const (
	exitOK    = 0
	exitError = 1 // no match, wrong passphrase, bad input
	exitUsage = 2 // unknown command or flag, wrong number of arguments
)

// usageError marks an error as the caller's misuse of the command line.
type usageError struct{ error }

// Unwrap lets the hints see the error a misuse was found by.
func (u usageError) Unwrap() error { return u.error }

func main() {
	// The front end's TERM, kept from Bubble Tea's question at start; before
	// anything reads TERM or starts a child.
	termhandoff.Release()
	// Before anything reads a secret: no core dumps, memory locked where
	// the system allows. What could not be done is for a person to know.
	notes := harden.Process()
	root := newRoot(passphrase.TakeEnv())
	if isTerminal(root.ErrOrStderr()) {
		for _, note := range notes {
			fmt.Fprintln(root.ErrOrStderr(), "vmfa: note: "+note)
		}
	}
	// Every change to a vault that syncs is committed at once, by whatever
	// made it: a command, the interface or the agent.
	vault.OnChange(gitsync.CommitChange)
	cmd, err := root.ExecuteC()
	os.Exit(exitStatus(root, cmd, err))
}

// exitStatus is the status vmfa exits with after cmd returned err, which it
// prints on root's stderr, on one line, with the hints that say what to do.
func exitStatus(root, cmd *cobra.Command, err error) int {
	var passOn statusOf
	switch {
	case err == nil:
		return exitOK
	case errors.As(err, &passOn):
		return int(passOn)
	case errors.Is(err, errSilent):
		return exitError
	}
	errOut := root.ErrOrStderr()
	fmt.Fprintln(errOut, "vmfa: "+oneLine(explain(err, root.PersistentFlags().Lookup("dir").Value.String())))
	// A command that did not run ends vmfa as it ends a shell (aws exec).
	var notRun interface{ ExitStatus() int }
	if errors.As(err, &notRun) {
		return notRun.ExitStatus()
	}
	var u usageError
	if errors.As(err, &u) || strings.HasPrefix(err.Error(), "unknown command") {
		fmt.Fprintf(errOut, "Run '%s --help' for usage.\n", cmd.CommandPath())
		return exitUsage
	}
	return exitError
}

// statusOf is the exit status of a command vmfa ran in its place (aws
// exec), which vmfa exits with, saying nothing more.
type statusOf int

func (s statusOf) Error() string { return fmt.Sprintf("exit status %d", int(s)) }

// exitWith returns what a command run in vmfa's place ended with: nil for
// status 0, else the status to exit with, or err.
func exitWith(status int, err error) error {
	switch {
	case err != nil:
		return err
	case status != exitOK:
		return statusOf(status)
	}
	return nil
}

// oneLine is how every message reaches the terminal: on one line, whatever
// a library put in it; each word cut to maxWord bytes, since a long one is a
// path, a URI or a payload from outside, and echoing 5,000 characters helps
// no one; and terminal controls written out visibly (termsafe.Escape).
func oneLine(s string) string {
	words := strings.Fields(s)
	for i, w := range words {
		words[i] = otp.Shorten(w, maxWord)
	}
	return termsafe.Escape(strings.Join(words, " "))
}

// maxWord is the longest word a message shows whole: a path deep in a
// project fits, a path made to flood the terminal does not.
const maxWord = 200

// app holds what the commands share: the global flags, the passphrase
// variables and add's policy.
type app struct {
	dir          string
	env          *passphrase.Env
	skipExisting bool   // add --skip-existing
	identityFile string // --identity (recipients.go)
	noAgent      bool   // --no-agent

	root  *cobra.Command
	clock *timesync.Clock // every code's (newClock)
}

// stderr is where vmfa says what is not a command's output (warnings,
// notes, the spinner) when no command is at hand: the root command's
// stderr, which every command's ErrOrStderr is.
func (a *app) stderr() io.Writer { return a.root.ErrOrStderr() }

// stderrOf writes to cmd's stderr as it is at each write: a test sets it
// after newRoot.
type stderrOf struct{ cmd *cobra.Command }

func (w stderrOf) Write(p []byte) (int, error) { return w.cmd.ErrOrStderr().Write(p) }

// warn says what went wrong without stopping the command.
func (a *app) warn(msg string) { fmt.Fprintln(a.stderr(), "vmfa: warning: "+oneLine(msg)) }

func newRoot(env *passphrase.Env) *cobra.Command {
	a := &app{env: env}
	env.Warn = a.warn
	root := &cobra.Command{
		Use:   "vmfa",
		Short: "A virtual MFA device for the terminal",
		Long: `vmfa keeps TOTP and HOTP seeds in an age-encrypted vault, imports them from
QR screenshots (AWS "Set up device" pages, Google Authenticator exports) or
otpauth:// URIs, and prints codes for scripts. With no command it opens the
interactive interface.

The passphrase comes from, in order: VMFA_PASSPHRASE_COMMAND (run by sh -c),
VMFA_PASSPHRASE_FILE, VMFA_PASSPHRASE, or a prompt on the terminal. With
--identity FILE or VMFA_IDENTITY=FILE, a key added with 'vmfa recipients add'
(SSH, age, YubiKey…) unlocks instead.

The vault lives in --dir, else $VMFA_DIR, else $XDG_DATA_HOME/vmfa, else
~/.local/share/vmfa (macOS: ~/Library/Application Support/vmfa, Windows:
%AppData%\vmfa).`,
		Example: `  vmfa enroll ~/Desktop/aws-qr.png     # add the AWS device, print MFA code 1 and 2
  vmfa code aws                         # print the current code of the account matching "aws"
  aws sts get-session-token --serial-number ARN --token-code "$(vmfa code aws)"`,
		Version:           version.Get().Line("vmfa-full"),
		SilenceUsage:      true,
		SilenceErrors:     true,
		Args:              noArgs,
		CompletionOptions: cobra.CompletionOptions{HiddenDefaultCmd: false},
	}
	a.root = root
	a.clock = newClock(stderrOf{root})
	spinnerOut = root.ErrOrStderr
	root.SetVersionTemplate("{{.Version}}\n")
	root.Flags().BoolP("version", "v", false, "print the version, commit and date of vmfa and of vmfa-full")
	root.PersistentFlags().StringVar(&a.dir, "dir", "", "vault directory (overrides $VMFA_DIR)")
	root.PersistentFlags().StringVar(&a.identityFile, "identity", "", "unlock with the private key in `FILE` instead of the passphrase (overrides $VMFA_IDENTITY; see 'vmfa recipients')")
	root.PersistentFlags().BoolVar(&a.noAgent, "no-agent", false, "neither use nor start the agent (as VMFA_AGENT=off)")
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageError{err} })
	root.AddCommand(
		a.initCmd(), a.addCmd(), a.scanCmd(), a.enrollCmd(), a.listCmd(), a.codeCmd(),
		a.rmCmd(), a.renameCmd(), a.passwdCmd(),
		a.historyCmd(), a.restoreCmd(),
	)
	root.AddCommand(timeCmd())
	root.AddCommand(a.importCmd())
	root.AddCommand(a.exportCmd())
	root.AddCommand(a.recipientsCmd())
	root.AddCommand(a.syncCmd())
	root.AddCommand(a.awsCmd())
	root.AddCommand(a.agentCmds()...)
	root.AddCommand(clipboardClearerCmd())
	if docsCmd != nil {
		root.AddCommand(docsCmd(root))
	}
	a.addTUI(root)
	return root
}

// store opens the vault directory named by the flags and environment.
func (a *app) store() (*vault.Store, error) {
	dir := a.dir
	if dir == "" {
		var err error
		if dir, err = dirs.Vault(); err != nil {
			return nil, err
		}
	}
	return vault.Open(dir), nil
}

func noArgs(cmd *cobra.Command, args []string) error {
	if len(args) > 0 {
		return usageError{fmt.Errorf("unknown command %q for %q", args[0], cmd.CommandPath())}
	}
	return nil
}

func exactArgs(n int) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if err := cobra.ExactArgs(n)(cmd, args); err != nil {
			return usageError{err}
		}
		return nil
	}
}

// checkPaths refuses an empty path among the files of a command line, which
// the system would report as "open : no such file or directory", and an
// otpauth URI or a secret, which are no files, and are not quoted back.
func checkPaths(paths []string) error {
	for i, p := range paths {
		switch {
		case intake.CleanPath(p) == "":
			return usageError{fmt.Errorf("argument %d is an empty path: name a file", i+1)}
		case intake.Classify(p) == intake.URI:
			return usageError{fmt.Errorf("argument %d is an otpauth URI, not a file; vmfa takes no secret "+
				"on its command line, where other processes and the shell's history see it: "+
				"pipe or paste it into 'vmfa add --uri', or copy it and run 'vmfa add --paste'", i+1)}
		case intake.Classify(p) == intake.Secret && !exists(p):
			return usageError{fmt.Errorf("argument %d is no file but has a secret's form; vmfa takes no secret "+
				"on its command line, where other processes and the shell's history see it: "+
				"type it into 'vmfa add --manual', or copy it and run 'vmfa add --paste'", i+1)}
		}
	}
	return nil
}

// exists reports whether there is a file at path.
func exists(path string) bool {
	_, err := os.Lstat(path)
	return err == nil
}

func minArgs(n int) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if err := cobra.MinimumNArgs(n)(cmd, args); err != nil {
			return usageError{err}
		}
		return nil
	}
}
