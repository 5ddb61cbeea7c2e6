package vault

import (
	"os"
	"testing"
)

// TestSavesCloseFiles checks that saving, changing the passphrase and
// loading leave no file open: vmfa's interface saves for as long as it runs.
func TestSavesCloseFiles(t *testing.T) {
	_, v := newTestVault(t)
	addAccounts(t, v, 0, 1) // the first save makes the backup
	open := func() int {
		fds, err := os.ReadDir("/proc/self/fd")
		if err != nil {
			t.Fatal(err)
		}
		return len(fds)
	}
	before := open()
	for i := range 20 {
		addAccounts(t, v, 1+i, 1)
		mustLoad(t, v)
	}
	if err := v.ChangePassphrase("another one", testWorkFactor); err != nil {
		t.Fatal(err)
	}
	if after := open(); after != before {
		t.Errorf("%d files open before 20 saves and a passphrase change, %d after", before, after)
	}
}
