package vault

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// Generations: every save keeps the version of vault.age it replaces in
// backups/, as a hard link (or, where there are none, a copy) named after the
// time that version was saved, and prunes the oldest beyond the number the
// vault keeps. A generation is a vault.age like any other: stock age
// decrypts it with identity.age.

const (
	backupsDir  = "backups"
	genPrefix   = "vault-"
	genSuffix   = ".age"
	genIDLayout = "20060102T150405.000000Z" // UTC, fixed width: names sort by time
)

// BackupsDir returns the directory where previous versions of vault.age are
// kept.
func (s *Store) BackupsDir() string { return s.path(backupsDir) }

// generation is a previous version of vault.age kept in backups/.
type generation struct {
	id   string    // genIDLayout
	time time.Time // when that version was saved
}

func (g generation) file() string { return genPrefix + g.id + genSuffix }

// parseGeneration recognizes the name of a generation file.
func parseGeneration(name string) (generation, bool) {
	id, ok := strings.CutPrefix(name, genPrefix)
	if id, ok2 := strings.CutSuffix(id, genSuffix); ok && ok2 {
		t, err := time.Parse(genIDLayout, id)
		if err == nil && t.Format(genIDLayout) == id {
			return generation{id: id, time: t}, true
		}
	}
	return generation{}, false
}

// generations lists the generations in backups/, oldest first. Other files
// there are not vmfa's business.
func (s *Store) generations() ([]generation, error) {
	entries, err := os.ReadDir(s.BackupsDir())
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var gens []generation
	for _, e := range entries {
		if g, ok := parseGeneration(e.Name()); ok && e.Type().IsRegular() {
			gens = append(gens, g)
		}
	}
	// ReadDir sorts by name, which is by time.
	return gens, nil
}

// keepGeneration keeps vault.age in backups/ before a save replaces it, and
// returns the ID it got and how to remove it again should the save fail. It
// does nothing when there is no vault.age yet, or when the newest generation
// is vault.age already (a writer was killed after keeping it). Before it
// keeps one, it prunes to limit, so that writers killed one after another
// between keeping and pruning never leave more than limit+1. The generation
// is on disk when it returns, backups/ synced (and the vault directory, if
// backups/ is new), so that a power cut after vault.age is replaced can't
// take both versions. The caller must hold the lock.
func (s *Store) keepGeneration(limit int) (id string, undo func(), err error) {
	undo = func() {}
	current := s.path(vaultFile)
	fi, err := os.Lstat(current)
	if errors.Is(err, fs.ErrNotExist) {
		return "", undo, nil
	}
	if err != nil {
		return "", undo, err
	}
	dir := s.BackupsDir()
	if err := os.Mkdir(dir, 0o700); err == nil {
		if err := os.Chmod(dir, 0o700); err != nil { // whatever the umask
			return "", undo, err
		}
		// A generation in a directory that a power cut forgets is lost.
		if err := syncDir(s.dir); err != nil {
			return "", undo, err
		}
	} else if !errors.Is(err, fs.ErrExist) {
		return "", undo, err
	}
	if err := checkDir(dir); err != nil {
		return "", undo, err
	}
	removeStaleTemps(dir)
	gens, err := s.generations()
	if err != nil {
		return "", undo, err
	}
	var kept []string
	undo = func() {
		for _, p := range kept {
			os.Remove(p)
		}
	}
	keep := func(src string, saved time.Time) (generation, error) {
		g := nextGeneration(saved, gens)
		dst := filepath.Join(dir, g.file())
		if err := linkOrCopy(src, dst); err != nil {
			return g, err
		}
		kept = append(kept, dst)
		gens = append(gens, g)
		return g, nil
	}
	if len(gens) == 0 {
		// A vault saved by a vmfa without generations has only
		// vault.age.bak: keep it too.
		bak := current + bakSuffix
		if bfi, err := os.Lstat(bak); err == nil && bfi.Mode().IsRegular() && !os.SameFile(bfi, fi) {
			if _, err := keep(bak, bfi.ModTime()); err != nil {
				undo()
				return "", func() {}, err
			}
		}
	}
	// The generation must be on disk before vault.age is replaced: a
	// power cut between the two must not take both.
	durable := func(id string) (string, func(), error) {
		if err := syncDir(dir); err != nil {
			undo()
			return "", func() {}, err
		}
		return id, undo, nil
	}
	if n := len(gens); n > 0 {
		if nfi, err := os.Lstat(filepath.Join(dir, gens[n-1].file())); err == nil && os.SameFile(nfi, fi) {
			return durable(gens[n-1].id)
		}
	}
	if len(gens) > limit {
		s.pruneGenerations(limit)
		if gens, err = s.generations(); err != nil {
			undo()
			return "", func() {}, err
		}
	}
	g, err := keep(current, fi.ModTime())
	if err != nil {
		undo()
		return "", func() {}, err
	}
	return durable(g.id)
}

// nextGeneration names a version saved at t so that it sorts after every
// generation there is, even if the clock went back or two saves fell in
// the same microsecond.
func nextGeneration(t time.Time, gens []generation) generation {
	t = t.UTC().Truncate(time.Microsecond)
	if n := len(gens); n > 0 && !t.After(gens[n-1].time) {
		t = gens[n-1].time.Add(time.Microsecond)
	}
	return generation{id: t.Format(genIDLayout), time: t}
}

// linkOrCopy makes dst the same file as src: a hard link, or where links
// are not supported, a synced copy renamed into place.
func linkOrCopy(src, dst string) error {
	err := link(src, dst)
	if err == nil {
		traceDurable("link", dst)
	}
	if err == nil || errors.Is(err, fs.ErrExist) {
		return err
	}
	tmp, err := copyToTemp(src, filepath.Dir(dst), "."+vaultFile+tmpMark+"*")
	if err != nil {
		return err
	}
	if err := os.Rename(tmp, dst); err != nil {
		os.Remove(tmp)
		return err
	}
	traceDurable("rename", dst)
	return nil
}

// pruneGenerations removes the oldest generations beyond keep, and syncs
// backups/. Errors are ignored: the next save tries again.
func (s *Store) pruneGenerations(keep int) {
	gens, err := s.generations()
	if err != nil {
		return
	}
	for _, g := range gens[:max(len(gens)-keep, 0)] {
		os.Remove(filepath.Join(s.BackupsDir(), g.file()))
	}
	syncDir(s.BackupsDir())
}

// Revision is a version of vault.age: the current one, or a generation kept
// in backups/.
type Revision struct {
	// ID names a generation for Restore; it is "" for the current version.
	ID       string
	Time     time.Time // when it was saved
	Accounts int       // how many accounts it holds
	// Changes is what changed since the version before it, which is nil
	// when that one is gone (the oldest kept) or can't be read.
	Changes []Change
	// Err says why the version can't be read (a *DamagedError); then
	// Accounts and Changes are zero.
	Err error
}

// Current reports whether r is the current version, vault.age.
func (r Revision) Current() bool { return r.ID == "" }

// ChangeKind is what happened to an account between two versions.
type ChangeKind string

const (
	Added   ChangeKind = "added"
	Removed ChangeKind = "removed"
	Renamed ChangeKind = "renamed"
	Stepped ChangeKind = "counter" // only its HOTP counter moved
	Changed ChangeKind = "changed" // something else: its note, pin or secret
)

// Change is a change to one account between two versions. It names the
// account by its labels, never by anything secret.
type Change struct {
	Kind  ChangeKind
	Label string // after the change; for Removed, before it
	From  string // for Renamed, the label before
	// CounterFrom and CounterTo are an HOTP account's counter before and
	// after, for Stepped and for a Changed whose counter moved too; they
	// are equal when it did not.
	CounterFrom, CounterTo uint64
}

func (c Change) String() string {
	switch {
	case c.Kind == Renamed:
		return fmt.Sprintf("renamed %s to %s", c.From, c.Label)
	case c.Kind == Stepped:
		return fmt.Sprintf("%s counter %d → %d", c.Label, c.CounterFrom, c.CounterTo)
	case c.CounterFrom != c.CounterTo:
		return fmt.Sprintf("%s %s (counter %d → %d)", c.Kind, c.Label, c.CounterFrom, c.CounterTo)
	}
	return fmt.Sprintf("%s %s", c.Kind, c.Label)
}

// History returns the versions of the vault, newest first: the current one,
// then the generations kept in backups/. It takes no lock: a generation
// pruned while it reads is left out.
func (v *Vault) History() ([]Revision, error) {
	s := v.store
	if err := checkDir(s.BackupsDir()); err != nil {
		return nil, err
	}
	gens, err := s.generations()
	if err != nil {
		return nil, err
	}
	var versions []Revision
	var data []*Data
	for _, g := range gens {
		path := filepath.Join(s.BackupsDir(), g.file())
		d, err := v.loadGeneration(path)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		versions = append(versions, Revision{ID: g.id, Time: g.time, Err: err})
		data = append(data, d)
	}
	cur := Revision{}
	if fi, err := os.Stat(s.path(vaultFile)); err == nil {
		cur.Time = fi.ModTime()
	}
	d, err := v.Load()
	cur.Err = err
	versions, data = append(versions, cur), append(data, d)

	for i, d := range data {
		if d == nil {
			continue
		}
		versions[i].Accounts = len(d.Accounts)
		if i > 0 && data[i-1] != nil {
			versions[i].Changes = changes(data[i-1], d)
		}
	}
	slices.Reverse(versions)
	return versions, nil
}

// loadGeneration reads and decrypts a generation.
func (v *Vault) loadGeneration(path string) (*Data, error) {
	ct, err := readFile(path, maxVaultSize)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	if err == nil {
		var d *Data
		// Generations from before authentication are the user's own
		// backups, kept here: read, but never with a wrong tag.
		if d, err = v.decryptData(ct, func() bool { return true }); err == nil {
			return d, nil
		}
	}
	if errors.Is(err, ErrKeyUnavailable) {
		return nil, err
	}
	if errors.Is(err, ErrNewerVersion) || errors.Is(err, ErrUnauthenticated) {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return nil, &DamagedError{Path: path, Err: err}
}

// changes lists what changed from prev to next, by account ID: removals in
// prev's order, then additions, renames and other changes in next's.
func changes(prev, next *Data) []Change {
	cs := []Change{}
	before := make(map[string]Entry, len(prev.Accounts))
	for _, e := range prev.Accounts {
		before[e.ID] = e
	}
	for _, e := range prev.Accounts {
		if next.Index(e.ID) < 0 {
			cs = append(cs, Change{Kind: Removed, Label: e.Label()})
		}
	}
	for _, e := range next.Accounts {
		old, ok := before[e.ID]
		switch {
		case !ok:
			cs = append(cs, Change{Kind: Added, Label: e.Label()})
		case old.Label() != e.Label():
			cs = append(cs, Change{Kind: Renamed, Label: e.Label(), From: old.Label()})
		case old != e:
			cs = append(cs, changed(old, e))
		}
	}
	return cs
}

// changed describes an account that changed but kept its label: Stepped
// when only its HOTP counter moved.
func changed(old, e Entry) Change {
	c := Change{Kind: Changed, Label: e.Label(), CounterFrom: old.Counter, CounterTo: e.Counter}
	old.Counter = e.Counter
	if old == e {
		c.Kind = Stepped
	}
	return c
}

// Restore makes the generation id the current version, and returns it and
// the ID of the generation the version it replaced was kept as, so that a
// restore can itself be undone. id may also be the generation's file name,
// or any part of its ID that begins it and names no other.
//
// The vault's setting of how many generations to keep stays as it is, and
// so do the HOTP counters where the version restored has lower ones: their
// codes were handed out since (counters.go). A
// current vault.age that is damaged, or from a newer vmfa, is kept as a
// generation like any other.
func (v *Vault) Restore(id string) (restored *Data, kept string, err error) {
	s := v.store
	release, err := lock(s.dir)
	if err != nil {
		return nil, "", err
	}
	defer release()
	if err := checkDir(s.BackupsDir()); err != nil {
		return nil, "", err
	}
	g, err := s.findGeneration(id)
	if err != nil {
		return nil, "", err
	}
	d, err := v.loadGeneration(filepath.Join(s.BackupsDir(), g.file()))
	if err != nil {
		return nil, "", err
	}
	d.Generations = 0
	base := d.snapshot() // what the restore changes: the current version, if it reads
	if cur, err := v.Load(); err == nil {
		d.Generations = cur.Generations
		keepCounters(d, countersOf(cur))
		base = cur
	}
	steps, stepsErr := s.readSteps()
	keepCounters(d, steps.Counters)
	if err := restamp(base, d, v.store.now()); err != nil {
		return nil, "", fmt.Errorf("not restored: %w", err)
	}
	if kept, err = v.save(d); err != nil {
		return nil, "", err
	}
	if stepsErr == nil { // an unreadable record is not replaced (Update)
		s.noteCounters(steps, d)
	}
	return d, kept, nil
}

// ResolveVersion returns the full ID of the generation that id names, as
// Restore reads it: an ID, a file name, or the beginning of one ID. An id
// that names none, or several, is an error wrapping ErrNoVersion that says
// what to do. Front ends use it to describe a version before restoring it.
func (s *Store) ResolveVersion(id string) (string, error) {
	g, err := s.findGeneration(id)
	return g.id, err
}

// VersionIDs lists the IDs of the generations kept, newest first, without
// decrypting anything: for completing an ID on the command line.
func (s *Store) VersionIDs() ([]string, error) {
	gens, err := s.generations()
	ids := make([]string, len(gens))
	for i, g := range gens {
		ids[len(gens)-1-i] = g.id
	}
	return ids, err
}

// findGeneration finds the generation a user's id names.
func (s *Store) findGeneration(id string) (generation, error) {
	id = strings.TrimSpace(id)
	if id == "current" {
		return generation{}, fmt.Errorf("%w: %q is the version in use, not an earlier one", ErrNoVersion, id)
	}
	if g, ok := parseGeneration(id); ok {
		id = g.id
	}
	gens, err := s.generations()
	if err != nil {
		return generation{}, err
	}
	var matches []generation
	for _, g := range gens {
		if g.id == id {
			return g, nil
		}
		if id != "" && strings.HasPrefix(g.id, id) {
			matches = append(matches, g)
		}
	}
	switch len(matches) {
	case 0:
		return generation{}, fmt.Errorf("%w: none of the %d kept has the ID %q", ErrNoVersion, len(gens), id)
	case 1:
		return matches[0], nil
	}
	return generation{}, fmt.Errorf("%w: %q begins the IDs of %d versions: give more of it", ErrNoVersion, id, len(matches))
}

// RecoveryNote says, for a front end to show when an account is deleted,
// where it can still be found: deleting is not erasing while the vault keeps
// earlier versions of itself. It is one sentence without its full stop, for
// the front end to say after it how to list and restore them.
func (s *Store) RecoveryNote(d *Data) string {
	n := d.KeptGenerations()
	return fmt.Sprintf("It is not erased: the vault's last %d versions, kept in %s, hold it until %d more saves have passed",
		n, s.BackupsDir(), n)
}
