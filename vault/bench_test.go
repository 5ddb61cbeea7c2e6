package vault

import (
	"testing"
)

// benchVault returns a vault of 1,000 accounts.
func benchVault(b *testing.B) *Vault {
	_, v := newTestVault(b)
	addAccounts(b, v, 0, 1000)
	return v
}

// BenchmarkLoad measures reading and decrypting a 1,000-account vault.age
// once unlocked, which is what listing codes costs after the one scrypt.
func BenchmarkLoad(b *testing.B) {
	v := benchVault(b)
	b.ReportAllocs()
	for b.Loop() {
		if d, err := v.Load(); err != nil || len(d.Accounts) != 1000 {
			b.Fatal(d, err)
		}
	}
}

// BenchmarkUpdate measures a save of a 1,000-account vault with a trivial
// change: lock, load, encrypt, write, fsync, back up, rename, fsync the
// directory.
func BenchmarkUpdate(b *testing.B) {
	v := benchVault(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := v.Update(func(d *Data) error {
			d.Accounts[0].Pinned = !d.Accounts[0].Pinned
			return nil
		}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkUpdateGenerations is BenchmarkUpdate with backups/ full: every
// save also links the version it replaces into backups/ and prunes the
// oldest of the 20 kept.
func BenchmarkUpdateGenerations(b *testing.B) {
	v := benchVault(b)
	flip := func(d *Data) error {
		d.Accounts[0].Pinned = !d.Accounts[0].Pinned
		return nil
	}
	for range DefaultGenerations {
		if _, err := v.Update(flip); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := v.Update(flip); err != nil {
			b.Fatal(err)
		}
	}
	if gens, _ := v.store.generations(); len(gens) != DefaultGenerations {
		b.Fatalf("%d generations, want %d", len(gens), DefaultGenerations)
	}
}
