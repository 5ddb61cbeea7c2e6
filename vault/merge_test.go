package vault

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/vmfa/vmfa/otp"
)

// replicas returns n copies of one vault, each in a directory of its own,
// as machines that sync hold them: the first made by Create, the others
// from its identity.age and vault.age, each opened with the passphrase.
func replicas(t testing.TB, n int) []*Vault {
	t.Helper()
	s, v := newTestVault(t)
	vs := []*Vault{v}
	for range n - 1 {
		dir := filepath.Join(t.TempDir(), "vmfa")
		if err := os.Mkdir(dir, 0o700); err != nil {
			t.Fatal(err)
		}
		for _, name := range []string{identityFile, vaultFile} {
			if err := os.WriteFile(filepath.Join(dir, name), mustRead(t, s.path(name)), 0o600); err != nil {
				t.Fatal(err)
			}
		}
		r, err := Open(dir).Unlock(testPassphrase)
		if err != nil {
			t.Fatal(err)
		}
		vs = append(vs, r)
	}
	return vs
}

// syncFrom merges from's vault.age into to, as a sync does.
func syncFrom(t testing.TB, to, from *Vault) MergeReport {
	t.Helper()
	r, err := to.MergeFile(mustRead(t, from.store.path(vaultFile)))
	if err != nil {
		t.Fatalf("MergeFile: %v", err)
	}
	return r
}

// state is v's canonical state: what converged replicas share.
func state(t testing.TB, v *Vault) string {
	t.Helper()
	b, err := canonical(mustLoad(t, v))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func find(t testing.TB, v *Vault, id string) (Entry, bool) {
	t.Helper()
	d := mustLoad(t, v)
	if i := d.Index(id); i >= 0 {
		return d.Accounts[i], true
	}
	return Entry{}, false
}

// TestMergeRules: the rules, one by one, on two machines.
func TestMergeRules(t *testing.T) {
	t.Parallel()
	vs := replicas(t, 2)
	a, b := vs[0], vs[1]
	now := time.Now()
	var x, y, z, h Entry
	update(t, a, func(d *Data) error {
		x, _ = d.Add(testAccount("X", "x", 1), now)
		y, _ = d.Add(testAccount("Y", "y", 2), now)
		z, _ = d.Add(testAccount("Z", "z", 3), now)
		acc := testAccount("H", "h", 4)
		acc.Type, acc.Counter = otp.HOTP, 5
		h, _ = d.Add(acc, now)
		return nil
	})
	if r := syncFrom(t, b, a); r.In != 4 || r.Out != 0 || r.Behind || r.Kept == "" {
		t.Fatalf("first sync: %+v", r)
	}

	// Added on both sides; renamed on one side and noted on the other;
	// the same field changed on both; removed on one side and changed on
	// the other; HOTP counters.
	update(t, a, func(d *Data) error {
		d.Add(testAccount("A", "only-a", 10), now)
		d.Rename(x.ID, "X", "renamed-on-a")
		d.Edit(y.ID, func(e *Entry) error { e.Note = "from a"; return nil })
		d.Remove(z.ID)
		d.Edit(h.ID, func(e *Entry) error { e.Counter = 9; return nil })
		return nil
	})
	update(t, b, func(d *Data) error {
		d.Add(testAccount("B", "only-b", 11), now)
		d.Edit(x.ID, func(e *Entry) error { e.Note = "noted on b"; return nil })
		d.Edit(y.ID, func(e *Entry) error { e.Note = "from b"; return nil })
		d.Edit(z.ID, func(e *Entry) error { e.Pinned = true; return nil })
		d.Edit(h.ID, func(e *Entry) error { e.Counter = 7; return nil })
		return nil
	})
	ra := syncFrom(t, a, b)
	syncFrom(t, b, a)
	if state(t, a) != state(t, b) {
		t.Fatalf("not converged:\n%s\n%s", state(t, a), state(t, b))
	}
	if ra.In == 0 || !ra.Behind {
		t.Errorf("report of a's merge: %+v", ra)
	}
	d := mustLoad(t, a)
	if len(d.Accounts) != 6 {
		t.Fatalf("%d accounts, want 6", len(d.Accounts))
	}
	if e, _ := find(t, a, x.ID); e.Name != "renamed-on-a" || e.Note != "noted on b" {
		t.Errorf("renamed on a, noted on b: %+v", e)
	}
	if e, ok := find(t, a, z.ID); !ok || !e.Pinned {
		t.Errorf("removed on a, pinned on b: kept %v, %+v", ok, e)
	}
	if e, _ := find(t, a, h.ID); e.Counter != 9 {
		t.Errorf("HOTP counter %d, want 9", e.Counter)
	}
	if e, _ := find(t, a, y.ID); e.Note != "from a" && e.Note != "from b" {
		t.Errorf("note changed on both: %q", e.Note)
	}

	// Merging again changes nothing and saves nothing.
	if r := syncFrom(t, a, b); r.In != 0 || r.Out != 0 || r.Behind || r.Kept != "" {
		t.Errorf("a merge of what is there: %+v", r)
	}

	// A removal that saw every change wins.
	update(t, b, func(d *Data) error { d.Remove(z.ID); return nil })
	syncFrom(t, a, b)
	if _, ok := find(t, a, z.ID); ok {
		t.Error("a removal after the last change did not carry")
	}
	syncFrom(t, b, a)
	if state(t, a) != state(t, b) {
		t.Fatal("not converged after the removal")
	}

	// Restoring a version that held it is a change the removal did not
	// see: it travels.
	ids, err := a.store.VersionIDs()
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range ids {
		if d, err := a.loadGeneration(filepath.Join(a.store.BackupsDir(), genPrefix+id+genSuffix)); err == nil && d.Index(z.ID) >= 0 {
			if _, _, err := a.Restore(id); err != nil {
				t.Fatal(err)
			}
			break
		}
	}
	if _, ok := find(t, a, z.ID); !ok {
		t.Fatal("no version to restore held the removed account")
	}
	syncFrom(t, b, a)
	if _, ok := find(t, b, z.ID); !ok {
		t.Error("a restored account did not travel")
	}
}

// TestMergeRefusesForgery: a vault.age made with the public recipient
// alone, as anyone can, is refused and changes nothing; so is a copy with
// a tag made by another key, or of another vault.
func TestMergeRefusesForgery(t *testing.T) {
	t.Parallel()
	vs := replicas(t, 2)
	a, b := vs[0], vs[1]
	addAccounts(t, b, 0, 2)
	before := mustRead(t, a.store.path(vaultFile))

	var forged bytes.Buffer
	if err := encrypt(&forged, []byte(`{"version":1,"accounts":[]}`), a.recipient); err != nil {
		t.Fatal(err)
	}
	_, other := newTestVault(t)
	var wrongTag bytes.Buffer
	if err := encrypt(&wrongTag, []byte(`{"version":1,"accounts":[]}`), a.recipient, authRecipient{other.tag}); err != nil {
		t.Fatal(err)
	}
	for name, ct := range map[string][]byte{"forged": forged.Bytes(), "wrong tag": wrongTag.Bytes()} {
		if _, err := a.MergeFile(ct); !errors.Is(err, ErrUnauthenticated) {
			t.Errorf("%s: MergeFile = %v, want ErrUnauthenticated", name, err)
		}
	}
	if _, err := a.MergeFile(mustRead(t, other.store.path(vaultFile))); err == nil || errors.Is(err, ErrUnauthenticated) {
		t.Errorf("another vault's copy: %v", err)
	}
	if !bytes.Equal(before, mustRead(t, a.store.path(vaultFile))) {
		t.Error("a refused merge changed vault.age")
	}
}

// TestMergeFromBeforeMerging: two machines with a vault from before stamps
// and authentication. One upgrades it by a change; the other reads its own
// as it is, and merges the upgraded copy, whose change wins; its own copy
// travels once Authenticate has upgraded it.
func TestMergeFromBeforeMerging(t *testing.T) {
	t.Parallel()
	vs := replicas(t, 2)
	a, b := vs[0], vs[1]
	const legacy = `{"version":1,"accounts":[` +
		`{"id":"0000000000000001","created":"2024-01-02T03:04:05Z","name":"one","secret":"JBSWY3DPEHPK3PXP","type":"totp","algorithm":"SHA1","digits":6,"period":30},` +
		`{"id":"0000000000000002","created":"2024-01-02T03:04:05Z","name":"two","secret":"GEZDGNBVGY3TQOJQ","type":"totp","algorithm":"SHA1","digits":6,"period":30}]}`
	for _, v := range vs {
		var buf bytes.Buffer
		if err := encrypt(&buf, []byte(legacy), v.recipient); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(v.store.path(vaultFile), buf.Bytes(), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Remove(v.store.path(authMarker)); err != nil && !errors.Is(err, os.ErrNotExist) {
			t.Fatal(err)
		}
	}
	update(t, b, func(d *Data) error {
		d.Accounts[0].Note = "upgraded on b"
		d.Remove("0000000000000002")
		return nil
	})
	if _, err := b.MergeFile(mustRead(t, a.store.path(vaultFile))); !errors.Is(err, ErrUnauthenticated) {
		t.Fatalf("a copy from before authentication: %v", err)
	}
	r := syncFrom(t, a, b)
	if r.In != 2 {
		t.Errorf("report: %+v", r)
	}
	d := mustLoad(t, a)
	if len(d.Accounts) != 1 || d.Accounts[0].Note != "upgraded on b" {
		t.Fatalf("after the merge: %+v", d.Accounts)
	}
	if saved, err := b.Authenticate(); err != nil || saved {
		t.Fatalf("Authenticate of a saved vault: %v, %v", saved, err)
	}
	syncFrom(t, b, a)
	if state(t, a) != state(t, b) {
		t.Error("not converged")
	}
}
