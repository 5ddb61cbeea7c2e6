package vault

import (
	"bytes"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vmfa/vmfa/internal/testenv"
	"github.com/vmfa/vmfa/otp"
)

// fakeClock is a clock that moves only when told, for deterministic names
// and times of generations.
type fakeClock struct{ t time.Time }

func (c *fakeClock) now() time.Time { return c.t }

// newClockedVault creates a vault at start on a fake clock.
func newClockedVault(t testing.TB, start time.Time) (*Store, *Vault, *fakeClock) {
	t.Helper()
	c := &fakeClock{t: start}
	s := Open(filepath.Join(t.TempDir(), "vmfa"))
	s.now = c.now
	v, err := s.Create(testPassphrase, testWorkFactor)
	if err != nil {
		t.Fatalf("Create: %v", err)
	}
	return s, v, c
}

// generationFiles lists the generations in backups/, oldest first.
func generationFiles(t testing.TB, s *Store) []string {
	t.Helper()
	entries, err := os.ReadDir(s.BackupsDir())
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

// TestGenerationsAfterKilledWriters: a writer killed after its rename but
// before pruning leaves one generation too many; the next writer, killed
// after keeping, must not add another (TestKillGenerations once saw 7 of 5).
func TestGenerationsAfterKilledWriters(t *testing.T) {
	s, v := newTestVault(t)
	update(t, v, func(d *Data) error { d.Generations = MinGenerations; return nil })
	for i := range MinGenerations {
		addAccounts(t, v, i, 1)
	}
	if got := len(generationFiles(t, s)); got != MinGenerations {
		t.Fatalf("%d generations, want %d", got, MinGenerations)
	}
	// The first writer keeps vault.age and renames its new version over
	// it, then dies before pruning.
	if _, _, err := s.keepGeneration(MinGenerations); err != nil {
		t.Fatal(err)
	}
	d := mustLoad(t, v)
	if _, err := d.Add(otp.Account{Issuer: "Killed", Name: "writer", Secret: "JBSWY3DPEHPK3PXP", Type: otp.TOTP}, time.Now()); err != nil {
		t.Fatal(err)
	}
	pt, err := encodeData(d)
	if err != nil {
		t.Fatal(err)
	}
	if err := writeAtomic(s.Dir(), vaultFile, time.Now(), func(w io.Writer) error { return encrypt(w, pt, v.recipient, authRecipient{v.tag}) }, nil); err != nil {
		t.Fatal(err)
	}
	if got := len(generationFiles(t, s)); got != MinGenerations+1 {
		t.Fatalf("after the first kill, %d generations, want %d", got, MinGenerations+1)
	}
	// The second keeps the new vault.age and dies before its rename.
	if _, _, err := s.keepGeneration(MinGenerations); err != nil {
		t.Fatal(err)
	}
	if got := len(generationFiles(t, s)); got > MinGenerations+1 {
		t.Errorf("after the second kill, %d generations, want at most %d", got, MinGenerations+1)
	}
	addAccounts(t, v, 100, 1)
	gens := generationFiles(t, s)
	if len(gens) != MinGenerations {
		t.Errorf("after a whole save, %d generations, want %d", len(gens), MinGenerations)
	}
	// The version the second writer kept is kept once.
	for i := 1; i < len(gens); i++ {
		if bytes.Equal(mustRead(t, filepath.Join(s.BackupsDir(), gens[i-1])), mustRead(t, filepath.Join(s.BackupsDir(), gens[i]))) {
			t.Errorf("%s and %s are the same version", gens[i-1], gens[i])
		}
	}
}

// TestGenerationsKept saves 25 times and finds exactly the configured number
// of previous versions, each an age file to the vault's recipient that holds
// the version it is named after, with names that sort by time.
func TestGenerationsKept(t *testing.T) {
	s, v, clock := newClockedVault(t, time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC))
	for i := range 25 {
		clock.t = clock.t.Add(time.Minute)
		addAccounts(t, v, i, 1)
	}
	names := generationFiles(t, s)
	if len(names) != DefaultGenerations {
		t.Fatalf("after 25 saves, %d generations: %v; want %d", len(names), names, DefaultGenerations)
	}
	if !slices.IsSorted(names) {
		t.Errorf("generation names do not sort: %v", names)
	}
	// The oldest kept holds 5 accounts: the versions with 0 to 4 (the one
	// Create wrote among them) were pruned.
	for i, name := range names {
		ct := mustRead(t, filepath.Join(s.BackupsDir(), name))
		d, err := v.decryptData(ct, nil)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if want := 5 + i; len(d.Accounts) != want {
			t.Errorf("%s holds %d accounts, want %d", name, len(d.Accounts), want)
		}
	}
	// Named after the time each version was saved: the oldest kept was
	// saved at 10:05 with 5 accounts.
	if want := "vault-20261124T100500.000000Z.age"; names[0] != want {
		t.Errorf("oldest generation is %s, want %s", names[0], want)
	}
	// vault.age.bak is the newest generation.
	if !bytes.Equal(mustRead(t, filepath.Join(s.Dir(), vaultFile+bakSuffix)), mustRead(t, filepath.Join(s.BackupsDir(), names[len(names)-1]))) {
		t.Error("vault.age.bak is not the newest generation")
	}

	// Configurable, but never fewer than 5.
	for _, n := range []int{-1, 4, MaxGenerations + 1} {
		if _, err := v.Update(func(d *Data) error { d.Generations = n; return nil }); err == nil {
			t.Errorf("keeping %d generations was accepted", n)
		}
	}
	update(t, v, func(d *Data) error { d.Generations = MaxGenerations; return nil })
	update(t, v, func(d *Data) error { d.Generations = 7; return nil })
	if got := len(generationFiles(t, s)); got != 7 {
		t.Errorf("with 7 configured, %d generations", got)
	}
	for i := range 3 {
		addAccounts(t, v, 100+i, 1)
	}
	if got := len(generationFiles(t, s)); got != 7 {
		t.Errorf("with 7 configured, after 3 more saves, %d generations", got)
	}
	if d := mustLoad(t, v); d.KeptGenerations() != 7 {
		t.Errorf("KeptGenerations = %d, want 7", d.KeptGenerations())
	}
	// Fewer: the oldest go, and the version the save replaced is kept.
	replaced := mustRead(t, filepath.Join(s.Dir(), vaultFile))
	update(t, v, func(d *Data) error { d.Generations = MinGenerations; return nil })
	if names := generationFiles(t, s); len(names) != MinGenerations {
		t.Errorf("with %d configured after 7, %d generations", MinGenerations, len(names))
	} else if !bytes.Equal(mustRead(t, filepath.Join(s.BackupsDir(), names[len(names)-1])), replaced) {
		t.Error("the newest generation is not the version the save replaced")
	}
}

// TestGenerationsStockAge decrypts a generation with the age command.
func TestGenerationsStockAge(t *testing.T) {
	agePath := testenv.Tool(t, "age")
	s, v := newTestVault(t)
	addAccounts(t, v, 0, 2)
	addAccounts(t, v, 2, 1)
	key := filepath.Join(t.TempDir(), "key.txt")
	if err := os.WriteFile(key, decryptedIdentity(t, s, testPassphrase), 0o600); err != nil {
		t.Fatal(err)
	}
	names := generationFiles(t, s)
	out, err := exec.Command(agePath, "-d", "-i", key, filepath.Join(s.BackupsDir(), names[len(names)-1])).Output()
	if err != nil || !bytes.Contains(out, []byte("user1@example.com")) || bytes.Contains(out, []byte("user2@example.com")) {
		t.Errorf("age -d of the newest generation: %v\n%s", err, out)
	}
	fi, err := os.Stat(s.BackupsDir())
	if err != nil || fi.Mode().Perm() != 0o700 {
		t.Errorf("backups/ is %v, %v; want 0700", fi.Mode(), err)
	}
}

// TestHistory lists versions newest first, with what changed in each: labels
// added, removed and renamed, never secrets.
func TestHistory(t *testing.T) {
	_, v, clock := newClockedVault(t, time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC))
	tick := func() { clock.t = clock.t.Add(time.Hour) }
	var alice, bob Entry
	tick()
	update(t, v, func(d *Data) (err error) {
		if alice, err = d.Add(testAccount("GitHub", "alice", 1), clock.t); err != nil {
			return err
		}
		bob, err = d.Add(testAccount("GitHub", "bob", 2), clock.t)
		return err
	})
	tick()
	update(t, v, func(d *Data) error { _, err := d.Rename(bob.ID, "GitHub", "robert"); return err })
	tick()
	update(t, v, func(d *Data) error { d.Remove(alice.ID); return nil })
	tick()
	update(t, v, func(d *Data) error { return d.Edit(bob.ID, func(e *Entry) error { e.Pinned = true; return nil }) })

	h, err := v.History()
	if err != nil {
		t.Fatal(err)
	}
	type row struct {
		current  bool
		time     string
		accounts int
		changes  string
	}
	var got []row
	for _, ver := range h {
		var cs []string
		for _, c := range ver.Changes {
			cs = append(cs, c.String())
		}
		if ver.Err != nil {
			t.Fatalf("version %s: %v", ver.ID, ver.Err)
		}
		if (ver.ID == "") != ver.Current() {
			t.Errorf("version %q: Current() = %v", ver.ID, ver.Current())
		}
		got = append(got, row{ver.ID == "", ver.Time.UTC().Format("15:04"), ver.Accounts, strings.Join(cs, "; ")})
	}
	want := []row{
		{true, "13:00", 1, "changed GitHub:robert"},
		{false, "12:00", 1, "removed GitHub:alice"},
		{false, "11:00", 2, "renamed GitHub:bob to GitHub:robert"},
		{false, "10:00", 2, "added GitHub:alice; added GitHub:bob"},
		{false, "09:00", 0, ""}, // what Create wrote; nothing before it is known
	}
	if !slices.Equal(got, want) {
		t.Errorf("History:\n got %v\nwant %v", got, want)
	}
	if h[len(h)-1].Changes != nil {
		t.Error("the oldest version claims to know its changes")
	}
	if h[1].ID != "20261124T120000.000000Z" {
		t.Errorf("ID of the 12:00 version is %q", h[1].ID)
	}
}

// TestHistoryCounterStep: an HOTP counter that moved is said with its
// values, "counter 7 → 9", not as a bare "changed".
func TestHistoryCounterStep(t *testing.T) {
	_, v, clock := newClockedVault(t, time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC))
	tick := func() { clock.t = clock.t.Add(time.Hour) }
	hotp := testAccount("Hetzner", "alice", 1)
	hotp.Type, hotp.Counter = otp.HOTP, 7
	var e Entry
	tick()
	update(t, v, func(d *Data) (err error) { e, err = d.Add(hotp, clock.t); return err })
	tick()
	update(t, v, func(d *Data) error { _, _, err := d.TakeCodes(e.ID, clock.t, true); return err })
	tick()
	update(t, v, func(d *Data) error {
		return d.Edit(e.ID, func(e *Entry) error { e.Counter, e.Pinned = 10, true; return nil })
	})
	tick()
	update(t, v, func(d *Data) error { return d.Edit(e.ID, func(e *Entry) error { e.Note = "spare"; return nil }) })

	h, err := v.History()
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, ver := range h[:3] {
		if len(ver.Changes) != 1 {
			t.Fatalf("version %s: changes %+v, want one", ver.ID, ver.Changes)
		}
		got = append(got, ver.Changes[0].String())
	}
	want := []string{"changed Hetzner:alice", "changed Hetzner:alice (counter 9 → 10)", "Hetzner:alice counter 7 → 9"}
	if !slices.Equal(got, want) {
		t.Errorf("History:\n got %q\nwant %q", got, want)
	}
	if c := h[2].Changes[0]; c.Kind != Stepped || c.CounterFrom != 7 || c.CounterTo != 9 {
		t.Errorf("the counter step is %+v", c)
	}
}

// TestRestoreAfterRemove brings back an account removed by mistake, and
// undoes the restore.
func TestRestoreAfterRemove(t *testing.T) {
	s, v := newTestVault(t)
	d := addAccounts(t, v, 0, 3)
	gone := d.Accounts[1]
	update(t, v, func(d *Data) error { d.Remove(gone.ID); return nil })
	h, err := v.History()
	if err != nil {
		t.Fatal(err)
	}
	// The newest generation is the vault as it was before the removal.
	before := h[1]
	if before.Accounts != 3 || h[0].Accounts != 2 {
		t.Fatalf("history %+v", h)
	}
	restored, previous, err := v.Restore(before.ID)
	if err != nil {
		t.Fatal(err)
	}
	if restored.Index(gone.ID) < 0 || len(restored.Accounts) != 3 {
		t.Fatalf("restored %d accounts, without %s", len(restored.Accounts), gone.Label())
	}
	cur := mustLoad(t, v)
	if i := cur.Index(gone.ID); i < 0 || cur.Accounts[i] != gone {
		t.Fatalf("after Restore, %s is not back as it was", gone.Label())
	}
	// The version that was current became a generation: the restore can be
	// undone.
	if previous == "" {
		t.Fatal("Restore did not name the generation it kept the current version as")
	}
	if _, _, err := v.Restore(previous); err != nil {
		t.Fatal(err)
	}
	if cur := mustLoad(t, v); len(cur.Accounts) != 2 || cur.Index(gone.ID) >= 0 {
		t.Errorf("undoing the restore left %d accounts", len(cur.Accounts))
	}

	// Unknown IDs, and the current version, are refused without writing.
	ct := mustRead(t, filepath.Join(s.Dir(), vaultFile))
	n := len(generationFiles(t, s))
	for _, id := range []string{"", "nope", "../vault.age", "2", "current"} {
		if _, _, err := v.Restore(id); err == nil {
			t.Errorf("Restore(%q) succeeded", id)
		} else if strings.Contains(err.Error(), "JBSW") {
			t.Errorf("Restore(%q): %v", id, err)
		}
	}
	if !bytes.Equal(mustRead(t, filepath.Join(s.Dir(), vaultFile)), ct) || len(generationFiles(t, s)) != n {
		t.Error("a refused Restore wrote something")
	}
	// A unique prefix of an ID, or the file name, is enough.
	names := generationFiles(t, s)
	if _, _, err := v.Restore(names[0]); err != nil {
		t.Errorf("Restore(file name): %v", err)
	}
	prefix := strings.TrimSuffix(h[1].ID, "Z")
	if id, err := s.ResolveVersion(prefix); err != nil || id != h[1].ID {
		t.Errorf("ResolveVersion(%q) = %q, %v; want %q", prefix, id, err, h[1].ID)
	}
}

// TestRestoreDamaged restores over a damaged vault.age, which is kept.
func TestRestoreDamaged(t *testing.T) {
	s, v := newTestVault(t)
	addAccounts(t, v, 0, 2)
	addAccounts(t, v, 2, 1)
	path := filepath.Join(s.Dir(), vaultFile)
	os.WriteFile(path, []byte("garbage"), 0o600)
	var damaged *DamagedError
	if _, err := v.Load(); !errors.As(err, &damaged) || damaged.Generations == 0 {
		t.Errorf("Load of a damaged vault with generations: %v; want the generations a front end can point to", err)
	}
	h, err := v.History()
	if err != nil {
		t.Fatal(err)
	}
	if h[0].Err == nil || !errors.Is(h[0].Err, ErrDamaged) {
		t.Errorf("current version of a damaged vault: %+v", h[0])
	}
	if _, _, err := v.Restore(h[1].ID); err != nil {
		t.Fatal(err)
	}
	if d := mustLoad(t, v); len(d.Accounts) != 2 {
		t.Errorf("restored vault has %d accounts, want 2", len(d.Accounts))
	}
	// Nothing is lost: the damaged file is a generation now.
	found := false
	for _, n := range generationFiles(t, s) {
		found = found || string(mustRead(t, filepath.Join(s.BackupsDir(), n))) == "garbage"
	}
	if !found {
		t.Error("the damaged vault.age was not kept")
	}
}

// TestRestoreKeepsSetting restores an old version without its old setting of
// how many generations to keep, which is the vault's, not the version's.
func TestRestoreKeepsSetting(t *testing.T) {
	_, v := newTestVault(t)
	addAccounts(t, v, 0, 1)
	update(t, v, func(d *Data) error { d.Generations = 9; return nil })
	addAccounts(t, v, 1, 1)
	h, _ := v.History()
	d, _, err := v.Restore(h[len(h)-1].ID)
	if err != nil {
		t.Fatal(err)
	}
	if d.Generations != 9 || mustLoad(t, v).KeptGenerations() != 9 {
		t.Errorf("after Restore, %d generations kept, want 9", d.Generations)
	}
}

// TestRecoveryNote says where a removed account still is.
func TestRecoveryNote(t *testing.T) {
	s, v := newTestVault(t)
	d := addAccounts(t, v, 0, 1)
	note := s.RecoveryNote(d)
	for _, want := range []string{"the vault's last 20 versions", s.BackupsDir(), "20 more saves"} {
		if !strings.Contains(note, want) {
			t.Errorf("RecoveryNote %q lacks %q", note, want)
		}
	}
	if strings.Contains(note, "\n") {
		t.Errorf("RecoveryNote %q is not one line", note)
	}
}

// TestGenerationsFromOlderVault: a vault saved by a vmfa without generations
// has only vault.age.bak; the first save keeps it as a generation too.
func TestGenerationsFromOlderVault(t *testing.T) {
	s, v := newTestVault(t)
	addAccounts(t, v, 0, 1)
	addAccounts(t, v, 1, 1)
	if err := os.RemoveAll(s.BackupsDir()); err != nil {
		t.Fatal(err)
	}
	addAccounts(t, v, 2, 1)
	var counts []int
	for _, n := range generationFiles(t, s) {
		d, err := v.decryptData(mustRead(t, filepath.Join(s.BackupsDir(), n)), nil)
		if err != nil {
			t.Fatal(err)
		}
		counts = append(counts, len(d.Accounts))
	}
	if !slices.Equal(counts, []int{1, 2}) {
		t.Errorf("generations hold %v accounts, want [1 2]", counts)
	}
}
