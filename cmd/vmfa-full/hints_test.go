package main

import (
	"context"
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/vmfa/vmfa/internal/agekey"
	"github.com/vmfa/vmfa/internal/agent"
	"github.com/vmfa/vmfa/internal/awssession"
	"github.com/vmfa/vmfa/internal/browser"
	"github.com/vmfa/vmfa/internal/dirs"
	"github.com/vmfa/vmfa/internal/exporter"
	"github.com/vmfa/vmfa/internal/importer"
	"github.com/vmfa/vmfa/internal/settings"
	"github.com/vmfa/vmfa/internal/timesync"
	"github.com/vmfa/vmfa/internal/unlock"
	"github.com/vmfa/vmfa/vault"
)

// TestHints: each row of the table says its errors with what to do about
// them, in the words the library packages once said them in; the errors
// are the libraries' own, made for real where that is cheap.
func TestHints(t *testing.T) {
	dir := t.TempDir()
	existing := filepath.Join(dir, "export.txt")
	if err := os.WriteFile(existing, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	edited := settings.Open(filepath.Join(dir, "config"))
	if err := edited.Set("clock_correction", map[string]any{"offset_seconds": 5}); err != nil {
		t.Fatal(err)
	}
	_, notMeasured := timesync.Applied(edited)
	_, noProfile := awssession.Load(context.Background(), "")
	_, image := importer.Detect([]byte("\x89PNG\r\n\x1a\n0000"))
	_, unknown := importer.Detect([]byte("hello, world\n"))
	_, unknownJSON := importer.Detect([]byte(`{"some": "json"}`))
	stale := timesync.Correction{Offset: 97 * time.Second, MeasuredAt: time.Now().Add(-9*24*time.Hour - time.Hour)}.Stale(time.Now())
	unsynced := timesync.KernelClock{Known: true, MaxError: 16 * time.Second}.Err()

	for _, c := range []struct {
		name string
		err  error
		dir  string // the --dir flag
		want string
	}{
		{"--dir not a directory", &vault.NotDirError{Path: "/etc/passwd"}, "/etc/passwd", "/etc/passwd is not a directory: --dir names the vault's directory"},
		{"vault.age refused", &vault.RefusedError{Path: "/v/vault.age", Err: vault.ErrUnauthenticated}, "", "/v/vault.age is refused: it is not authenticated by the vault's key: 'vmfa history' lists the earlier versions, 'vmfa restore ID' brings one back"},
		{"no passphrase, agent could", fmt.Errorf("vault: %w", &unlock.NoPassphraseError{AgentCould: true}),
			"", "vault: no terminal to ask on: run 'vmfa unlock' in a terminal first, and the agent answers here; or set VMFA_PASSPHRASE_COMMAND, VMFA_PASSPHRASE_FILE or VMFA_PASSPHRASE"},
		{"no passphrase", &unlock.NoPassphraseError{}, "", "no terminal to ask on: set VMFA_PASSPHRASE_COMMAND, VMFA_PASSPHRASE_FILE or VMFA_PASSPHRASE"},
		{"foreign key", &unlock.ForeignKeyError{}, "", "the key the agent holds does not open this vault (created again since 'vmfa unlock'?): the agent is locked"},
		{"foreign key, not locked", &unlock.ForeignKeyError{LockErr: errors.New("no agent")}, "",
			"the key the agent holds does not open this vault, and locking the agent failed: no agent"},
		{"other key", fmt.Errorf("vault.age: %w", vault.ErrOtherKey), "",
			"vault.age: the key the agent holds does not open it (the vault was created again since the agent took its key?): run 'vmfa lock' and try again"},
		{"key elsewhere", vault.ErrKeyElsewhere, "", "the vault was opened through the agent, which keeps its key: this needs the passphrase (run with --no-agent)"},
		{"agent locked", fmt.Errorf("%w: %w", vault.ErrKeyUnavailable, agent.ErrLocked), "", "the vault's key is not available: the agent is locked: run 'vmfa unlock'"},
		{"agent exited", fmt.Errorf("%w (exit status 1)", agent.ErrExited), "", "the agent exited at once (exit status 1): run 'vmfa agent' to see why"},
		{"no vault", vault.ErrNoVault, "", "no vault yet: run 'vmfa init', or 'vmfa add' or 'vmfa enroll' to create one with the first account"},
		{"damaged, generations", &vault.DamagedError{Path: "/v/vault.age", Generations: 20, Err: errors.New("bad header MAC")}, "",
			"/v/vault.age is damaged (bad header MAC): 'vmfa history' lists the 20 earlier versions kept, 'vmfa restore ID' brings one back"},
		{"damaged, backup and generations", &vault.DamagedError{Path: "/v/vault.age", Backup: "/v/vault.age.bak", Generations: 5, Err: errors.New("bad header MAC")}, "",
			"/v/vault.age is damaged (bad header MAC): a backup of the previous version is at /v/vault.age.bak ('vmfa history' lists the 5 earlier versions kept, 'vmfa restore ID' brings one back)"},
		{"damaged, no generations", &vault.DamagedError{Path: "/v/identity.age", Err: errors.New("truncated")}, "",
			"/v/identity.age is damaged (truncated): there is no backup of it; restore it from your own backups"},
		{"no version", fmt.Errorf("%w: none of the 20 kept has the ID %q", vault.ErrNoVersion, "x"), "",
			`no such version of the vault: none of the 20 kept has the ID "x"; 'vmfa history' lists them`},
		{"recipient exists", &vault.RecipientError{Name: "laptop", Err: fmt.Errorf("%w: laptop", vault.ErrRecipientExists)}, "",
			"a recipient of that name already exists: laptop (remove it first with 'vmfa recipients rm laptop')"},
		{"stale recipient", &vault.RecipientError{Name: "backup", Err: errors.New("recipients/backup.age holds another identity")}, "",
			"recipients/backup.age holds another identity: remove it with 'vmfa recipients rm backup'"},
		{"no recipient", fmt.Errorf("%w: laptop", vault.ErrNoRecipient), "", "no recipient of that name: laptop ('vmfa recipients list' shows them)"},
		{"no recipients added", fmt.Errorf("%w: the vault at /v opens only with its passphrase", vault.ErrNoRecipientsAdded), "",
			"no key opens the vault yet: the vault at /v opens only with its passphrase; add this key with 'vmfa recipients add NAME KEY.pub' (unlocked with the passphrase)"},
		{"not a recipient", fmt.Errorf("%w at /v", vault.ErrNotARecipient), "",
			"this key is not a recipient of the vault at /v: add it with 'vmfa recipients add NAME KEY' (unlocked with the passphrase), or use a key that 'vmfa recipients list' shows"},
		{"linked file", &vault.LinkedFileError{Path: "/v/vault.age", Target: "/sync/vault.age"}, "",
			"can't save /v/vault.age, which is unchanged: it is a symbolic link to /sync/vault.age, and saving replaces the file, which would leave /sync/vault.age a stale copy: put the file itself in its place ('mv /sync/vault.age /v/vault.age'), or point VMFA_DIR at the directory that holds the vault"},
		{"public key", &agekey.PublicKeyError{Path: "key.pub", Line: 1}, "", "key.pub line 1 is a public key: --identity takes the private key"},
		{"correction not measured", notMeasured, "", edited.Path() + ": the clock correction is not one vmfa measured: run 'vmfa time --reset'"},
		{"stale correction", stale, "", "the clock correction +1m37s was measured 9 days ago: run 'vmfa time' to check it, 'vmfa time --apply' to renew it"},
		{"unsynchronised", unsynced, "", "system clock not synchronised (error up to 16s): check codes with 'vmfa time'"},
		{"code rejected, clock off", fmt.Errorf("%w of arn for profile %q (MultiFactorAuthentication failed): %w", awssession.ErrCodeRejected, "base", &awssession.ClockError{Skew: 3 * time.Minute, Known: true}), "",
			`STS rejected the MFA code of arn for profile "base" (MultiFactorAuthentication failed): this computer's clock is 3m0s ahead of AWS's: 'vmfa time' checks it, 'vmfa time --apply' corrects the codes`},
		{"code rejected, no date", fmt.Errorf("%w: the code was already used, unless %w", awssession.ErrCodeRejected, &awssession.ClockError{}), "",
			"STS rejected the MFA code: the code was already used, unless this computer's clock is off: 'vmfa time' checks it, 'vmfa time --apply' corrects the codes"},
		{"expired, clock ahead", fmt.Errorf("%w; %w", awssession.ErrExpiredAnswer, &awssession.ClockError{Skew: 2 * time.Hour, Known: true}), "",
			"STS answered with expired credentials; this computer's clock is 2h0m0s ahead of AWS's: set it right ('vmfa time' checks it)"},
		{"expired, no date", fmt.Errorf("%w; the endpoint is wrong, unless %w", awssession.ErrExpiredAnswer, &awssession.ClockError{}), "",
			"STS answered with expired credentials; the endpoint is wrong, unless this computer's clock is off: 'vmfa time' checks it"},
		{"no profile", noProfile, "", "no profile given: name one with --profile"},
		{"role chain limit", fmt.Errorf("STS AssumeRole for profile %q refused: %w", "deploy", awssession.ErrRoleChainLimit), "",
			`STS AssumeRole for profile "deploy" refused: AWS gives a role assumed with a session (role chaining) an hour at most: ask for --duration 1h or less, or lower duration_seconds in the profile`},
		{"role max duration", fmt.Errorf("STS AssumeRole for profile %q refused: %w", "admin", awssession.ErrRoleMaxDuration), "",
			`STS AssumeRole for profile "admin" refused: the duration asked for is longer than the role's maximum session duration: ask for a shorter --duration, or raise the role's maximum session duration in IAM`},
		{"session keys", fmt.Errorf("STS GetFederationToken for profile %q refused (Cannot call GetFederationToken with session credentials): %w", "base", awssession.ErrSessionKeys), "",
			`STS GetFederationToken for profile "base" refused (Cannot call GetFederationToken with session credentials): the profile's keys are a session's, not an IAM user's long-term keys: give the profile an IAM user's long-term keys (aws_access_key_id without aws_session_token), or sign in with a role profile`},
		{"browser did not come", fmt.Errorf("%w within 2m0s", browser.ErrNotOpened), "",
			"the browser did not open the link within 2m0s: 'vmfa aws login --stdout' prints the link to open by hand"},
		{"export exists", exporter.CheckNew(existing), "", existing + " already exists: choose another name, or --force to replace it"},
		{"import of an image", fmt.Errorf("%s: %w", "qr.png", image), "", "qr.png: the file is an image: add the QR codes in it with 'vmfa add FILE'"},
		{"unknown format", unknown, "", "unrecognized file, not an export vmfa knows: name its format with --format"},
		{"unknown JSON", unknownJSON, "", "unrecognized JSON file: name its format with --format"},
		{"no hint", vault.ErrWrongPassphrase, "", "wrong passphrase"},
	} {
		if got := explain(c.err, c.dir); got != c.want {
			t.Errorf("%s: %q\n want %q", c.name, got, c.want)
		}
	}
	if got, want := recoveryNote(vault.Open("/v"), &vault.Data{}), "It is not erased: the vault's last 20 versions, kept in "+filepath.Join("/v", "backups")+
		", hold it until 20 more saves have passed; 'vmfa history' lists them and 'vmfa restore ID' brings one back."; got != want {
		t.Errorf("recovery note %q\n want %q", got, want)
	}
}

// TestHintNoHome: with no home and no XDG variable, each of vmfa's
// directories names the variable that would say where it is.
func TestHintNoHome(t *testing.T) {
	t.Setenv("HOME", "")
	for _, v := range []string{"VMFA_DIR", "XDG_DATA_HOME", "XDG_CONFIG_HOME"} {
		t.Setenv(v, "")
	}
	_, vaultErr := dirs.Vault()
	_, settingsErr := dirs.Settings()
	for _, c := range []struct {
		err        error
		what, hint string
	}{
		{vaultErr, "the vault", ": set VMFA_DIR"},
		{settingsErr, "vmfa's settings", ": set XDG_CONFIG_HOME"},
	} {
		var nh *dirs.NoHomeError
		if !errors.As(c.err, &nh) || !strings.HasPrefix(c.err.Error(), "can't find where to keep "+c.what+" (") || explain(c.err, "") != c.err.Error()+c.hint {
			t.Errorf("%v: %q, want %q after it", c.err, explain(c.err, ""), c.hint)
		}
	}
}

// TestHintOtherOwnersDir: a vault directory someone else owns is refused
// with the way to take it over, and vmfa's way to keep it elsewhere.
func TestHintOtherOwnersDir(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("giving a directory away takes root")
	}
	const other = 54321
	dir := filepath.Join(t.TempDir(), "vault")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Chown(dir, other, other); err != nil {
		t.Fatal(err)
	}
	_, err := vault.Open(dir).Exists()
	want := fmt.Sprintf("%s is owned by user %d, not by you (0), so its owner could swap the vault's files ('chown -R 0 %s' takes it over): keep the vault in a directory of your own (--dir or VMFA_DIR)", dir, other, dir)
	if err == nil || explain(err, "") != want {
		t.Errorf("%v: %q, want %q", err, explain(err, ""), want)
	}
}

// vmfaWords are what only cmd may name: vmfa's commands, its flags and its
// environment variables.
var vmfaWords = regexp.MustCompile(`'vmfa [a-z]|(^|[ (])--[a-z]|VMFA_[A-Z]`)

// TestLibraryErrorsNameNoCommand: no message a library package makes names
// a command, a flag or a variable of vmfa's (vmfaWords): those are cmd's
// to say, from hints. The messages are the literal formats of errors.New,
// fmt.Errorf and fmt.Sprintf in vault, otp and internal: not in the front
// ends (cmd, tui), which say things their own way, nor in test helpers.
func TestLibraryErrorsNameNoCommand(t *testing.T) {
	root := filepath.Join("..", "..")
	for _, top := range []string{"vault", "otp", "internal"} {
		err := filepath.WalkDir(filepath.Join(root, top), func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() && (d.Name() == "testenv" || d.Name() == "ststest" || d.Name() == "testdata") {
				return filepath.SkipDir
			}
			if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
				return nil
			}
			for _, msg := range errorFormats(t, path) {
				if vmfaWords.MatchString(msg) {
					t.Errorf("%s: a message names vmfa's command line: %q", path, msg)
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}

// errorFormats returns the literal first arguments of errors.New,
// fmt.Errorf and fmt.Sprintf in the Go file at path.
func errorFormats(t *testing.T, path string) []string {
	t.Helper()
	f, err := parser.ParseFile(token.NewFileSet(), path, nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	var formats []string
	ast.Inspect(f, func(n ast.Node) bool {
		call, ok := n.(*ast.CallExpr)
		if !ok || len(call.Args) == 0 {
			return true
		}
		sel, ok := call.Fun.(*ast.SelectorExpr)
		if !ok {
			return true
		}
		pkg, ok := sel.X.(*ast.Ident)
		if !ok || !(pkg.Name == "errors" && sel.Sel.Name == "New" || pkg.Name == "fmt" && (sel.Sel.Name == "Errorf" || sel.Sel.Name == "Sprintf")) {
			return true
		}
		if lit, ok := call.Args[0].(*ast.BasicLit); ok && lit.Kind == token.STRING {
			if s, err := strconv.Unquote(lit.Value); err == nil {
				formats = append(formats, s)
			}
		}
		return true
	})
	return formats
}
