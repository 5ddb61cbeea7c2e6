package main

import "github.com/spf13/cobra"

// docsCmd, where the build has one (-tags gendocs: docs_gendocs.go), is
// the hidden command that writes the manual pages and completion scripts
// for a release. Other builds leave it out, so that the markdown and YAML
// packages it links cost vmfa-full's every start nothing.
var docsCmd func(root *cobra.Command) *cobra.Command

// manSections are vmfa(1)'s sections beyond --help, in markdown. Every
// VMFA_ variable the code reads is in ENVIRONMENT (TestManEnvironment).
const manSections = `# FILES
The vault directory is **--dir**, else **$VMFA_DIR**, else **$XDG_DATA_HOME/vmfa**, else *~/.local/share/vmfa* (macOS: *~/Library/Application Support/vmfa*; Windows: *%AppData%\vmfa*). It is 0700, its files 0600; vmfa refuses one that others can write to.

*identity.age*
: The vault's age X25519 identity, encrypted with the passphrase (age scrypt). **vmfa passwd** rewrites only this file.

*vault.age*
: The accounts, as JSON encrypted to the vault's own recipient. Stock age decrypts it: **age -d -i identity.age vault.age** asks for the passphrase and prints the JSON.

*identity.age.bak*, *vault.age.bak*
: The previous version of each, kept by every save.

*backups/vault-TIME.age*
: Generations: the versions every save replaced (the last 20 by default), listed by **vmfa history** and made current by **vmfa restore**.

*recipients/NAME.age*, *recipients/NAME.pub*
: The identity encrypted to a key added with **vmfa recipients add** (SSH, age, plugin), and that key's public part.

*steps.json*
: The last time step handed out of each TOTP account and the highest counter of each HOTP account, so that no code is handed out twice.

*copies.json*
: The codes vmfa put on a clipboard and has yet to clear (account IDs and time steps, never a code), so that a later vmfa clears one whose clearer died.

*vault.lock*
: The advisory lock that keeps two writers apart.

*aws-sessions/*
: Cached AWS sessions of **vmfa aws**, each encrypted to the vault's recipient.

*$XDG_CONFIG_HOME/vmfa/settings.json* (*~/.config/vmfa/settings.json*)
: Settings, such as the clock correction of **vmfa time --apply**.

*$XDG_RUNTIME_DIR/vmfa/* (else */run/user/UID/vmfa/*, else a directory of the user's own in the temporary directory or *$XDG_STATE_HOME/vmfa/agent*)
: The agent's socket, one per vault directory, and its lock.

*/usr/lib/systemd/user/vmfa-agent.service*
: The agent as a systemd user service, where a package installed it: **systemctl --user enable --now vmfa-agent**.

# ENVIRONMENT
**VMFA_DIR**
: The vault directory, unless **--dir** is given.

**VMFA_PASSPHRASE_COMMAND**
: A command, run by **sh -c**, that prints the passphrase (**pass show vmfa**). Tried first.

**VMFA_PASSPHRASE_FILE**
: A file holding the passphrase (warned about unless 0600). Tried second.

**VMFA_PASSPHRASE**
: The passphrase itself. Tried third; else vmfa asks on the terminal.

**VMFA_NEW_PASSPHRASE**
: The new passphrase of **vmfa passwd** (**vmfa init** takes its passphrase as unlocking does).

**VMFA_IMPORT_PASSPHRASE**
: The password of an encrypted export that **vmfa import** reads.

**VMFA_EXPORT_PASSPHRASE**
: The password of **vmfa export --encrypt**.

**VMFA_IDENTITY**
: A private key file (SSH, age, plugin) that unlocks instead of the passphrase, unless **--identity** is given.

**VMFA_AGENT**
: **off** (or 0, false, no) keeps every command away from the agent, as **--no-agent** does.

**VMFA_WORK_FACTOR**
: The scrypt work factor of a vault that **vmfa init** creates without **--work-factor**, or **vmfa add** or **vmfa enroll** on first use (default 18).

**VMFA_NTP_SERVER**
: The NTP server of **vmfa time**, unless **--server** is given (default pool.ntp.org).

**VMFA_AWS_FEDERATION_ENDPOINT**
: The console federation endpoint of **vmfa aws login** (default: AWS's, for the profile's partition: signin.aws.amazon.com, signin.amazonaws.cn, signin.amazonaws-us-gov.com).

**VMFA_AWS_PROFILE**
: Set by **vmfa aws exec** and **vmfa aws env** to the profile whose session they hand out, as aws-vault sets AWS_VAULT.

**VMFA_HANDOFF_TERM**
: Set by **vmfa** for the **vmfa-full** it runs, which puts **TERM** back from it first thing and removes it: Bubble Tea asks the terminal for its colours before **vmfa-full**'s main, and a terminal that never answers would hold every command 5 s. Not to be set by hand.

vmfa reads the passphrase variables once and removes them from its environment, so no process it starts inherits them.

**AWS_CONFIG_FILE**, **AWS_SHARED_CREDENTIALS_FILE**, **AWS_PROFILE**, **AWS_REGION**, **AWS_DEFAULT_REGION**, **AWS_ENDPOINT_URL_STS**, **AWS_ENDPOINT_URL_IAM**, **AWS_ENDPOINT_URL**, **AWS_MAX_ATTEMPTS**, **AWS_EC2_METADATA_DISABLED**
: Read by the AWS SDK for Go for **vmfa aws**, as by every AWS tool. **vmfa aws exec** and **vmfa aws env** set **AWS_ACCESS_KEY_ID**, **AWS_SECRET_ACCESS_KEY**, **AWS_SESSION_TOKEN**, **AWS_CREDENTIAL_EXPIRATION**, **AWS_REGION** and **AWS_DEFAULT_REGION**, and remove **AWS_PROFILE**, **AWS_DEFAULT_PROFILE** and **AWS_SECURITY_TOKEN**.

**XDG_DATA_HOME**, **XDG_CONFIG_HOME**, **XDG_STATE_HOME**, **XDG_RUNTIME_DIR**, **HOME**
: Where the vault, the settings and the agent's socket are (FILES).

**NO_COLOR**
: When set, the interface uses no colour.

**DISPLAY**, **WAYLAND_DISPLAY**, **TMUX**, **SSH_TTY**, **SSH_CONNECTION**
: How **--copy**, **--paste** and **--screen** reach the clipboard and the screen: natively, through tmux, or by OSC 52 over SSH.

# EXIT STATUS
**0**
: Success.

**1**
: Failure: no account matches (or several do), a wrong passphrase, bad input, a file or server that failed.

**2**
: Usage: an unknown command or flag, or the wrong number of arguments.

**vmfa aws exec** exits with the status of the command it ran.

# SECURITY
The seeds are encrypted with age to the vault's own X25519 recipient, whose identity is encrypted with the passphrase (scrypt) or to the keys of **vmfa recipients**; nothing secret reaches the disk in clear. Saves are atomic and fsynced, with the previous version and 20 generations kept, under a lock.

The passphrase is never read from the command line, and no secret is put in a child's arguments or environment. Every process sets its core-file limit to 0 and, on Linux, makes itself undumpable, so that no core and no **ptrace** from the user's other processes reach the secrets; with an unlimited memlock limit it locks its memory, so they never reach swap.

The agent holds the vault's key in memory for one user, answers only that user's processes over a Unix socket in a 0700 directory, never sends the key back, and forgets it on **vmfa lock**, after **--timeout** without use, or when the wall clock is set back.

A code is never handed out twice: TOTP time steps and HOTP counters handed out are recorded and only go up, also across **vmfa restore**.

Text from outside (file names, names in imports, servers' messages) reaches the terminal with its control characters written out.

vmfa does not defend against malware running as the same user while the vault is unlocked, nor against root: they can read the agent's memory or the terminal. A vault copied off the machine is as strong as its passphrase and work factor.
`
