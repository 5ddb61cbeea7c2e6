// Package gitsync keeps copies of a vault directory on several machines in
// step through a git repository, driving the git program itself, so that
// the user's SSH keys, credential helpers and any git host work. There is
// no server of vmfa's own.
//
// # Where the repository lives
//
// Each vault directory has its own repository in DIR/sync.git, a git
// directory whose work tree is DIR (git runs with GIT_DIR=DIR/sync.git and
// GIT_WORK_TREE=DIR). Its one branch is "vmfa", its one remote "origin";
// the remote's branch is fetched into refs/remotes/origin/vmfa. A directory
// with no sync.git does not sync, and the only cost vmfa pays for sync then
// is one stat after each change. To look at it by hand:
//
//	git --git-dir ~/.local/share/vmfa/sync.git log --stat
//
// # What travels
//
// vault.age, identity.age, recipients/NAME.age and recipients/NAME.pub: the
// index is built from exactly those files each time, never from a pattern,
// so steps.json, copies.json, backups/, the .bak files, the lock, settings
// and AWS sessions never reach it. Everything that travels is encrypted but
// the .pub files, which are public keys. Nothing in clear names an account:
// file names are fixed, every commit's message is "vmfa", its author and
// committer "vmfa <vmfa@localhost>" (set in git's environment, so a machine
// with no git identity syncs, and the user's is never used), and the only
// ref is "vmfa".
//
// # Commits
//
// Every change vmfa makes is committed at once (Commit, which vault calls
// through vault.OnChange after a writer of a travelling file releases its
// lock; a code handed out, which writes steps.json alone, does not call
// it): a SHA-256 of each travelling file is compared with those recorded
// in sync.git/vmfa-state.json, so a save that changed nothing runs no git;
// a change runs two git processes (a new index: git add, git commit). Commits
// never wait for the network, nor for a sync another process runs: that
// sync, or the next, commits the change.
//
// # Sync
//
// Sync commits what is not committed yet, fetches, and when the remote's
// branch holds commits the local one does not, merges it: never with git's
// merge, which would treat vault.age as text. It takes the remote's
// vault.age blob (git cat-file) and hands it to the vault's merge
// (vault.Vault.MergeFile), which authenticates it and joins it with the
// local vault under the vault's lock; a copy that fails authentication is
// refused, and nothing is changed. Then:
//
//   - if the remote already holds everything the local vault does (the
//     merge finds it behind in nothing, and no recipient, nor an
//     identity.age changed here, is new to it), the local branch moves to
//     the remote's commit, and the state file records that the local files, whose bytes
//     differ (age encryption is randomized), are that commit's content;
//     so two machines never trade commits of the same content back and
//     forth;
//   - else a commit of the local files is made with both tips as parents
//     (only the remote's when the local one is its ancestor) and pushed.
//
// Each git process costs milliseconds, so a sync runs few: one rev-list
// tells whether the remote's commit is in the local branch, their merge
// base and the changes to push; one git cat-file --batch-command reads
// every tree and file a merge needs (each file's size is checked before it
// is read); one git fast-import writes a merge's commit, and git update-ref
// moves the branch to it only from the commit it was at. An idle sync runs
// one git process (fetch), one that pushes three, one that moves to the
// remote's commit four, a merge six.
//
// Publishing to an empty remote first authenticates a vault.age written
// before vaults were authenticated, which other machines would refuse.
// A push that loses a race (the remote moved meanwhile) fetches and merges
// again, up to five times. A remote whose history was rewritten is merged
// like any other: its branch is fetched with a forced refspec and joined,
// never reset to; what it dropped comes back with the next push.
//
// # Joining
//
// Join fetches into a new hidden directory beside the vault directory,
// writes the tip's travelling files there (0600), opens the vault there
// with the user's passphrase or key, has the merge authenticate vault.age,
// and only then renames the directory into place, whole: a join refused,
// failed or killed leaves no vault behind.
//
// # Status
//
// sync.git/vmfa-status.json records each sync's outcome (when it last
// reached the remote, what moved, why it failed); Status adds the changes
// waiting to go out, counted without the network.
//
// # What comes from the remote, and what a hostile host can do
//
// The host is trusted with nothing but storage. vault.age from the remote
// is believed only after the vault's merge authenticates it with a key
// that only holders of the vault's identity have, and a vault.age of
// another vault is refused before that (SameVault). identity.age is taken
// from the remote only when joining, where it is checked by opening it
// with the passphrase and opening the authenticated vault.age with the
// identity in it; afterwards each machine keeps its own identity.age (its
// own passphrase), and publishes it when it changes there: a host that
// swaps or replays identity.age (an old passphrase's) changes nothing on
// the machines that sync. recipients/ is merged by name against the merge
// base (a recipient added, changed or removed on one side is taken; both
// changed: this machine's wins). A host can't forge a recipient's file,
// which holds the vault's identity it does not know: one holding another
// identity is refused by the unlock that uses it. What a host can do is
// withhold or replay: hide changes, bring back an older commit (the merge
// keeps the newer), or restore a recipient's files that were removed, whose
// key already had the vault's identity. Removing a recipient stops future
// access only if its holder can no longer fetch the repository: the vault's
// identity does not change.
//
// # Failures
//
// Git runs with a minimal environment: PATH, HOME and what reaches the
// user's SSH agent, credential helpers and proxies; never VMFA_* (the
// passphrase never reaches git), with LC_ALL=C, git's own prompts off
// (GIT_TERMINAL_PROMPT=0: credentials come from the user's helpers), and
// hooks, commit signing and line-ending conversion off whatever the
// user's configuration says. Network
// commands are bounded by Repo.Timeout: on a hung remote git is killed (and
// whatever it started, ssh, when Repo.NoTerminal runs it in a process group
// of its own, with ssh in batch mode: nothing can ask on a terminal that the
// interface owns). Offline, the change stays committed locally, and the
// error says it was not pushed and why, in git's own words (with
// any password in a URL hidden). A missing git program is one ErrNoGit.
//
// Kills: every git command runs under sync.git/vmfa-sync.lock, a lock the
// system releases when its holder dies, so a lock file that git left
// (index.lock, a ref's .lock, a crash report of fast-import) while it is
// held is stale and is removed.
// The vault's own files are only written by vault, atomically; the local
// branch moves only after the files it describes are in place. A sync
// killed at any point is completed by the next.
package gitsync

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"time"
)

// Names in the vault directory and the repository.
const (
	GitDirName = "sync.git"
	branch     = "vmfa"
	localRef   = "refs/heads/" + branch
	remoteRef  = "refs/remotes/origin/" + branch
	stateFile  = "vmfa-state.json"
	statusFile = "vmfa-status.json"
	lockName   = "vmfa-sync.lock"
)

// DefaultTimeout bounds each network command (fetch, push).
const DefaultTimeout = time.Minute

// ErrNoGit is the error when the git program is not installed.
var ErrNoGit = errors.New("git is not installed, and vmfa syncs through it")

// ErrNotSynced is the error of a vault directory with no sync repository.
var ErrNotSynced = errors.New("this vault does not sync yet")

// Error is a git command that failed: its name ("fetch") and what git said,
// the last lines of its standard error, with passwords in URLs hidden.
type Error struct {
	Command string
	Said    string
	Err     error
}

func (e *Error) Error() string {
	if e.Said == "" {
		return fmt.Sprintf("git %s: %v", e.Command, e.Err)
	}
	return fmt.Sprintf("git %s: %s", e.Command, e.Said)
}

func (e *Error) Unwrap() error { return e.Err }

// git runs the git program in one repository.
type git struct {
	gitDir, workTree string
	timeout          time.Duration // of network commands
	noTerminal       bool          // Repo.NoTerminal
}

var (
	gitPathOnce sync.Once
	gitPath     string
	gitPathErr  error
)

func findGit() (string, error) {
	gitPathOnce.Do(func() {
		gitPath, gitPathErr = exec.LookPath("git")
		if gitPathErr != nil {
			gitPathErr = ErrNoGit
		}
	})
	return gitPath, gitPathErr
}

// Settings every command runs with, whatever the user's configuration says:
// no hooks, no signing (which would ask for a key's passphrase), no line
// ending conversion of the vault's files, no background work.
var fixedConfig = []string{
	"-c", "core.hooksPath=/dev/null",
	"-c", "commit.gpgSign=false",
	"-c", "core.autocrlf=false",
	"-c", "core.fsmonitor=false",
	"-c", "gc.autoDetach=false",
	"-c", "maintenance.auto=false",
	"-c", "advice.detachedHead=false",
}

// passedEnv are the variables of vmfa's environment a git child gets: what
// it needs to find programs and the user's configuration, and to reach the
// user's SSH agent, credential helpers and proxies.
var passedEnv = []string{
	"PATH", "HOME", "USER", "LOGNAME", "TMPDIR", "XDG_CONFIG_HOME", "XDG_RUNTIME_DIR",
	"SSH_AUTH_SOCK", "GIT_SSH", "GIT_SSH_COMMAND", "GIT_SSH_VARIANT", "GIT_ASKPASS", "SSH_ASKPASS",
	"DISPLAY", "WAYLAND_DISPLAY", "GIT_SSL_CAINFO", "GIT_SSL_CAPATH", "SSL_CERT_FILE", "SSL_CERT_DIR",
	"http_proxy", "https_proxy", "no_proxy", "all_proxy", "HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY", "ALL_PROXY",
	"GIT_PROXY_COMMAND", "SYSTEMROOT",
}

// The author and committer of every commit, whoever the user is.
const (
	authorName  = "vmfa"
	authorEmail = "vmfa@localhost"
	identity    = authorName + " <" + authorEmail + ">"
)

func (g *git) env() []string {
	env := []string{
		"GIT_DIR=" + g.gitDir, "GIT_WORK_TREE=" + g.workTree,
		"LC_ALL=C", "GIT_TERMINAL_PROMPT=0",
		"GIT_AUTHOR_NAME=" + authorName, "GIT_AUTHOR_EMAIL=" + authorEmail,
		"GIT_COMMITTER_NAME=" + authorName, "GIT_COMMITTER_EMAIL=" + authorEmail,
		// A transfer that stalls (a remote that answers nothing) ends
		// after a while even where the timeout's kill comes later.
		"GIT_HTTP_LOW_SPEED_LIMIT=1", "GIT_HTTP_LOW_SPEED_TIME=" + fmt.Sprint(int(max(g.timeout, time.Second).Seconds())),
	}
	for _, k := range passedEnv {
		if v, ok := os.LookupEnv(k); ok {
			env = append(env, k+"="+v)
		}
	}
	_, sshCommand := os.LookupEnv("GIT_SSH_COMMAND")
	_, ssh := os.LookupEnv("GIT_SSH")
	if g.noTerminal && !sshCommand && !ssh {
		// ssh would ask on the terminal (a host key, a key's
		// passphrase), which a program that owns it can't have.
		env = append(env, "GIT_SSH_COMMAND=ssh -o BatchMode=yes")
	}
	return env
}

// run runs git with args, stdin as its standard input, and returns its
// standard output. network bounds it by the timeout.
func (g *git) run(ctx context.Context, network bool, stdin []byte, args ...string) ([]byte, error) {
	path, err := findGit()
	if err != nil {
		return nil, err
	}
	if network {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, g.timeout)
		defer cancel()
	}
	cmd := g.command(ctx, path, args)
	if stdin != nil {
		cmd.Stdin = bytes.NewReader(stdin)
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err = cmd.Run()
	if err != nil {
		e := &Error{Command: args[0], Said: said(stderr.String()), Err: err}
		if ctx.Err() != nil {
			e.Said = strings.TrimSpace(e.Said + fmt.Sprintf(" (no answer within %v: git was stopped)", g.timeout))
			e.Err = ctx.Err()
		}
		return stdout.Bytes(), e
	}
	return stdout.Bytes(), nil
}

// command is the git program at path with args, in the repository.
func (g *git) command(ctx context.Context, path string, args []string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, path, append(append([]string{}, fixedConfig...), args...)...)
	cmd.Env = g.env()
	cmd.Dir = g.workTree
	// With a terminal, git and ssh stay in vmfa's process group, so that
	// ssh can ask for a key's passphrase, and Ctrl-C reaches them; a
	// timeout kills git, and the wait for what it started is bounded.
	cmd.WaitDelay = 2 * time.Second
	if g.noTerminal {
		ownGroup(cmd)
	}
	return cmd
}

// out runs a local git command and returns its output, trimmed.
func (g *git) out(ctx context.Context, args ...string) (string, error) {
	b, err := g.run(ctx, false, nil, args...)
	return strings.TrimSpace(string(b)), err
}

var urlPassword = regexp.MustCompile(`(://[^/@\s:]*):[^/@\s]*@`)

// said keeps the last lines git wrote to its standard error, on one line,
// with any password in a URL hidden.
func said(s string) string {
	lines := strings.FieldsFunc(strings.TrimSpace(s), func(r rune) bool { return r == '\n' || r == '\r' })
	if len(lines) > 4 {
		lines = lines[len(lines)-4:]
	}
	out := strings.Join(lines, "; ")
	if len(out) > 1000 {
		out = out[len(out)-1000:]
	}
	return urlPassword.ReplaceAllString(out, "$1:***@")
}

// hidePassword hides the password of a URL, as said does.
func hidePassword(url string) string { return urlPassword.ReplaceAllString(url, "$1:***@") }

// commitOf returns the commit of ref, or "" if there is none, as git says.
func (g *git) commitOf(ctx context.Context, ref string) (string, error) {
	out, err := g.out(ctx, "rev-parse", "--verify", "-q", ref+"^{commit}")
	var e *Error
	if errors.As(err, &e) && e.Said == "" {
		return "", nil // rev-parse -q says nothing of a missing ref
	}
	return out, err
}

// staleLocks are the lock files git leaves when it is killed holding them.
var staleLocks = []string{"index.lock", "HEAD.lock", "config.lock", "packed-refs.lock", "shallow.lock",
	localRef + ".lock", remoteRef + ".lock", "refs/remotes/origin/HEAD.lock"}

// removeStaleLocks removes the lock files git left when it was killed. The
// caller holds the repository's lock, under which every git command runs,
// so none of them is in use.
func (g *git) removeStaleLocks() {
	for _, n := range staleLocks {
		os.Remove(filepath.Join(g.gitDir, filepath.FromSlash(n)))
	}
	// What git fast-import writes when it dies (vmfa killed as it wrote
	// a commit): nothing to keep.
	crashes, _ := filepath.Glob(filepath.Join(g.gitDir, "fast_import_crash_*"))
	for _, c := range crashes {
		os.Remove(c)
	}
}
