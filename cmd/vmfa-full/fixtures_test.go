package main

import (
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/vmfa/vmfa/internal/testenv"
	"github.com/vmfa/vmfa/otp"
)

// Vaults to start from. Most tests begin with a vault holding an account
// or two, and a vmfa process that makes one (a new key, its scrypt, the
// files) is a good part of what such a test costs: 'vmfa add --uri' makes
// each vault once a run, and every test that starts from it gets a copy.

// fixtures maps the URIs of a vault, joined by newlines, to its *fixture.
var fixtures sync.Map

type fixture struct {
	once sync.Once
	dir  string // whose vault/ holds the accounts; empty if making it failed
}

// vaultOf puts in dir/vault, for the test with its home in dir, a copy of
// a vault that holds the accounts of uris (none: an empty vault) and opens
// with pw's passphrase. 'vmfa add --uri' made it, and said it added each
// account ('vmfa init' the empty one, printing no secret), in the first
// test that asked for it.
func vaultOf(t *testing.T, dir string, uris ...string) {
	t.Helper()
	stdin := strings.Join(uris, "\n") + "\n"
	v, _ := fixtures.LoadOrStore(stdin, new(fixture))
	f := v.(*fixture)
	f.once.Do(func() {
		made, err := os.MkdirTemp(filepath.Dir(vmfaBin), "vault") // removed with the programs, after the run
		if err != nil {
			t.Fatal(err)
		}
		if len(uris) == 0 {
			r := vmfa(t, made, "", []string{pw}, "init")
			expect(t, r, 0, "", "")
			noSecrets(t, r)
		} else {
			r := vmfa(t, made, stdin, []string{pw}, "add", "--uri")
			for _, uri := range uris {
				a, err := otp.ParseURI(uri)
				if err != nil {
					t.Fatal(err)
				}
				expect(t, r, 0, "Added "+a.Label()+"\n", "")
			}
		}
		f.dir = made
	})
	if f.dir == "" {
		t.Fatalf("making the vault of %q failed (in the test that first asked for it)", uris)
	}
	testenv.CopyDir(t, filepath.Join(f.dir, "vault"), filepath.Join(dir, "vault"))
}
