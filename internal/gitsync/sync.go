package gitsync

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/vmfa/vmfa/internal/atomicfile"
	"github.com/vmfa/vmfa/vault"
)

// Opener opens the local vault, for a sync that has something to merge: an
// idle sync never asks for the key.
type Opener func() (*vault.Vault, error)

// Result says what a sync moved.
type Result struct {
	// In counts the changes taken from the remote: accounts the merge
	// took, recipients added, changed or removed there.
	In int `json:"in"`
	// Out counts the changes pushed: this machine's commits the remote
	// lacked (one a change).
	Out int `json:"out"`
	// Merged says both sides had changed since they last met, and were
	// joined: "a conflict resolved".
	Merged bool `json:"merged"`
	// Published says the remote was empty, and now holds the vault.
	Published bool `json:"published"`
}

// NotPushedError is the error of a sync that could not reach the remote:
// what changed here is committed locally and waits for the next sync.
type NotPushedError struct {
	Waiting int // changes waiting to go out
	Err     error
}

func (e *NotPushedError) Error() string {
	what := "nothing was exchanged"
	switch {
	case e.Waiting == 1:
		what = "1 change is kept here, not pushed"
	case e.Waiting > 1:
		what = fmt.Sprintf("%d changes are kept here, not pushed", e.Waiting)
	}
	return fmt.Sprintf("%s: %v", what, e.Err)
}

func (e *NotPushedError) Unwrap() error { return e.Err }

// ErrBusy is the error of a sync while another vmfa process syncs the same
// vault.
var ErrBusy = errors.New("another vmfa process is syncing this vault; try again")

// ErrRemoteNoVault is the error of a remote branch with no vault.age.
var ErrRemoteNoVault = errors.New("the remote's branch holds no vault.age: it is not a vmfa vault")

// OtherVaultError is the refusal to merge a remote that holds another vault.
type OtherVaultError struct{ Remote string }

func (e *OtherVaultError) Error() string {
	return fmt.Sprintf("%s holds another vault than this one (its vault.age is not encrypted to this vault's key): vmfa will not mix two vaults", e.Remote)
}

func (e *OtherVaultError) Unwrap() error { return vault.ErrOtherVault }

// AlreadyError is the refusal to set up sync with a remote when the vault
// already syncs with another.
type AlreadyError struct{ Remote string }

func (e *AlreadyError) Error() string {
	return "this vault already syncs with " + hidePassword(e.Remote)
}

// Remote returns the URL of the remote, "" when there is none.
func (r *Repo) Remote() string {
	if !r.Syncs() {
		return ""
	}
	out, _ := r.ready().out(context.Background(), "config", "--get", "remote.origin.url")
	return out
}

// Init sets up sync with url: it creates the repository and names the
// remote, without the network. It reports whether it created the
// repository; one that exists with the same remote is left as it is.
func (r *Repo) Init(ctx context.Context, url string) (created bool, err error) {
	if _, err := findGit(); err != nil {
		return false, err
	}
	if url == "" || strings.HasPrefix(url, "-") {
		return false, fmt.Errorf("%q is not a git URL", url)
	}
	if r.Syncs() {
		if have := r.Remote(); have != url {
			return false, &AlreadyError{Remote: have}
		}
		return false, nil
	}
	g := r.ready()
	if _, err := g.run(ctx, false, nil, "init", "-q", "--object-format=sha1", "--initial-branch="+branch); err != nil {
		return false, err
	}
	os.Chmod(g.gitDir, 0o700)
	// (git init made it core.bare=false: GIT_WORK_TREE is set.)
	for _, kv := range [][2]string{
		// git init recorded the vault directory's path, which a join
		// renames and a user may move: the directory sync.git is in,
		// so that 'git --git-dir sync.git status' works wherever it is.
		{"core.worktree", ".."},
		{"remote.origin.url", url},
		// A pattern: a missing branch (an empty remote) is then no
		// error. In the configuration, not on fetch's command line:
		// a push updates the remote's branch here only through it.
		{"remote.origin.fetch", "+" + localRef + "*:" + remoteRef + "*"},
	} {
		if _, err := g.run(ctx, false, nil, "config", kv[0], kv[1]); err != nil {
			os.RemoveAll(g.gitDir)
			return false, err
		}
	}
	return true, nil
}

// Remove deletes the sync repository: the vault no longer syncs. The
// vault's files are left as they are.
func (r *Repo) Remove() error { return os.RemoveAll(r.git.gitDir) }

// Sync commits what is not committed yet, fetches, merges what came in,
// commits the join and pushes, as the package says. It waits up to wait for
// another process's sync, then returns ErrBusy. When the remote can't be
// reached it returns a *NotPushedError.
func (r *Repo) Sync(ctx context.Context, open Opener, wait time.Duration) (Result, error) {
	if !r.Syncs() {
		return Result{}, ErrNotSynced
	}
	g := r.ready()
	if _, err := findGit(); err != nil {
		return Result{}, err
	}
	release, ok, err := r.lock(wait)
	if err != nil {
		return Result{}, err
	}
	if !ok {
		return Result{}, ErrBusy
	}
	defer release()
	res, err := r.exchange(ctx, g, &lazyVault{open: open})
	r.recordStatus(res, err)
	return res, err
}

// lazyVault opens the vault on first use.
type lazyVault struct {
	open Opener
	v    *vault.Vault
	err  error
}

func (l *lazyVault) get() (*vault.Vault, error) {
	if l.v == nil && l.err == nil {
		if l.open == nil {
			l.err = errors.New("the vault is needed to merge, and was not opened")
		} else {
			l.v, l.err = l.open()
		}
	}
	return l.v, l.err
}

// pushTries bounds the fetch, merge and push rounds of a sync that keeps
// losing the race to push.
const pushTries = 5

func (r *Repo) exchange(ctx context.Context, g *git, lv *lazyVault) (Result, error) {
	var res Result
	if _, err := r.commitLocal(ctx); err != nil {
		return res, err
	}
	for try := 1; ; try++ {
		if _, err := g.run(ctx, true, nil, "fetch", "-q", "--prune", "--no-tags", "origin"); err != nil {
			return res, r.notPushed(ctx, err)
		}
		local, err := g.ref(ctx, localRef)
		if err != nil {
			return res, err
		}
		remote, err := g.ref(ctx, remoteRef)
		if err != nil {
			return res, err
		}
		out := -1 // the changes the remote lacks; -1: counted below
		if remote == "" {
			// Publishing: a vault.age written before vaults were
			// authenticated is saved again first, so that it goes out
			// authenticated, as other machines require.
			if !res.Published {
				if err := r.resave(ctx, lv); err != nil {
					return res, err
				}
				if local, err = g.ref(ctx, localRef); err != nil {
					return res, err
				}
			}
			res.Published = true
		} else if remote != local {
			var h history // of no local commit: nothing to push
			if local != "" {
				if h, err = g.compare(ctx, local, remote); err != nil {
					return res, err
				}
			}
			out = h.out
			if !h.ahead {
				in, merged, err := r.merge(ctx, g, local, remote, h.base, lv)
				res.In += in
				res.Merged = res.Merged || merged
				if err != nil {
					return res, err
				}
				if !merged {
					out++ // the join's commit, if it made one
				}
			}
		}
		if local, err = g.ref(ctx, localRef); err != nil || local == "" || local == remote {
			return res, err
		}
		if out < 0 {
			if out, err = g.count(ctx, local, remote); err != nil {
				return res, err
			}
		}
		raced, err := g.push(ctx)
		if err == nil {
			res.Out += out
			return res, nil
		}
		if !raced || try == pushTries {
			return res, r.notPushed(ctx, err)
		}
	}
}

// resave authenticates a vault.age from before authentication, so that
// what is published can be checked, and commits it.
func (r *Repo) resave(ctx context.Context, lv *lazyVault) error {
	// Most vaults are authenticated already: no need to ask for the key.
	if ok, err := r.store.CarriesAuthentication(); err != nil || !ok {
		v, err := lv.get()
		if err != nil {
			return err
		}
		if _, err := v.Authenticate(); err != nil {
			return err
		}
	}
	_, err := r.commitLocal(ctx)
	return err
}

// history is how the local branch stands to the remote's.
type history struct {
	ahead bool   // the remote's commit is in the local branch
	base  string // their merge base; "" when they never met
	out   int    // the local changes (commits other than merges) the remote lacks
}

// compare compares the local branch's commit with the remote's, both
// there, from one git rev-list: the local commits the remote lacks, with
// their parents, and the boundary (the remote's commits they descend from,
// among which is every merge base). The remote's commit is in the local
// branch if it is on the boundary.
func (g *git) compare(ctx context.Context, local, remote string) (history, error) {
	out, err := g.out(ctx, "rev-list", "--parents", "--boundary", local, "^"+remote)
	if err != nil {
		return history{}, err
	}
	var h history
	var commits int
	var boundary []string
	for _, line := range strings.Split(out, "\n") {
		f := strings.Fields(line)
		switch {
		case len(f) == 0:
		case strings.HasPrefix(f[0], "-"):
			boundary = append(boundary, f[0][1:])
		default:
			commits++
			if len(f) <= 2 { // a commit and its parent, if any
				h.out++
			}
		}
	}
	h.ahead = slices.Contains(boundary, remote)
	switch {
	case commits == 0: // the local commit is in the remote's history
		h.base = local
	case h.ahead:
		h.base = remote
	case len(boundary) == 1:
		h.base = boundary[0]
	case len(boundary) > 1: // which is a merge base: git says
		h.base, err = g.out(ctx, "merge-base", local, remote)
	}
	return h, err
}

// count counts the changes (commits other than merges) in local that are
// not in remote ("" for none).
func (g *git) count(ctx context.Context, local, remote string) (int, error) {
	args := []string{"rev-list", "--count", "--no-merges", local}
	if remote != "" {
		args = append(args, "^"+remote)
	}
	out, err := g.out(ctx, args...)
	if err != nil {
		return 0, err
	}
	return strconv.Atoi(out)
}

// push pushes the local branch, never forced. It reports whether the
// remote refused it because it moved since the fetch (a race to push).
func (g *git) push(ctx context.Context) (raced bool, err error) {
	out, err := g.run(ctx, true, nil, "push", "--porcelain", "origin", localRef+":"+localRef)
	if err != nil {
		s := string(out)
		raced = strings.Contains(s, "[rejected]") || strings.Contains(s, "[remote rejected]") ||
			strings.Contains(s, "fetch first") || strings.Contains(s, "non-fast-forward")
	}
	return raced, err
}

// notPushed wraps err, the failure to reach the remote, with how many
// changes wait to go out.
func (r *Repo) notPushed(ctx context.Context, err error) error {
	var e *Error
	if !errors.As(err, &e) {
		return err
	}
	waiting, _ := r.waiting(ctx)
	return &NotPushedError{Waiting: waiting, Err: err}
}

// waiting counts the changes committed here that the remote lacks.
func (r *Repo) waiting(ctx context.Context) (int, error) {
	g := r.ready()
	local, err := g.ref(ctx, localRef)
	if err != nil || local == "" {
		return 0, err
	}
	remote, err := g.ref(ctx, remoteRef)
	if err != nil {
		return 0, err
	}
	return g.count(ctx, local, remote)
}

// merge joins the remote's commit with the local branch (local is "" when
// it has no commit yet; base is their merge base), as the package says, and
// returns how many changes came in and whether both sides had changed.
func (r *Repo) merge(ctx context.Context, g *git, local, remote, base string, lv *lazyVault) (in int, merged bool, err error) {
	objs, err := g.objects(ctx)
	if err != nil {
		return 0, false, err
	}
	defer objs.close()
	theirs, err := objs.tree(remote)
	if err != nil {
		return 0, false, err
	}
	vf, ok := theirs[vault.VaultFile]
	if !ok {
		return 0, false, ErrRemoteNoVault
	}
	ct, err := objs.blob(vault.VaultFile, vf, vault.MaxVaultSize)
	if err != nil {
		return 0, false, err
	}
	v, err := lv.get()
	if err != nil {
		return 0, false, err
	}
	if err := v.SameVault(ct); errors.Is(err, vault.ErrOtherVault) {
		return 0, false, &OtherVaultError{Remote: hidePassword(r.Remote())}
	} else if err != nil {
		return 0, false, fmt.Errorf("the remote's vault.age: %w", err)
	}
	accounts, behind, err := mergeFile(v, ct)
	if err != nil {
		return 0, false, err
	}
	in = accounts
	// No merge base: two histories that never met (a vault published
	// twice); everything on both sides is new.
	merged = base != local
	bases, err := objs.tree(base)
	if err != nil {
		return in, merged, err
	}
	ours, err := objs.tree(local)
	if err != nil {
		return in, merged, err
	}
	taken, same, err := r.mergeRecipients(objs, bases, ours, theirs)
	in += taken
	if err != nil {
		return in, merged, err
	}
	id := vault.IdentityFile
	if !behind && same && (ours[id] == bases[id] || ours[id] == theirs[id]) {
		return in, merged, r.adopt(ctx, g, remote)
	}
	parents := []string{remote}
	if merged {
		parents = []string{local, remote}
	}
	return in, merged, r.commitMerge(ctx, g, local, parents)
}

// mergeRecipients merges recipients/ by name against the merge base: a
// recipient (its .age and .pub together) added, changed or removed on one
// side is taken; changed on both, this machine's is kept, and so is one
// removed on one side and changed on the other. It writes what it takes to
// the vault directory, returns how many it took, and whether the directory
// now holds the remote's recipients exactly.
func (r *Repo) mergeRecipients(objs *objects, bases, ours, theirs map[string]string) (taken int, same bool, err error) {
	type pair struct{ key, pub string } // their blobs' ids
	of := func(files map[string]string) map[string]pair {
		m := map[string]pair{}
		for path, e := range files {
			rel, ok := strings.CutPrefix(path, vault.RecipientsDir+"/")
			if !ok {
				continue
			}
			if name, ok := strings.CutSuffix(rel, vault.RecipientKey); ok && vault.CheckRecipientName(name) == nil {
				p := m[name]
				p.key = e
				m[name] = p
			} else if name, ok := strings.CutSuffix(rel, vault.RecipientPub); ok && vault.CheckRecipientName(name) == nil {
				p := m[name]
				p.pub = e
				m[name] = p
			}
		}
		return m
	}
	b, o, t := of(bases), of(ours), of(theirs)
	names := map[string]bool{}
	for _, m := range []map[string]pair{o, t} {
		for n := range m {
			names[n] = true
		}
	}
	same = true
	for name := range names {
		ob, tb, bb := o[name], t[name], b[name]
		take := ob == bb || ob.key == "" && tb != bb
		switch {
		case ob == tb:
			continue
		case !take:
			same = false
			continue
		case tb.key == "":
			if err := r.store.RemoveRecipient(name); err != nil && !errors.Is(err, vault.ErrNoRecipient) {
				return taken, false, err
			}
		default:
			key, err := objs.blob(name, tb.key, vault.MaxKeyFileSize)
			if err != nil {
				return taken, false, err
			}
			pub, err := objs.blob(name, tb.pub, vault.MaxKeyFileSize)
			if err != nil {
				return taken, false, err
			}
			if err := r.store.PutRecipient(name, key, pub); err != nil {
				return taken, false, fmt.Errorf("the remote's recipient %s: %w", name, err)
			}
		}
		taken++
	}
	return taken, same, nil
}

// adopt moves the local branch to the remote's commit, whose content the
// local files are (the merge took everything, and nothing goes out).
func (r *Repo) adopt(ctx context.Context, g *git, remote string) error {
	_, contents, err := r.localFiles()
	if err != nil {
		return err
	}
	if _, err := g.run(ctx, false, nil, "update-ref", "-m", "vmfa", localRef, remote); err != nil {
		return err
	}
	return r.writeState(state{Commit: remote, Files: sums(contents)})
}

// commitMerge commits the local files with parents, and moves the local
// branch there if it is still at local.
func (r *Repo) commitMerge(ctx context.Context, g *git, local string, parents []string) error {
	_, contents, err := r.localFiles()
	if err != nil {
		return err
	}
	commit, err := g.writeCommit(ctx, contents, parents)
	if err != nil {
		return err
	}
	update := []string{"update-ref", "-m", "vmfa", localRef, commit}
	if local != "" {
		update = append(update, local)
	}
	if _, err := g.run(ctx, false, nil, update...); err != nil {
		return err
	}
	return r.writeState(state{Commit: commit, Files: sums(contents)})
}

// scratchRef is the ref git fast-import makes its commit on, and deletes
// in the same run: the local branch moves only by update-ref, which checks
// where it is first.
const scratchRef = "refs/vmfa-commit"

// writeCommit writes a commit of files (path and content) with parents,
// as vmfa's other commits are, and returns its id: blobs, tree and commit
// in one git fast-import.
func (g *git) writeCommit(ctx context.Context, files map[string][]byte, parents []string) (string, error) {
	var s bytes.Buffer
	fmt.Fprintf(&s, "commit %s\nmark :1\nauthor %[2]s now\ncommitter %[2]s now\ndata 5\nvmfa\n", scratchRef, identity)
	for i, p := range parents {
		verb := "merge"
		if i == 0 {
			verb = "from"
		}
		fmt.Fprintf(&s, "%s %s\n", verb, p)
	}
	s.WriteString("deleteall\n")
	for _, path := range slices.Sorted(maps.Keys(files)) {
		if strings.ContainsAny(path, "\n\"") {
			return "", fmt.Errorf("can't commit a file named %q", path)
		}
		fmt.Fprintf(&s, "M 100644 inline %s\ndata %d\n", path, len(files[path]))
		s.Write(files[path])
		s.WriteString("\n")
	}
	fmt.Fprintf(&s, "get-mark :1\nreset %s\nfrom %s\n\ndone\n", scratchRef, strings.Repeat("0", 40))
	out, err := g.run(ctx, false, s.Bytes(), "fast-import", "--quiet", "--done", "--date-format=now")
	return strings.TrimSpace(string(out)), err
}

// Status is what Repo.Status reports.
type Status struct {
	// Configured says the vault syncs: always true in what Status
	// returns, for scripts that read {"configured":false} too.
	Configured bool   `json:"configured"`
	Remote     string `json:"remote"`
	// LastExchange is when a sync last reached the remote; zero if
	// never.
	LastExchange time.Time `json:"last_exchange,omitzero"`
	// LastTry is when a sync last tried; Error is why it failed, if it
	// did ("" if it succeeded).
	LastTry time.Time `json:"last_try,omitzero"`
	Error   string    `json:"error,omitempty"`
	// Offline says the last sync failed to reach the remote.
	Offline bool `json:"offline"`
	// Last is what the last successful sync moved.
	Last Result `json:"last"`
	// Waiting counts the changes made here that the remote lacks.
	Waiting int `json:"waiting"`
}

// Status says whether and how the vault syncs, without the network. It
// returns ErrNotSynced for a vault that does not sync.
func (r *Repo) Status(ctx context.Context) (Status, error) {
	if !r.Syncs() {
		return Status{}, ErrNotSynced
	}
	st := r.readStatus()
	st.Configured, st.Remote = true, hidePassword(r.Remote())
	waiting, err := r.waiting(ctx)
	if err != nil {
		return st, err
	}
	st.Waiting = waiting
	if _, contents, err := r.localFiles(); err == nil {
		if sums := sums(contents); complete(sums) && !maps.Equal(r.readState().Files, sums) {
			st.Waiting++ // a change not committed yet
		}
	}
	return st, nil
}

func (r *Repo) readStatus() Status {
	var st Status
	if b, err := os.ReadFile(filepath.Join(r.git.gitDir, statusFile)); err == nil {
		json.Unmarshal(b, &st)
	}
	return st
}

// recordStatus notes the outcome of a sync for Status.
func (r *Repo) recordStatus(res Result, err error) {
	st := r.readStatus()
	st.LastTry = r.now()
	st.Error, st.Offline = "", false
	if err != nil {
		st.Error = err.Error()
		st.Offline = errors.As(err, new(*NotPushedError))
	} else {
		st.LastExchange = st.LastTry
		st.Last = res
	}
	st.Remote, st.Waiting = "", 0
	if b, err := json.Marshal(st); err == nil {
		atomicfile.Write(filepath.Join(r.git.gitDir, statusFile), b)
	}
}
