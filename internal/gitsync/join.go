package gitsync

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/vmfa/vmfa/vault"
)

// ErrRemoteEmpty is the error of joining a remote that holds no vault yet.
var ErrRemoteEmpty = errors.New("the remote holds no vault yet")

// joinPrefix names the directory a join fills before it becomes the vault
// directory.
const joinPrefix = ".vmfa-join-"

// Join makes the vault directory of store, which must hold no vault, a copy
// of the vault the remote at url holds, syncing with it.
//
// The remote's files are fetched into a new directory beside it, which open
// is given: it must open the vault there with the user's passphrase or key,
// and vault.age must then pass the merge's authentication. Only then is that directory
// renamed into place, whole, so that a join that fails or is killed leaves
// no vault behind, only a hidden directory that the next join removes. A
// vault directory that exists must hold nothing but vault.lock.
func Join(ctx context.Context, store *vault.Store, url string, timeout time.Duration, open func(*vault.Store) (*vault.Vault, error)) error {
	dir := filepath.Clean(store.Dir())
	if err := checkJoinable(dir); err != nil {
		return err
	}
	parent := filepath.Dir(dir)
	if err := os.MkdirAll(parent, 0o700); err != nil {
		return err
	}
	removeStaleJoins(parent)
	staging, err := os.MkdirTemp(parent, joinPrefix+"*")
	if err != nil {
		return err
	}
	done := false
	defer func() {
		if !done {
			os.RemoveAll(staging)
		}
	}()
	if err := os.Chmod(staging, 0o700); err != nil {
		return err
	}
	r := Open(vault.Open(staging))
	r.Timeout = timeout
	if _, err := r.Init(ctx, url); err != nil {
		return err
	}
	g := r.ready()
	release, _, err := r.lock(0)
	if err != nil {
		return err
	}
	defer release()
	if _, err := g.run(ctx, true, nil, "fetch", "-q", "--no-tags", "origin"); err != nil {
		return err
	}
	remote, err := g.ref(ctx, remoteRef)
	if err != nil {
		return err
	}
	if remote == "" {
		return ErrRemoteEmpty
	}
	if err := r.checkout(ctx, g, remote); err != nil {
		return err
	}
	v, err := open(r.store)
	if err != nil {
		return err
	}
	// Reading vault.age takes one written before vaults were
	// authenticated; merging it with itself takes only an authentic one.
	ct, err := r.store.ReadTravelling(vault.VaultFile)
	if err != nil {
		return err
	}
	if _, _, err := mergeFile(v, ct); err != nil {
		return err
	}
	if err := r.adopt(ctx, g, remote); err != nil {
		return err
	}
	if err := moveIntoPlace(staging, dir); err != nil {
		return err
	}
	done = true
	return nil
}

// checkout writes the travelling files of commit into the (new) vault
// directory, 0600, refusing a commit without a vault.
func (r *Repo) checkout(ctx context.Context, g *git, commit string) error {
	objs, err := g.objects(ctx)
	if err != nil {
		return err
	}
	defer objs.close()
	files, err := objs.tree(commit)
	if err != nil {
		return err
	}
	if _, ok := files[vault.VaultFile]; !ok {
		return ErrRemoteNoVault
	}
	if _, ok := files[vault.IdentityFile]; !ok {
		return errors.New("the remote's branch holds no identity.age: it is not a whole vmfa vault")
	}
	for path, id := range files {
		max := int64(vault.MaxKeyFileSize)
		switch {
		case path == vault.VaultFile:
			max = vault.MaxVaultSize
		case path == vault.IdentityFile:
		case travellingRecipient(path):
			if err := os.MkdirAll(filepath.Join(g.workTree, vault.RecipientsDir), 0o700); err != nil {
				return err
			}
		default:
			continue // not a file of a vault: left in the repository
		}
		b, err := objs.blob(path, id, max)
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(g.workTree, filepath.FromSlash(path)), b, 0o600); err != nil {
			return err
		}
	}
	return nil
}

// travellingRecipient reports whether path is recipients/NAME.age or .pub
// of a valid name.
func travellingRecipient(path string) bool {
	rel, ok := strings.CutPrefix(path, vault.RecipientsDir+"/")
	if !ok {
		return false
	}
	name, ok := strings.CutSuffix(rel, vault.RecipientKey)
	if !ok {
		name, ok = strings.CutSuffix(rel, vault.RecipientPub)
	}
	return ok && vault.CheckRecipientName(name) == nil
}

// checkJoinable refuses a vault directory that holds anything but
// vault.lock.
func checkJoinable(dir string) error {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	var names []string
	for _, e := range entries {
		if e.Name() != "vault.lock" {
			names = append(names, e.Name())
		}
	}
	if len(names) > 0 {
		return fmt.Errorf("%s is not empty (it holds %s): a vault joins into an empty directory", dir, strings.Join(names, ", "))
	}
	return nil
}

// moveIntoPlace renames staging to dir, which must not exist or be empty
// but for vault.lock.
func moveIntoPlace(staging, dir string) error {
	if err := checkJoinable(dir); err != nil {
		return err
	}
	os.Remove(filepath.Join(dir, "vault.lock"))
	if err := os.Remove(dir); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return os.Rename(staging, dir)
}

// removeStaleJoins removes what joins killed half way left in parent.
func removeStaleJoins(parent string) {
	entries, _ := os.ReadDir(parent)
	for _, e := range entries {
		if e.IsDir() && strings.HasPrefix(e.Name(), joinPrefix) {
			os.RemoveAll(filepath.Join(parent, e.Name()))
		}
	}
}
