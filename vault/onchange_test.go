package vault

import (
	"sync/atomic"
	"testing"
	"time"
)

// TestOnChangeOnlyForTravellingFiles: OnChange hears of a change to
// vault.age and of a recipient removed, not of a code handed out, which
// writes only steps.json: sync must cost a code nothing.
func TestOnChangeOnlyForTravellingFiles(t *testing.T) {
	s, v := newTestVault(t)
	var calls atomic.Int32
	OnChange(func(dir string) {
		if dir == s.Dir() {
			calls.Add(1)
		}
	})
	t.Cleanup(func() { OnChange(nil) })

	d := addAccounts(t, v, 0, 1)
	if n := calls.Swap(0); n == 0 {
		t.Fatal("a save of vault.age was not heard of")
	}
	if _, err := v.ClaimCode(d.Accounts[0], time.Now(), false); err != nil {
		t.Fatal(err)
	}
	if n := calls.Swap(0); n != 0 {
		t.Fatalf("a code handed out was heard of %d times: only steps.json changed", n)
	}
	if err := s.RemoveRecipient("nobody"); err == nil {
		t.Fatal("removing a recipient that is not there succeeded")
	}
	if n := calls.Load(); n != 0 {
		t.Fatalf("a refused removal was heard of %d times", n)
	}
}
