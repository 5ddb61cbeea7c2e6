package vault

import (
	"os"
	"testing"
)

// reportCPU starts counting the CPU time of the loop that follows, which
// the function it returns reports per op as cpu-ns/op: the garbage
// collector's included, and less changed than ns/op by a machine whose
// other work takes turns with the benchmark.
func reportCPU(b *testing.B) (done func()) {
	start := cpuTime()
	return func() {
		if start > 0 {
			b.ReportMetric(float64(cpuTime()-start)/float64(b.N), "cpu-ns/op")
		}
	}
}

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
	defer reportCPU(b)()
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
	defer reportCPU(b)()
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

// mergeBench returns two replicas of a 1,000-account vault changed apart:
// each added 50 accounts, edited 100 and removed 25 of its own, and one
// renamed 50 the other noted.
func mergeBench(b *testing.B) (a, o *Vault) {
	vs := replicas(b, 2)
	a, o = vs[0], vs[1]
	addAccounts(b, a, 0, 1000)
	syncFrom(b, o, a)
	addAccounts(b, a, 2000, 50)
	addAccounts(b, o, 3000, 50)
	update(b, a, func(d *Data) error {
		for i := range 100 {
			d.Accounts[i].Note = "edited here"
		}
		for i := range 50 {
			d.Accounts[500+i].Name += " renamed"
		}
		for range 25 {
			d.Remove(d.Accounts[900].ID)
		}
		return nil
	})
	update(b, o, func(d *Data) error {
		for i := range 100 {
			d.Accounts[200+i].Note = "edited there"
		}
		for i := range 50 {
			d.Accounts[500+i].Note = "noted there"
		}
		for range 25 {
			d.Remove(d.Accounts[800].ID)
		}
		return nil
	})
	return a, o
}

// BenchmarkJoin measures the join of two 1,000-account vaults changed
// apart, in memory.
func BenchmarkJoin(b *testing.B) {
	a, o := mergeBench(b)
	da, do := mustLoad(b, a), mustLoad(b, o)
	b.ReportAllocs()
	for b.Loop() {
		if d, err := join(da, do); err != nil || len(d.Accounts) != 1050 {
			b.Fatal(len(d.Accounts), err)
		}
	}
}

// BenchmarkMergeFile measures MergeFile of one 1,000-account vault's
// vault.age into another changed apart: decrypt and authenticate the copy,
// lock, load, join, and save the join (vault.age is put back as it was
// between runs, untimed).
func BenchmarkMergeFile(b *testing.B) {
	a, o := mergeBench(b)
	ct := mustRead(b, o.store.path(vaultFile))
	orig := mustRead(b, a.store.path(vaultFile))
	b.ReportAllocs()
	for b.Loop() {
		r, err := a.MergeFile(ct)
		if err != nil || r.Kept == "" {
			b.Fatal(r, err)
		}
		b.StopTimer()
		if err := os.WriteFile(a.store.path(vaultFile), orig, 0o600); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
	}
}

// BenchmarkMergeFileIdle is MergeFile of a copy that brings nothing new,
// as an idle sync: no save.
func BenchmarkMergeFileIdle(b *testing.B) {
	a, o := mergeBench(b)
	syncFrom(b, a, o)
	ct := mustRead(b, a.store.path(vaultFile))
	b.ReportAllocs()
	for b.Loop() {
		if r, err := a.MergeFile(ct); err != nil || r.Kept != "" {
			b.Fatal(r, err)
		}
	}
}
