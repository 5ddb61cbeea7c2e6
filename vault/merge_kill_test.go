//go:build unix

package vault

import (
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"testing"
	"time"
)

// runMerger is the helper that TestKillMerge kills: the other replica, in
// otherDir, adds an account, and the vault in dir merges its vault.age,
// again and again; after each merge it says how many accounts dir's holds.
func runMerger(dir, otherDir string) int {
	v, err := Open(dir).Unlock(testPassphrase)
	if err != nil {
		fmt.Println("error:", err)
		return 1
	}
	other, err := Open(otherDir).Unlock(testPassphrase)
	if err != nil {
		fmt.Println("error:", err)
		return 1
	}
	fmt.Println("ready")
	for i := 0; ; i++ {
		if _, err := other.Update(func(d *Data) error {
			_, err := d.Add(testAccount("Other", fmt.Sprintf("acct%d-%d", os.Getpid(), i), uint64(os.Getpid())<<20|uint64(i)), time.Now())
			return err
		}); err != nil {
			fmt.Println("error:", err)
			return 1
		}
		ct, err := os.ReadFile(other.store.path(vaultFile))
		if err != nil {
			fmt.Println("error:", err)
			return 1
		}
		if _, err := v.MergeFile(ct); err != nil {
			fmt.Println("error:", err)
			return 1
		}
		d, err := v.Load()
		if err != nil {
			fmt.Println("error:", err)
			return 1
		}
		fmt.Println(len(d.Accounts))
	}
}

// TestKillMerge kills a process in the middle of merging copies of the
// vault (SIGKILL at random moments, as TestKill does a writer's): vault.age
// always opens, holds every account a merge reported saved, and never goes
// back; the next merge completes, and brings in whatever the killed one
// had not.
func TestKillMerge(t *testing.T) {
	least := 12
	vs := replicas(t, 2)
	a, b := vs[0], vs[1]
	onDisk := 0
	reached := map[string]int{}
	missing := func() (m []string) {
		for _, st := range killStates {
			if reached[st] == 0 {
				m = append(m, st)
			}
		}
		return m
	}
	it := 0
	for ; it < least || len(missing()) > 0 && it < 10*least; it++ {
		before := temps(t, a.store.Dir())
		cmd := helperCmd(t, "merger", a.store.Dir(), 0, 0, "VMFA_TEST_OTHER="+b.store.Dir())
		lines := startHelper(t, cmd, it)
		// A round, another replica's save and a merge's, takes tens of
		// milliseconds where saves are synced.
		time.Sleep(time.Duration(rand.N(150000)) * time.Microsecond)
		cmd.Process.Kill()
		saved := onDisk
		for l := range lines {
			n, err := strconv.Atoi(l)
			if err != nil {
				t.Fatalf("iteration %d: merger said %q", it, l)
			}
			saved = n
		}
		cmd.Wait()

		d, err := a.Load()
		if err != nil {
			t.Fatalf("iteration %d: after a kill, Load: %v", it, err)
		}
		n := len(d.Accounts)
		if n < saved || n < onDisk {
			t.Fatalf("iteration %d: vault.age holds %d accounts; the merger had saved %d, %d before", it, n, saved, onDisk)
		}
		if tmp := temps(t, a.store.Dir()); len(tmp) > 2 {
			t.Fatalf("iteration %d: temporary files pile up: %v", it, tmp)
		} else {
			reached[killState(t, a.store.Dir(), a, n, saved, before, tmp)]++
		}
		onDisk = n
	}
	// The next merge completes: the vault then holds all the other holds.
	syncFrom(t, a, b)
	if got, want := len(mustLoad(t, a).Accounts), len(mustLoad(t, b).Accounts); got != want {
		t.Errorf("after the kills and a merge, %d accounts, want %d", got, want)
	}
	t.Logf("%d kills; the merger was killed: %v", it, reached)
	if m := missing(); len(m) > 0 {
		t.Errorf("in %d kills, none came at these moments of a save: %v", it, m)
	}
}
