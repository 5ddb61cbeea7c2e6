package gitsync

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/gofrs/flock"

	"github.com/vmfa/vmfa/internal/atomicfile"
	"github.com/vmfa/vmfa/vault"
)

// Repo is the sync repository of one vault directory. It does nothing until
// one of its methods is called.
type Repo struct {
	store *vault.Store
	git   *git
	// Timeout bounds each network command; 0 is DefaultTimeout.
	Timeout time.Duration
	// NoTerminal runs git apart from the terminal, for a program that
	// owns it (the interface): nothing git starts can ask on it.
	NoTerminal bool
	now        func() time.Time
}

// Open returns the Repo of the vault directory of store.
func Open(store *vault.Store) *Repo {
	return &Repo{store: store, now: time.Now,
		git: &git{gitDir: filepath.Join(store.Dir(), GitDirName), workTree: store.Dir()}}
}

// Syncs reports whether the vault directory has a sync repository.
func (r *Repo) Syncs() bool {
	fi, err := os.Stat(r.git.gitDir)
	return err == nil && fi.IsDir()
}

func (r *Repo) ready() *git {
	r.git.timeout, r.git.noTerminal = r.Timeout, r.NoTerminal
	if r.git.timeout <= 0 {
		r.git.timeout = DefaultTimeout
	}
	return r.git
}

// lock takes the repository's lock, under which every git command runs,
// waiting up to wait for another process's sync (0: not at all, returning
// ok false), and removes what a killed git left.
func (r *Repo) lock(wait time.Duration) (release func(), ok bool, err error) {
	l := flock.New(filepath.Join(r.git.gitDir, lockName))
	deadline := time.Now().Add(wait)
	for {
		ok, err := l.TryLock()
		if err != nil {
			return nil, false, fmt.Errorf("can't lock %s: %w", r.git.gitDir, err)
		}
		if ok {
			break
		}
		if time.Now().After(deadline) {
			return nil, false, nil
		}
		time.Sleep(20 * time.Millisecond)
	}
	r.git.removeStaleLocks()
	return func() { l.Unlock() }, true, nil
}

// state is what sync.git/vmfa-state.json records: the commit whose content
// the local files are, and their SHA-256s. They are that commit's files
// byte for byte after a commit; after the branch moved to a remote's commit
// that held everything the local vault did, they are the local files, whose
// bytes differ but whose content the commit holds.
type state struct {
	Commit string            `json:"commit"`
	Files  map[string]string `json:"files"`
}

func (r *Repo) readState() state {
	var st state
	if b, err := os.ReadFile(filepath.Join(r.git.gitDir, stateFile)); err == nil {
		json.Unmarshal(b, &st)
	}
	return st
}

func (r *Repo) writeState(st state) error {
	b, err := json.Marshal(st)
	if err != nil {
		return err
	}
	return atomicfile.Write(filepath.Join(r.git.gitDir, stateFile), b)
}

// localFiles returns the travelling files of the vault directory and the
// contents of those still there.
func (r *Repo) localFiles() ([]string, map[string][]byte, error) {
	files, err := r.store.TravellingFiles()
	if err != nil {
		return nil, nil, err
	}
	contents := make(map[string][]byte, len(files))
	for _, f := range files {
		b, err := r.store.ReadTravelling(f)
		if errors.Is(err, fs.ErrNotExist) {
			continue // removed since it was listed: the next commit has it
		}
		if err != nil {
			return nil, nil, err
		}
		contents[f] = b
	}
	return files, contents, nil
}

// sums returns the SHA-256s of files' contents.
func sums(contents map[string][]byte) map[string]string {
	sums := make(map[string]string, len(contents))
	for f, b := range contents {
		sum := sha256.Sum256(b)
		sums[f] = hex.EncodeToString(sum[:])
	}
	return sums
}

// complete reports whether files hold a whole vault: a commit without
// vault.age or identity.age would tell every other machine nothing useful,
// and a join killed half way leaves such a directory.
func complete(sums map[string]string) bool {
	return sums[vault.VaultFile] != "" && sums[vault.IdentityFile] != ""
}

// Commit commits the travelling files of the vault directory of store if
// they changed since the last commit, without the network. It is what
// vault.OnChange calls after every change: with no sync repository it costs
// one stat, and when another vmfa process is syncing it does nothing, as
// that sync, or the next, commits the change.
func Commit(store *vault.Store) error {
	r := Open(store)
	if !r.Syncs() {
		return nil
	}
	release, ok, err := r.lock(0)
	if err != nil || !ok {
		return err
	}
	defer release()
	_, err = r.commitLocal(context.Background())
	return err
}

// commitLocal commits the local files if they changed since the state
// recorded, and returns whether it did. The caller holds the lock.
func (r *Repo) commitLocal(ctx context.Context) (bool, error) {
	files, contents, err := r.localFiles()
	if err != nil {
		return false, err
	}
	sums := sums(contents)
	st := r.readState()
	if maps.Equal(st.Files, sums) || !complete(sums) {
		return false, nil
	}
	g := r.ready()
	if err := g.stage(ctx, files); err != nil {
		return false, err
	}
	// "nothing to commit": the files are the last commit's already.
	out, err := g.run(ctx, false, nil, "commit", "-q", "--no-verify", "--untracked-files=no", "-m", "vmfa")
	if err != nil && !strings.Contains(string(out), "nothing to commit") {
		return false, err
	}
	head, err := g.ref(ctx, localRef)
	if err != nil {
		return false, err
	}
	return true, r.writeState(state{Commit: head, Files: sums})
}

// stage makes the index hold exactly files, as they are in the work tree:
// a new index, so that a file removed is no longer in it. -f: a user's
// global ignore rules (*.age, say) must not leave one out.
func (g *git) stage(ctx context.Context, files []string) error {
	if err := os.Remove(filepath.Join(g.gitDir, "index")); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	if len(files) == 0 {
		return nil
	}
	_, err := g.run(ctx, false, nil, append([]string{"add", "-f", "--"}, files...)...)
	return err
}

// ref returns the commit of ref ("" if there is none): its loose ref file,
// which every update of it writes, else what git says (a packed ref). It
// saves an idle sync a git process or two.
func (g *git) ref(ctx context.Context, ref string) (string, error) {
	if b, err := os.ReadFile(filepath.Join(g.gitDir, filepath.FromSlash(ref))); err == nil {
		if id := strings.TrimSpace(string(b)); len(id) == 40 && strings.Trim(id, "0123456789abcdef") == "" {
			return id, nil
		}
	}
	return g.commitOf(ctx, ref)
}

// CommitChange is Commit for vault.OnChange, which has no one to tell of a
// failure: the next sync commits what this one could not.
func CommitChange(dir string) { Commit(vault.Open(dir)) }
