package vault

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vmfa/vmfa/otp"
)

// hotpVault makes a vault holding one HOTP account at counter 7, hands out
// two codes (counter 9), and returns the account as saved then.
func hotpVault(t *testing.T) (*Store, *Vault, Entry) {
	t.Helper()
	s, v := newTestVault(t)
	a := testAccount("Counter", "bob", 7)
	a.Type, a.Counter = otp.HOTP, 7
	d := update(t, v, func(d *Data) error { _, err := d.Add(a, time.Now()); return err })
	e := d.Accounts[0]
	for range 2 {
		if _, err := v.HandOut(e, time.Now(), HandOutOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	e = mustLoad(t, v).Accounts[0]
	if e.Counter != 9 {
		t.Fatalf("counter %d after two codes from 7", e.Counter)
	}
	return s, v, e
}

// checkHandsOut fails unless the next code of e is the one of counter want,
// and the counter is saved past it.
func checkHandsOut(t *testing.T, v *Vault, e Entry, want uint64) {
	t.Helper()
	h, err := v.HandOut(e, time.Now(), HandOutOptions{})
	if err != nil {
		t.Fatal(err)
	}
	a := e.Account
	a.Counter = want
	code, _ := a.Code(time.Now())
	if h.Codes[0] != code || h.Entry.Counter != want {
		t.Fatalf("handed out %s at counter %d, want %s, the code of counter %d (not handed out yet)", h.Codes[0], h.Entry.Counter, code, want)
	}
	if saved := mustLoad(t, v).Accounts[0].Counter; saved != want+1 {
		t.Fatalf("counter %d saved after handing out the code of %d", saved, want)
	}
}

// TestRestoreKeepsHOTPCounters: restoring a version whose HOTP counter is
// lower keeps the current, higher one: the codes between were handed out.
// The restore notes it in the record of handed-out codes too, even one lost
// before, so a vault.age brought back older afterwards hands out none again.
func TestRestoreKeepsHOTPCounters(t *testing.T) {
	s, v, e := hotpVault(t)
	revs, err := v.History()
	if err != nil {
		t.Fatal(err)
	}
	os.Remove(s.path(stepsFile))
	// Newest first: the current version (9), the one at 8, the one at 7.
	oldest := revs[len(revs)-2]
	restored, _, err := v.Restore(oldest.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got := restored.Accounts[0].Counter; got != 9 {
		t.Fatalf("restore of the version at counter 7: counter %d, want 9 kept", got)
	}
	if got := mustLoad(t, v).Accounts[0].Counter; got != 9 {
		t.Fatalf("counter %d saved after the restore, want 9", got)
	}
	at8 := mustRead(t, filepath.Join(s.BackupsDir(), generation{id: revs[1].ID}.file()))
	if err := os.WriteFile(s.path(vaultFile), at8, 0o600); err != nil {
		t.Fatal(err)
	}
	checkHandsOut(t, v, e, 9)
}

// TestOlderVaultCopiedBack: a vault.age brought back older by hand (its
// .bak copied over it) hands out no code twice: the record of handed-out
// codes holds the counter reached. So does a removed account restored from
// a version that had it, which the current version does not hold.
func TestOlderVaultCopiedBack(t *testing.T) {
	s, v, e := hotpVault(t)
	if err := os.Rename(s.path(vaultFile+bakSuffix), s.path(vaultFile)); err != nil {
		t.Fatal(err)
	}
	if d, err := v.decryptData(mustRead(t, s.path(vaultFile)), nil); err != nil || d.Accounts[0].Counter != 8 {
		t.Fatalf("the copied-back vault.age: %v, want it at counter 8", err)
	}
	checkHandsOut(t, v, e, 9)
	b := mustRead(t, s.path(stepsFile))
	if strings.Contains(string(b), e.Secret) || !strings.Contains(string(b), `"counters"`) {
		t.Fatalf("steps.json: %s", b)
	}

	update(t, v, func(d *Data) error { d.Remove(e.ID); return nil })
	revs, err := v.History()
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := v.Restore(revs[len(revs)-1].ID); err != nil { // the empty vault's
		t.Fatal(err)
	}
	if _, _, err := v.Restore(revs[len(revs)-2].ID); err != nil { // counter 7's
		t.Fatal(err)
	}
	checkHandsOut(t, v, e, 10)
}

// TestLoadKeepsHOTPCounters: a vault.age brought back older by hand loads
// with the counter the vault reached, so that what is shown or exported
// (vmfa export, the interface's rows) never offers a code handed out
// already.
func TestLoadKeepsHOTPCounters(t *testing.T) {
	s, v, _ := hotpVault(t)
	if err := os.Rename(s.path(vaultFile+bakSuffix), s.path(vaultFile)); err != nil {
		t.Fatal(err)
	}
	if got := mustLoad(t, v).Accounts[0].Counter; got != 9 {
		t.Fatalf("the copied-back vault.age (counter 8) loads at counter %d, want 9, the one reached", got)
	}
}

// TestCountersRecord: the record keeps the highest counter of each HOTP
// account, only HOTP counters raise anything, and beyond maxCounters it
// forgets those of accounts no longer in the vault, never one still there.
func TestCountersRecord(t *testing.T) {
	s, v := newTestVault(t)
	h := testAccount("Counter", "bob", 1)
	h.Type, h.Counter = otp.HOTP, 3
	d := update(t, v, func(d *Data) error {
		if _, err := d.Add(testAccount("Time", "alice", 2), time.Now()); err != nil {
			return err
		}
		_, err := d.Add(h, time.Now())
		return err
	})
	totp, hotp := d.Accounts[0], d.Accounts[1]

	steps := stepRecord{Counters: map[string]uint64{hotp.ID: 5, totp.ID: 9}}
	for i := range maxCounters + 10 {
		steps.Counters[fmt.Sprintf("gone%d", i)] = 1
	}
	keepCounters(d, steps.Counters)
	if d.Accounts[0].Counter != 0 || d.Accounts[1].Counter != 5 {
		t.Fatalf("counters %d, %d after keeping 9 and 5: a TOTP account has none", d.Accounts[0].Counter, d.Accounts[1].Counter)
	}
	os.Remove(s.path(stepsFile)) // noted when the account was added at 3
	d.Accounts[1].Counter = 4    // lower than the record: not noted
	s.noteCounters(steps, d)
	if _, err := os.Stat(s.path(stepsFile)); err == nil {
		t.Fatal("a record written with no counter higher than its own")
	}
	d.Accounts[1].Counter = 6
	s.noteCounters(steps, d)
	got, err := s.readSteps()
	// Only those beyond maxCounters are forgotten.
	if err != nil || len(got.Counters) != maxCounters || got.Counters[hotp.ID] != 6 {
		t.Fatalf("record of %d counters, %d for the account (%v), want %d, and 6", len(got.Counters), got.Counters[hotp.ID], err, maxCounters)
	}

	// However many accounts the vault holds, none of theirs is forgotten.
	many := &Data{}
	steps = stepRecord{Counters: map[string]uint64{}}
	for i := range maxCounters + 1 {
		id := fmt.Sprintf("live%d", i)
		many.Accounts = append(many.Accounts, Entry{ID: id, Account: otp.Account{Type: otp.HOTP, Counter: 2}})
		steps.Counters[id] = 1
	}
	s.noteCounters(steps, many)
	if got, err := s.readSteps(); err != nil || len(got.Counters) != maxCounters+1 || got.Counters["live0"] != 2 {
		t.Fatalf("record of %d counters (%v), %d for the first account; want all %d, at 2", len(got.Counters), err, got.Counters["live0"], maxCounters+1)
	}
}

// TestRecordedCounterBounded: steps.json is not encrypted, so a counter
// there far ahead of the vault's (damaged, or planted: it would put the
// account past what its server accepts, or exhaust it, for good) is not
// believed; one ahead by what a vault brought back older can be behind is.
func TestRecordedCounterBounded(t *testing.T) {
	for _, tt := range []struct {
		recorded, want uint64
	}{
		{math.MaxUint64, 9},
		{9 + maxCounterLead + 1, 9},
		{9 + maxCounterLead, 9 + maxCounterLead},
		{100, 100},
	} {
		s, v, e := hotpVault(t)
		b, _ := json.Marshal(stepRecord{Counters: map[string]uint64{e.ID: tt.recorded}})
		if err := os.WriteFile(s.path(stepsFile), b, 0o600); err != nil {
			t.Fatal(err)
		}
		if got := mustLoad(t, v).Accounts[0].Counter; got != tt.want {
			t.Errorf("vault at 9, record at %d: loads at %d, want %d", tt.recorded, got, tt.want)
		}
		checkHandsOut(t, v, e, tt.want)
	}
}
