package vault

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
)

// Conflict copies.
//
// A vault directory kept in a file-sync tool gets, when two machines save
// vault.age before the tool has carried one's save to the other, a second
// copy beside it: Syncthing's vault.sync-conflict-DATE-TIME-DEVICE.age,
// Dropbox's and Nextcloud's "vault (… conflicted copy …).age", ownCloud's
// vault_conflict-….age, "vault (1).age", iCloud's "vault 2.age". Such a copy
// holds changes vault.age lacks. FoldConflictCopies merges each into the
// vault (MergeFile) and moves it to backups/, where it is kept as a
// generation; a copy that is not authenticated by the vault's key, or
// can't be read, is left where it is, and said so every time.

// conflictCopy matches the middle of a conflict copy's name, between
// "vault" and ".age".
var conflictCopy = regexp.MustCompile(`^(\.sync-conflict-.+|[ _.-]\(?.*[Cc]onflict.*|_conflict-.+| \([0-9]{1,3}\)| [0-9]{1,3})$`)

// isConflictCopy reports whether name, in the vault directory, is a
// file-sync tool's conflict copy of vault.age.
func isConflictCopy(name string) bool {
	mid, ok := strings.CutPrefix(name, strings.TrimSuffix(vaultFile, genSuffix))
	if !ok {
		return false
	}
	mid, ok = strings.CutSuffix(mid, genSuffix)
	return ok && mid != "" && conflictCopy.MatchString(mid)
}

// conflictCopies lists the conflict copies in the vault directory, by name.
func (s *Store) conflictCopies() []string {
	entries, err := os.ReadDir(s.dir)
	if err != nil {
		return nil
	}
	var names []string
	for _, e := range entries {
		if isConflictCopy(e.Name()) {
			names = append(names, e.Name())
		}
	}
	return names
}

// HasConflictCopies reports whether a file-sync tool left conflict copies
// of vault.age in the vault directory, for FoldConflictCopies to merge. It
// costs one directory read.
func (s *Store) HasConflictCopies() bool { return len(s.conflictCopies()) > 0 }

// A FoldedCopy is what FoldConflictCopies did with one conflict copy.
type FoldedCopy struct {
	Name   string      // the copy's name in the vault directory
	Report MergeReport // when merged
	Kept   string      // the generation it is kept as, when merged
	Err    error       // why it was not merged and is left in place
}

// String is the one line a front end says of it.
func (f FoldedCopy) String() string {
	if f.Err != nil {
		return fmt.Sprintf("warning: the conflict copy %q is left in place: %v", f.Name, f.Err)
	}
	return fmt.Sprintf("merged the conflict copy %q (%s) and kept it as the version %s in %s",
		f.Name, accountsText(f.Report.In, "changed here"), f.Kept, backupsDir)
}

func accountsText(n int, what string) string {
	if n == 1 {
		return "1 account " + what
	}
	return fmt.Sprintf("%d accounts %s", n, what)
}

// FoldConflictCopies merges the conflict copies file-sync tools left in the
// vault directory into the vault, each as MergeFile does, and moves each
// copy merged to backups/, where it is kept as a generation. A copy that
// is refused (not authenticated by the vault's key, another vault's,
// damaged) is left in place with its error. It does nothing, and costs one
// directory read, when there are none.
func (v *Vault) FoldConflictCopies() ([]FoldedCopy, error) {
	names := v.store.conflictCopies()
	if len(names) == 0 {
		return nil, nil
	}
	var folded []FoldedCopy
	for _, name := range names {
		f := FoldedCopy{Name: name}
		f.Report, f.Kept, f.Err = v.foldCopy(name)
		if errors.Is(f.Err, ErrBusy) || errors.Is(f.Err, ErrKeyUnavailable) {
			return folded, f.Err
		}
		folded = append(folded, f)
	}
	return folded, nil
}

// foldCopy merges one conflict copy and keeps it as a generation.
func (v *Vault) foldCopy(name string) (MergeReport, string, error) {
	path := v.store.path(name)
	ct, err := readFile(path, maxVaultSize)
	if err != nil {
		return MergeReport{}, "", err
	}
	other, err := v.openCopy(ct)
	if err != nil {
		return MergeReport{}, "", err
	}
	release, err := lock(v.store.dir)
	if err != nil {
		return MergeReport{}, "", err
	}
	defer release()
	r, err := v.merge(other)
	if err != nil {
		return MergeReport{}, "", err
	}
	// Killed before the copy is moved, the next fold merges it again,
	// which changes nothing, and moves it.
	kept, err := v.store.keepAsGeneration(path)
	return r, kept, err
}

// keepAsGeneration moves the file at path, a copy of vault.age, to
// backups/ as the newest generation, and returns its ID. The caller holds
// the lock.
func (s *Store) keepAsGeneration(path string) (string, error) {
	dir := s.BackupsDir()
	if err := os.Mkdir(dir, 0o700); err != nil && !errors.Is(err, os.ErrExist) {
		return "", err
	}
	if err := checkDir(dir); err != nil {
		return "", err
	}
	gens, err := s.generations()
	if err != nil {
		return "", err
	}
	g := nextGeneration(s.now(), gens)
	// A file-sync tool makes its copies as the umask says.
	if err := os.Chmod(path, 0o600); err != nil {
		return "", err
	}
	if err := os.Rename(path, filepath.Join(dir, g.file())); err != nil {
		return "", err
	}
	if err := syncDir(dir); err != nil {
		return "", err
	}
	return g.id, syncDir(s.dir)
}
