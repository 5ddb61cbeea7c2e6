package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"
	"text/tabwriter"

	"filippo.io/age"
	"filippo.io/age/plugin"
	"github.com/spf13/cobra"

	"github.com/vmfa/vmfa/internal/agekey"
	"github.com/vmfa/vmfa/internal/termsafe"
	"github.com/vmfa/vmfa/otp"
	"github.com/vmfa/vmfa/vault"
)

// identityPath is the key that unlocks the vault instead of the
// passphrase: --identity, else $VMFA_IDENTITY, else none.
func (a *app) identityPath() string {
	if a.identityFile != "" {
		return a.identityFile
	}
	return os.Getenv("VMFA_IDENTITY")
}

// unlockWithIdentity opens the vault with the key in identityPath.
func (a *app) unlockWithIdentity(s *vault.Store) (*vault.Vault, error) {
	path := a.identityPath()
	ids, err := agekey.ReadIdentities(path, agekey.TerminalUI(a.stderr()))
	if err != nil {
		return nil, err
	}
	// No spinner: a key opens at once, and the wait, if any, is for the
	// user (an SSH key's passphrase, a plugin's PIN or touch), whose prompt
	// a spinner would overwrite.
	return s.UnlockWithIdentities(ids...)
}

func (a *app) recipientsCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "recipients",
		Short: "Open the vault with keys (SSH, age, YubiKey…) instead of the passphrase",
		Long: `Manage the keys that open the vault besides its passphrase: an age key
(age1…), an SSH key (ssh-ed25519, ssh-rsa), or a key held by an age plugin
(age1yubikey1… from age-plugin-yubikey, age1se1… from age-plugin-se,
age1tpm1… from age-plugin-tpm; any age1NAME1… whose age-plugin-NAME is on
$PATH).

Each key gets its own copy of the vault's identity, encrypted to it, in
recipients/NAME.age in the vault directory; stock age opens it:

  age -d -i ~/.ssh/id_ed25519 "$VMFA_DIR/recipients/laptop.age"

Then --identity FILE (or VMFA_IDENTITY=FILE) unlocks with the private key in
FILE, and no passphrase: an age identity file, an SSH private key (whose own
passphrase, if any, is asked on the terminal), or a plugin's identity file.
The passphrase keeps working.`,
		Args: noArgs,
	}
	cmd.AddCommand(a.recipientsAddCmd(), a.recipientsListCmd(), a.recipientsRmCmd())
	return cmd
}

func (a *app) recipientsAddCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "add NAME RECIPIENT",
		Short: "Let a key open the vault",
		Long: `Let a key open the vault. NAME is yours to choose (letters, digits and
. _ - + @), e.g. "laptop" or "yubikey-5c". RECIPIENT is the public key:
  - an age recipient, age1… (age-keygen -y KEY.txt prints it),
  - an SSH public key, "ssh-ed25519 AAAA…" or "ssh-rsa AAAA…" (quoted),
  - a plugin recipient, age1yubikey1…, age1se1…, age1tpm1…,
  - a file holding one of these, such as ~/.ssh/id_ed25519.pub,
  - or -, to read it from standard input.
Adding needs the vault unlocked (passphrase or an existing key); a plugin
recipient runs its plugin.`,
		Example: `  vmfa recipients add laptop ~/.ssh/id_ed25519.pub
  vmfa recipients add yubikey "$(age-plugin-yubikey --list | grep -v '^#')"
  age-keygen -o backup-key.txt && vmfa recipients add backup "$(age-keygen -y backup-key.txt)"`,
		Args: exactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			name, arg := args[0], args[1]
			if err := vault.CheckRecipientName(name); err != nil {
				return usageError{err}
			}
			ui := agekey.TerminalUI(cmd.ErrOrStderr())
			r, text, err := readRecipientArg(arg, cmd.InOrStdin(), ui)
			if err != nil {
				return err
			}
			// The key itself, even with an unlocked agent, which never
			// gives it out.
			s, err := a.store()
			if err != nil {
				return err
			}
			v, _, err := a.unlockLocal(s)
			if err != nil {
				return err
			}
			if err := v.AddRecipient(name, r, text); err != nil {
				return err
			}
			fmt.Fprintf(cmd.ErrOrStderr(), "Added %s (%s): 'vmfa --identity KEY' now opens the vault with its private key.\n",
				name, vault.RecipientKind(text))
			return nil
		},
		ValidArgsFunction: func(_ *cobra.Command, args []string, _ string) ([]string, cobra.ShellCompDirective) {
			if len(args) == 1 {
				return nil, cobra.ShellCompDirectiveDefault // a file, such as a .pub
			}
			return nil, cobra.ShellCompDirectiveNoFileComp
		},
	}
}

// readRecipientArg reads add's RECIPIENT: the key itself, - for standard
// input, or a file. A key's text is tried first: "age1…" and "ssh-…" are
// never meant as file names.
func readRecipientArg(arg string, stdin io.Reader, cui *plugin.ClientUI) (age.Recipient, string, error) {
	if arg == "-" {
		return agekey.ReadRecipient(stdin, "standard input", cui)
	}
	looksLikeKey := strings.HasPrefix(arg, "age1") || strings.HasPrefix(arg, "ssh-") ||
		strings.HasPrefix(arg, "AGE-") || strings.Contains(arg, "PRIVATE KEY")
	if looksLikeKey {
		return agekey.ParseRecipient(arg, cui)
	}
	f, err := os.Open(arg)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, "", usageError{fmt.Errorf("%q is neither a recipient (age1…, ssh-ed25519 …, ssh-rsa …, age1yubikey1…) nor a file", otp.Shorten(arg, 40))}
	}
	if err != nil {
		return nil, "", err
	}
	defer f.Close()
	if fi, err := f.Stat(); err == nil && !fi.Mode().IsRegular() {
		return nil, "", fmt.Errorf("%s is not a regular file", arg)
	}
	return agekey.ReadRecipient(f, arg, cui)
}

func (a *app) recipientsListCmd() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:     "list",
		Aliases: []string{"ls"},
		Short:   "List the keys that open the vault (no unlocking needed)",
		Long: `List the keys that open the vault besides its passphrase: name, kind
(x25519, ssh-ed25519, ssh-rsa, plugin:NAME) and public key. The public keys
are kept in recipients/NAME.pub, so this needs neither the passphrase nor a
key. --json prints an array of {"name","kind","recipient","added","path"}.`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			s, err := a.store()
			if err != nil {
				return err
			}
			list, err := s.Recipients()
			if err != nil {
				return err
			}
			if asJSON {
				return writeJSON(cmd.OutOrStdout(), list)
			}
			return printRecipients(cmd, list)
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print a JSON array")
	return cmd
}

// printRecipients prints one key a line, name, kind and public key apart
// in columns, or on stderr how to add one when there is none.
func printRecipients(cmd *cobra.Command, list []vault.RecipientInfo) error {
	if len(list) == 0 {
		fmt.Fprintln(cmd.ErrOrStderr(), "Only the passphrase opens the vault: add a key with 'vmfa recipients add NAME KEY'.")
		return nil
	}
	tw := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 8, 2, ' ', 0)
	for _, ri := range list {
		pub := ri.Recipient
		if pub == "" {
			pub = "(public key missing: " + ri.Name + ".pub)"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\n", termsafe.Escape(ri.Name), termsafe.Escape(ri.Kind), termsafe.Escape(pub))
	}
	return tw.Flush()
}

func (a *app) recipientsRmCmd() *cobra.Command {
	return &cobra.Command{
		Use:     "rm NAME",
		Aliases: []string{"remove"},
		Short:   "Stop a key from opening the vault",
		Long: `Delete recipients/NAME.age, so that the key no longer opens the vault. It
needs no passphrase: removing a key never locks its owner out, as the
passphrase still opens the vault. A copy of the file taken before still opens
the vault as it was then: if the key was stolen, move your accounts to a new
vault.`,
		Args: exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			s, err := a.store()
			if err != nil {
				return err
			}
			if err := s.RemoveRecipient(args[0]); err != nil {
				if errors.Is(err, vault.ErrInvalidRecipient) {
					return usageError{err}
				}
				return err
			}
			fmt.Fprintf(cmd.ErrOrStderr(), "Removed %s.\n", args[0])
			return nil
		},
		ValidArgsFunction: a.completeRecipients,
	}
}

// completeRecipients offers the names of the keys, read without unlocking.
func (a *app) completeRecipients(_ *cobra.Command, args []string, _ string) ([]string, cobra.ShellCompDirective) {
	if len(args) > 0 {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	s, err := a.store()
	if err != nil {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	list, err := s.Recipients()
	if err != nil {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	var names []string
	for _, ri := range list {
		names = append(names, ri.Name+"\t"+ri.Kind)
	}
	return names, cobra.ShellCompDirectiveNoFileComp
}
