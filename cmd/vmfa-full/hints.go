package main

import (
	"errors"
	"fmt"
	"os"

	"github.com/vmfa/vmfa/internal/agekey"
	"github.com/vmfa/vmfa/internal/agent"
	"github.com/vmfa/vmfa/internal/awssession"
	"github.com/vmfa/vmfa/internal/browser"
	"github.com/vmfa/vmfa/internal/dirs"
	"github.com/vmfa/vmfa/internal/enroll"
	"github.com/vmfa/vmfa/internal/exporter"
	"github.com/vmfa/vmfa/internal/gitsync"
	"github.com/vmfa/vmfa/internal/importer"
	"github.com/vmfa/vmfa/internal/safefile"
	"github.com/vmfa/vmfa/internal/settings"
	"github.com/vmfa/vmfa/internal/shellquote"
	"github.com/vmfa/vmfa/internal/timesync"
	"github.com/vmfa/vmfa/internal/unlock"
	"github.com/vmfa/vmfa/vault"
)

// Errors as age does them: the library packages say what happened, and
// never a command, a flag or a variable of vmfa's, which this table alone
// names, so that a renamed flag is renamed here. Whatever says an error to
// the user says it through explain: main, the warnings, the clock's notes
// (the agent's too) and the interface.

// A hint says an error of one kind as vmfa says it: its message, with what
// to do about it. ok is false for an error of another kind. dirFlag is the
// --dir flag's value, which dirHint needs.
type hint func(err error, dirFlag string) (msg string, ok bool)

// hints is the table, the first row that fits err saying it. A row for an
// error that wraps another comes before the other's.
var hints = []hint{
	dirHint,
	trustHint,
	unlockHint,
	foreignKeyHint, // before vault.ErrOtherKey, which it wraps
	is(vault.ErrOtherKey, ": run 'vmfa lock' and try again"),
	is(vault.ErrKeyElsewhere, " (run with --no-agent)"),
	is(agent.ErrLocked, ": run 'vmfa unlock'"),
	is(agent.ErrExited, ": run 'vmfa agent' to see why"),
	is(vault.ErrNoVault, ": run 'vmfa init', or 'vmfa add' or 'vmfa enroll' to create one with the first account"),
	damagedHint,
	as[*vault.RefusedError](": 'vmfa history' lists the earlier versions, 'vmfa restore ID' brings one back"),
	is(vault.ErrNoVersion, "; 'vmfa history' lists them"),
	recipientHint,
	is(vault.ErrNoRecipient, " ('vmfa recipients list' shows them)"),
	is(vault.ErrNoRecipientsAdded, "; add this key with 'vmfa recipients add NAME KEY.pub' (unlocked with the passphrase)"),
	is(vault.ErrNotARecipient, ": add it with 'vmfa recipients add NAME KEY' (unlocked with the passphrase), or use a key that 'vmfa recipients list' shows"),
	as[*vault.LinkedFileError](", or point VMFA_DIR at the directory that holds the vault"),
	as[*agekey.PublicKeyError](": --identity takes the private key"),
	noHomeHint,
	is(timesync.ErrNotMeasured, ": run 'vmfa time --reset'"),
	as[*timesync.StaleError](": run 'vmfa time' to check it, 'vmfa time --apply' to renew it"),
	is(timesync.ErrUnsynchronised, ": check codes with 'vmfa time'"),
	awsClockHint,
	awsDeviceHint,
	is(awssession.ErrNoProfile, ": name one with --profile"),
	is(awssession.ErrRoleChainLimit, ": ask for --duration 1h or less, or lower duration_seconds in the profile"),
	is(awssession.ErrRoleMaxDuration, ": ask for a shorter --duration, or raise the role's maximum session duration in IAM"),
	is(awssession.ErrSessionKeys, ": give the profile an IAM user's long-term keys (aws_access_key_id without aws_session_token), or sign in with a role profile"),
	is(browser.ErrNotOpened, ": 'vmfa aws login --stdout' prints the link to open by hand"),
	as[*exporter.ExistsError](": choose another name, or --force to replace it"),
	is(vault.ErrHOTPAtTime, "; 'vmfa code' without --at prints its next code"),
	is(enroll.ErrNotOneAccount, " (use 'vmfa add' for exports)"),
	is(enroll.ErrCounterBased, ": add it with 'vmfa add' and read its codes with 'vmfa code'"),
	is(importer.ErrImage, ": add the QR codes in it with 'vmfa add FILE'"),
	is(importer.ErrUnknownFormat, ": name its format with --format"),
	as[*importer.UnsupportedError]("; --skip-unsupported imports the others"),
	is(gitsync.ErrNoGit, ": install git (apt install git, brew install git…)"),
	is(gitsync.ErrNotSynced, ": 'vmfa sync init URL' publishes it to a git repository"),
	as[*gitsync.OtherVaultError](": sync this vault with an empty repository, or use another --dir to join that one with 'vmfa sync init URL'"),
	is(gitsync.ErrRemoteEmpty, ": create one with 'vmfa init', then 'vmfa sync init URL' publishes it"),
	as[*gitsync.AlreadyError](": 'vmfa sync' syncs with it, 'vmfa sync status' says more"),
}

// explain is err as vmfa says it: its message with the hint of the first
// row of hints that fits, if any. dirFlag is the --dir flag's value.
func explain(err error, dirFlag string) string {
	for _, h := range hints {
		if msg, ok := h(err, dirFlag); ok {
			return msg
		}
	}
	return err.Error()
}

// is is the row of the errors that wrap target: their message and then
// suffix.
func is(target error, suffix string) hint {
	return func(err error, _ string) (string, bool) {
		if !errors.Is(err, target) {
			return "", false
		}
		return err.Error() + suffix, true
	}
}

// as is the row of the errors that wrap an E: their message and then
// suffix.
func as[E error](suffix string) hint {
	return func(err error, _ string) (string, bool) {
		var e E
		if !errors.As(err, &e) {
			return "", false
		}
		return err.Error() + suffix, true
	}
}

// dirHint says, of a vault directory that is not one (*vault.NotDirError),
// where its path came from (--dir, else VMFA_DIR, else the default), and
// so how to name another. A directory inside the vault's (backups/) is
// left as it is.
func dirHint(err error, dirFlag string) (string, bool) {
	var nd *vault.NotDirError
	if !errors.As(err, &nd) {
		return "", false
	}
	def, _ := dirs.Vault()
	switch {
	case dirFlag != "":
		if nd.Path == dirFlag {
			return err.Error() + ": --dir names the vault's directory", true
		}
	case os.Getenv("VMFA_DIR") != "":
		if nd.Path == def {
			return err.Error() + ": VMFA_DIR names the vault's directory", true
		}
	case nd.Path == def:
		return err.Error() + ", where vmfa keeps the vault by default: move it away, or name another directory with --dir or VMFA_DIR", true
	}
	return "", false
}

// trustHint says what to do about a file or directory vmfa refused to trust
// (a *safefile.UntrustedError in err): a vault under a directory that
// others can write to or that is someone else's, or settings that someone
// else could have written.
func trustHint(err error, _ string) (string, bool) {
	var u *safefile.UntrustedError
	if !errors.As(err, &u) {
		return "", false
	}
	chmod := fmt.Sprintf("make it writable by you alone (chmod go-w %s)", shellquote.POSIX(u.Path))
	if u.Ancestor {
		chmod += fmt.Sprintf(" or, if others must write there, sticky (chmod +t %s)", shellquote.POSIX(u.Path))
	}
	switch {
	case errors.Is(err, settings.ErrUntrusted) && u.OtherOwner:
		return err.Error() + ": set XDG_CONFIG_HOME to a directory of your own", true
	case errors.Is(err, settings.ErrUntrusted):
		return err.Error() + ": " + chmod, true
	case u.OtherOwner:
		return err.Error() + ": keep the vault in a directory of your own (--dir or VMFA_DIR)", true
	}
	return err.Error() + ": " + chmod + ", or keep the vault elsewhere (--dir or VMFA_DIR)", true
}

// passphraseVars are where a passphrase comes from without a terminal.
const passphraseVars = "VMFA_PASSPHRASE_COMMAND, VMFA_PASSPHRASE_FILE or VMFA_PASSPHRASE"

// unlockHint says what to do about an unlock that needed a passphrase and
// had no terminal to ask on (credential_process, mfa_process, cron): 'vmfa
// unlock' beforehand, where an unlocked agent would have answered.
func unlockHint(err error, _ string) (string, bool) {
	var np *unlock.NoPassphraseError
	switch {
	case !errors.As(err, &np):
		return "", false
	case np.AgentCould:
		return err.Error() + ": run 'vmfa unlock' in a terminal first, and the agent answers here; or set " + passphraseVars, true
	}
	return err.Error() + ": set " + passphraseVars, true
}

// foreignKeyHint says the warning of an agent whose key does not open the
// vault (*unlock.ForeignKeyError), which unlock locked.
func foreignKeyHint(err error, _ string) (string, bool) {
	var fk *unlock.ForeignKeyError
	switch {
	case !errors.As(err, &fk):
		return "", false
	case fk.LockErr == nil:
		return "the key the agent holds does not open this vault (created again since 'vmfa unlock'?): the agent is locked", true
	}
	return err.Error(), true
}

// damagedHint says, of a damaged vault.age (*vault.DamagedError) of which
// earlier versions are kept, how to list them and bring one back.
func damagedHint(err error, _ string) (string, bool) {
	var d *vault.DamagedError
	if !errors.As(err, &d) || d.Generations == 0 {
		return "", false
	}
	restore := fmt.Sprintf("'vmfa history' lists the %d earlier versions kept, 'vmfa restore ID' brings one back", d.Generations)
	if d.Backup == "" {
		return err.Error() + ": " + restore, true
	}
	return err.Error() + " (" + restore + ")", true
}

// recoveryNote is what 'vmfa rm' says of a removed account: where it still
// is (vault.Store.RecoveryNote), and how to get it back.
func recoveryNote(s *vault.Store, d *vault.Data) string {
	return s.RecoveryNote(d) + "; 'vmfa history' lists them and 'vmfa restore ID' brings one back."
}

// recipientHint says how to remove the recipient a *vault.RecipientError
// is about.
func recipientHint(err error, _ string) (string, bool) {
	var r *vault.RecipientError
	switch {
	case !errors.As(err, &r):
		return "", false
	case errors.Is(err, vault.ErrRecipientExists):
		return err.Error() + fmt.Sprintf(" (remove it first with 'vmfa recipients rm %s')", r.Name), true
	}
	return err.Error() + fmt.Sprintf(": remove it with 'vmfa recipients rm %s'", r.Name), true
}

// noHomeHint says, when there is no home to find one of vmfa's directories
// in (*dirs.NoHomeError), which variable names it instead.
func noHomeHint(err error, _ string) (string, bool) {
	var nh *dirs.NoHomeError
	if !errors.As(err, &nh) {
		return "", false
	}
	set := nh.Var
	switch nh.Var {
	case "XDG_DATA_HOME": // the vault's
		set = "VMFA_DIR"
	case "XDG_STATE_HOME": // the agent's socket, which prefers the runtime directory
		set = "XDG_RUNTIME_DIR"
	}
	return err.Error() + ": set " + set, true
}

// awsClockHint says how to check this computer's clock when STS's answer
// blames it (*awssession.ClockError): for a rejected code, the correction
// of the codes mends it; credentials expired on arrival need the clock
// itself set right.
func awsClockHint(err error, _ string) (string, bool) {
	var c *awssession.ClockError
	switch {
	case !errors.As(err, &c):
		return "", false
	case errors.Is(err, awssession.ErrCodeRejected):
		return err.Error() + ": 'vmfa time' checks it, 'vmfa time --apply' corrects the codes", true
	case c.Known:
		return err.Error() + ": set it right ('vmfa time' checks it)", true
	}
	return err.Error() + ": 'vmfa time' checks it", true
}
