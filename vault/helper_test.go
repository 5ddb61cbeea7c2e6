package vault

import (
	"encoding/base32"
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vmfa/vmfa/otp"
)

// testWorkFactor keeps scrypt to a few milliseconds.
const testWorkFactor = 10

const testPassphrase = "correct horse battery staple"

// TestMain lets tests re-execute the test binary as a helper process: a
// writer to kill, a second writer to race, a writer with a file size limit.
func TestMain(m *testing.M) {
	if h := os.Getenv("VMFA_TEST_HELPER"); h != "" {
		os.Exit(runHelper(h))
	}
	os.Exit(m.Run())
}

// newTestVault creates a vault in a fresh temporary directory.
func newTestVault(t testing.TB) (*Store, *Vault) {
	t.Helper()
	s := Open(filepath.Join(t.TempDir(), "vmfa"))
	v, err := s.Create(testPassphrase, testWorkFactor)
	if err != nil {
		t.Fatalf("Create: %v", err)
	}
	return s, v
}

// testAccount returns a valid account whose secret is unique to n.
func testAccount(issuer, name string, n uint64) otp.Account {
	raw := make([]byte, 10)
	binary.BigEndian.PutUint64(raw[2:], n)
	raw[0], raw[1] = 0x5a, 0xa5
	return otp.Account{
		Issuer: issuer,
		Name:   name,
		Secret: base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(raw),
	}
}

// addAccounts adds n accounts in one Update.
func addAccounts(t testing.TB, v *Vault, first, n int) *Data {
	t.Helper()
	d, err := v.Update(func(d *Data) error {
		for i := first; i < first+n; i++ {
			if _, err := d.Add(testAccount("Issuer", fmt.Sprintf("user%d@example.com", i), uint64(i)), time.Now()); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("Update: %v", err)
	}
	return d
}

// update saves fn's change or fails the test.
func update(t testing.TB, v *Vault, fn func(*Data) error) *Data {
	t.Helper()
	d, err := v.Update(fn)
	if err != nil {
		t.Fatalf("Update: %v", err)
	}
	return d
}

func mustLoad(t testing.TB, v *Vault) *Data {
	t.Helper()
	d, err := v.Load()
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	return d
}

func mustRead(t testing.TB, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// temps lists the temporary files in dir.
func temps(t testing.TB, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		if isTemp(e.Name()) || strings.Contains(e.Name(), tmpMark) {
			names = append(names, e.Name())
		}
	}
	return names
}
